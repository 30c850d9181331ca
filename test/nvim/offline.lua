-- Drives a real headless Neovim (0.7+) with the kubectl-lsp plugin installed by hand (a
-- copy of editors/neovim on the runtimepath, no tags file) and no cluster: the plugin
-- makes its help tags, setup{} without settings starts the server without a warning,
-- attached buffers get omnifunc and code lenses (refreshed after new diagnostics), and
-- the statusline names the embedded release. Writes what it saw to a JSON file for
-- lsp/nvim_plugin_test.go; exits with :qall! when the script ran to the end, :cquit when
-- it failed.
--
-- KUBECTL_LSP_NVIM_CONFIG names a JSON file:
--   {"bin", "plugin" (the copy of editors/neovim), "fixture", "result", "cache_dir"}

local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv("KUBECTL_LSP_NVIM_CONFIG")), "\n"))
local result = { steps = {}, notes = {} }
local lib = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/lib.lua")
local run = lib.new(result, function()
  return cfg.result
end, lib.stop_all)
local step, check, wait, finish = run.step, run.check, run.wait, run.finish

-- Before the plugins load (this file is the -u init): plugin/kubectl_lsp.lua runs as it
-- would for a user, and every message is kept.
vim.opt.runtimepath:prepend(cfg.plugin)
vim.notify = function(msg)
  table.insert(result.notes, msg)
end

local function lens_titles(bufnr)
  local titles = {}
  for _, l in ipairs(vim.lsp.codelens.get(bufnr) or {}) do
    table.insert(titles, l.command and l.command.title or "?")
  end
  return titles
end

local function main()
  result.nvim_version = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch
  result.tags = vim.fn.filereadable(cfg.plugin .. "/doc/tags") == 1
  local ok, err = pcall(vim.cmd, "help kubectl-lsp")
  result.help = ok and vim.fn.expand("%:t") or tostring(err)
  if ok then
    vim.cmd("helpclose")
  end
  step("help")

  local kl = require("kubectl_lsp")
  kl.setup({
    cmd = { cfg.bin, "serve", "--stdio", "--cache-dir", cfg.cache_dir },
    -- What nvim-cmp users pass: Neovim's capabilities and a few more.
    capabilities = { textDocument = { completion = { completionItem = { snippetSupport = true } } } },
  })
  step("setup")

  vim.cmd("edit " .. vim.fn.fnameescape(cfg.fixture))
  local bufnr = vim.api.nvim_get_current_buf()
  wait(20000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, "diagnostics")
  step("diagnostics")
  wait(20000, function()
    return kl.status ~= nil
  end, "a status")
  result.status = kl.status
  result.statusline = kl.statusline()
  step("status")
  result.omnifunc = vim.bo[bufnr].omnifunc
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == "kubectl-lsp" then
      local caps = c.config.capabilities or {}
      local item = ((caps.textDocument or {}).completion or {}).completionItem or {}
      result.snippets = item.snippetSupport == true
      result.lens_refresh = ((caps.workspace or {}).codeLens or {}).refreshSupport == true
    end
  end
  step("client")

  -- The lenses come without a command: the plugin asks for them.
  wait(20000, function()
    return #lens_titles(bufnr) > 0
  end, "code lenses")
  result.lenses = lens_titles(bufnr)
  step("lenses")
  -- A new resource: the diagnostics that follow bring its lens.
  vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, { "---", "apiVersion: v1", "kind: Secret", "metadata:", "  name: added" })
  wait(20000, function()
    return #lens_titles(bufnr) > #result.lenses
  end, "the lens of the added resource")
  result.lenses_after_edit = lens_titles(bufnr)
  step("lenses after an edit")
  -- Running the lens on the first line: it only names the resource, and says so.
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.codelens.run()
  wait(5000, function()
    return #result.notes > 0
  end, "what running a lens says")
  result.lens_run = table.remove(result.notes)
  step("lens run")

  -- A request after everything: any warning the settings caused has arrived by now.
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", vim.lsp.util.make_position_params(), 10000)
  check(responses, "no answer to a hover: the server is stuck")
  step("round trip")
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
