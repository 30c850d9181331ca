-- Drives a real headless Neovim (0.7+) with the kubectl-lsp plugin (editors/neovim)
-- against a real cluster: setup{} attaches on FileType, diagnostics arrive, hover and a
-- quick fix work through the plugin's client, :KubeApply applies the resource under the
-- cursor after the (stubbed) confirmation, :KubeDiff opens live (left) and merged (right)
-- side by side, :KubeContext switches the context and :KubeExplain shows explain text
-- with it. Writes what it saw to a JSON file for
-- lsp/nvim_plugin_test.go; exits with :qall! when the script ran to the end, :cquit when
-- it failed.
--
-- KUBECTL_LSP_NVIM_CONFIG names a JSON file:
--   {"bin", "plugin" (editors/neovim), "fixture", "result", "kubeconfig", "cache_dir",
--    "apply_line" (0-based line inside the resource to apply), "fix_code",
--    "context" (another context of the kubeconfig)}

local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv("KUBECTL_LSP_NVIM_CONFIG")), "\n"))
local result = { steps = {}, notes = {}, asked = {} }
local lib = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/lib.lua")
local run = lib.new(result, function()
  return cfg.result
end, lib.stop_all)
local step, check, wait, finish = run.step, run.check, run.wait, run.finish

local function main()
  vim.opt.runtimepath:prepend(cfg.plugin)
  vim.notify = function(msg, level)
    table.insert(result.notes, msg)
  end
  local kl = require("kubectl_lsp")
  kl.setup({
    cmd = { cfg.bin, "serve", "--stdio", "--cache-dir", cfg.cache_dir },
    -- A skip entry for another server: apply still asks here, and the entry is not
    -- pushed with didChangeConfiguration (the server would warn).
    settings = { kubeconfig = cfg.kubeconfig, debounceMs = 0,
      skipConfirmationContexts = { { context = "admin", server = "https://127.0.0.1:1" } } },
    confirm = function(message, choices)
      table.insert(result.asked, message)
      return choices[1]
    end,
  })
  step("setup")

  vim.cmd("edit " .. vim.fn.fnameescape(cfg.fixture))
  local bufnr = vim.api.nvim_get_current_buf()
  wait(20000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, "diagnostics")
  step("diagnostics")
  -- skipConfirmationContexts goes in the initializationOptions only.
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == "kubectl-lsp" then
      check(c.config.init_options.skipConfirmationContexts ~= nil, "skipConfirmationContexts is not in the initializationOptions")
      check(c.config.settings["kubectl-lsp"].skipConfirmationContexts == nil, "skipConfirmationContexts is pushed with didChangeConfiguration")
    end
  end
  step("settings")
  result.diagnostics = {}
  local target
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(result.diagnostics, { lnum = d.lnum, message = d.message, code = code })
    if code == cfg.fix_code then
      target = d
    end
  end
  wait(20000, function()
    return kl.status ~= nil and kl.status.source == "cluster"
  end, "a cluster status")
  result.status = kl.status
  result.statusline = kl.statusline()
  step("status")

  -- Hover on the fixed field's key.
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, 4 })
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", vim.lsp.util.make_position_params(), 10000)
  for _, r in pairs(responses or {}) do
    result.hover = r.result and r.result.contents and r.result.contents.value
  end
  check(result.hover, "no hover")
  step("hover")

  -- Completion at the start of a key under spec.
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if l == "  selector:" then
      vim.api.nvim_win_set_cursor(0, { i, 2 })
    end
  end
  local cparams = vim.lsp.util.make_position_params()
  cparams.context = { triggerKind = 1 }
  responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", cparams, 10000)
  result.completion = {}
  for _, r in pairs(responses or {}) do
    for _, item in ipairs((r.result and (r.result.items or r.result)) or {}) do
      table.insert(result.completion, item.label)
    end
  end
  check(#result.completion > 0, "no completion")
  step("completion")

  -- The quick fix for the diagnostic.
  local params = vim.lsp.util.make_range_params()
  params.range = {
    start = { line = target.lnum, character = target.col },
    ["end"] = { line = target.end_lnum, character = target.end_col },
  }
  params.context = { diagnostics = { { range = params.range, code = cfg.fix_code, message = target.message, severity = target.severity } }, only = { "quickfix" } }
  responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000)
  local action
  for _, r in pairs(responses or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.isPreferred then
        action = a
      end
    end
  end
  check(action and action.edit, "no preferred quick fix")
  result.fix = action.title
  vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
  wait(20000, function()
    return #vim.diagnostic.get(bufnr) == 0
  end, "the diagnostics to clear after the fix")
  step("quick fix")

  -- Apply the resource under the cursor.
  vim.api.nvim_win_set_cursor(0, { cfg.apply_line + 1, 0 })
  vim.cmd("KubeApply")
  wait(30000, function()
    for _, n in ipairs(result.notes) do
      if n:find("configmap/nvim%-settings created") then
        return true
      end
    end
    return false
  end, "the apply result")
  step("apply")

  -- Change it in the buffer and diff.
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for i, l in ipairs(lines) do
    if l:find("mode: fast") then
      vim.api.nvim_buf_set_lines(bufnr, i - 1, i, false, { (l:gsub("fast", "safe")) })
    end
  end
  vim.api.nvim_win_set_cursor(0, { cfg.apply_line + 1, 0 })
  vim.cmd("KubeDiff")
  wait(30000, function()
    return kl.last_diff ~= nil
  end, "the diff")
  local live = table.concat(vim.api.nvim_buf_get_lines(kl.last_diff.live, 0, -1, false), "\n")
  local merged = table.concat(vim.api.nvim_buf_get_lines(kl.last_diff.merged, 0, -1, false), "\n")
  result.diff = { live_has_fast = live:find("mode: fast") ~= nil, merged_has_safe = merged:find("mode: safe") ~= nil, windows = 0 }
  local cols = {}
  for _, w in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.api.nvim_win_get_option(w, "diff") then
      result.diff.windows = result.diff.windows + 1
      cols[vim.api.nvim_win_get_buf(w)] = vim.api.nvim_win_get_position(w)[2]
    end
  end
  local live_col, merged_col = cols[kl.last_diff.live], cols[kl.last_diff.merged]
  result.diff.live_left = live_col ~= nil and merged_col ~= nil and live_col < merged_col
  step("diff")

  -- A kubectl plugin on the resource under the cursor: its output opens in a split.
  vim.cmd("tabnext 1")
  vim.api.nvim_set_current_buf(bufnr)
  vim.api.nvim_win_set_cursor(0, { cfg.apply_line + 1, 0 })
  local before = vim.api.nvim_get_current_buf()
  vim.cmd("KubePlugin hello")
  wait(20000, function()
    return vim.api.nvim_get_current_buf() ~= before
  end, "the plugin's output")
  result.plugin = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  step("plugin")

  -- The live object a reference names (the ConfigMap applied above), read-only.
  vim.cmd("tabnext 1")
  vim.api.nvim_set_current_buf(bufnr)
  vim.api.nvim_win_set_cursor(0, { cfg.get_line + 1, cfg.get_col })
  before = vim.api.nvim_get_current_buf()
  vim.cmd("KubeGet")
  wait(20000, function()
    return vim.api.nvim_get_current_buf() ~= before
  end, "the live object")
  result.get = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  step("get")

  -- Another context: the status follows, and so does :KubeExplain.
  vim.cmd("tabnext 1")
  vim.api.nvim_set_current_buf(bufnr)
  vim.cmd("KubeContext " .. cfg.context)
  wait(20000, function()
    return kl.status ~= nil and kl.status.context == cfg.context
  end, "the status of context " .. cfg.context)
  result.context_statusline = kl.statusline()
  step("context")

  vim.cmd("KubeExplain configmap.data")
  result.explain = table.concat(vim.api.nvim_buf_get_lines(0, 0, 3, false), "\n")
  step("explain")
  finish(true)
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true,
  callback = function()
    local ok, err = xpcall(main, debug.traceback)
    if not ok then
      finish(false, err)
    end
  end,
})
