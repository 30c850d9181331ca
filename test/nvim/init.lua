-- Drives a real Neovim (0.7+) as an LSP client of kubectl-lsp: opens a manifest, starts
-- the server, waits for its diagnostics, asks for hover and completion, applies a quick
-- fix and waits for the diagnostics after it, and writes what Neovim saw to a JSON file
-- for lsp/nvim_test.go to check. Exits with :qall! when the
-- script ran to the end, :cquit when it failed.
--
-- Run: timeout 120 nvim --headless -n -i NONE -u test/nvim/init.lua
-- with KUBECTL_LSP_NVIM_CONFIG naming a JSON file:
--   {"bin": ..., "fixture": ..., "result": ..., "log": ..., "root": ...,
--    "hover": [line, bytecol], "complete": [line, bytecol],   (0-based)
--    "fix_code": the code of the diagnostic to fix}

local config_path = os.getenv("KUBECTL_LSP_NVIM_CONFIG")
local cfg = {}
local result = { steps = {} }

local client_id = nil
local lib = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/lib.lua")
local run = lib.new(result, function()
  return cfg.result
end, function()
  result.stopped_gracefully = lib.stop_gracefully(client_id)
end)
local step, check, finish = run.step, run.check, run.finish

local function main()
  check(config_path, "KUBECTL_LSP_NVIM_CONFIG is not set")
  cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(config_path), "\n"))
  result.nvim_version = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch
  vim.lsp.set_log_level("debug")

  vim.cmd("edit " .. vim.fn.fnameescape(cfg.fixture))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  step("opened")

  local initialized = false
  local done = {}
  client_id = vim.lsp.start_client({
    name = "kubectl-lsp",
    cmd = { cfg.bin, "serve", "--stdio", "--log-file", cfg.log, "--log-level", "debug" },
    root_dir = cfg.root,
    init_options = { diagnosticsDoneNotification = true, debounceMs = 0 },
    handlers = {
      ["kubectl-lsp/diagnosticsDone"] = function(_, params)
        done[params.version] = params
        result.done = params
      end,
    },
    on_init = function(client)
      initialized = true
      result.capabilities = client.server_capabilities or client.resolved_capabilities
    end,
    on_exit = function(code, signal)
      result.exit_code = code
      result.exit_signal = signal
    end,
  })
  check(client_id, "vim.lsp.start_client returned nil (is the binary there?)")
  check(vim.wait(20000, function()
    return initialized
  end, 10), "the server did not initialize")
  step("initialized")

  check(vim.lsp.buf_attach_client(bufnr, client_id), "buf_attach_client failed")
  check(vim.wait(20000, function()
    return result.done ~= nil
  end, 10), "no kubectl-lsp/diagnosticsDone")
  step("diagnostics")

  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      message = d.message,
      source = d.source,
      code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or nil,
    })
  end
  check(#result.diagnostics > 0, "no diagnostics in the buffer")

  -- Hover and completion at positions given as 0-based line and byte column: the cursor
  -- goes there and Neovim makes the LSP (UTF-16) position itself.
  local function request_at(method, pos, extra)
    vim.api.nvim_win_set_cursor(0, { pos[1] + 1, pos[2] })
    local params = vim.lsp.util.make_position_params()
    for k, v in pairs(extra or {}) do
      params[k] = v
    end
    local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
    if err then
      return nil, err
    end
    for _, r in pairs(responses or {}) do
      if r.error then
        return nil, r.error.message
      end
      return r.result, nil
    end
    return nil, nil
  end

  local hover, herr = request_at("textDocument/hover", cfg.hover)
  result.hover = hover
  result.hover_error = herr
  step("hover")

  local completion, cerr = request_at("textDocument/completion", cfg.complete, { context = { triggerKind = 1 } })
  result.completion_error = cerr
  if completion then
    local items = completion.items or completion
    result.completion = { count = #items, labels = {}, first = items[1] }
    for i = 1, math.min(#items, 50) do
      table.insert(result.completion.labels, items[i].label)
    end
  end
  step("completion")

  -- A quick fix: the code actions at the "type" diagnostic, asked for the way
  -- vim.lsp.buf.code_action does (the diagnostic's range, converted to the server's
  -- encoding, and the diagnostic in the context), the preferred one applied with
  -- vim.lsp.util.apply_workspace_edit (0.7: edit, offset_encoding), then the diagnostics of
  -- the new version.
  local client = vim.lsp.get_client_by_id(client_id)
  local encoding = client.offset_encoding or "utf-16"
  local target = nil
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == cfg.fix_code then
      target = d
    end
  end
  check(target, "no " .. tostring(cfg.fix_code) .. " diagnostic to fix")
  local range = {
    start = { line = target.lnum, character = vim.lsp.util.character_offset(bufnr, target.lnum, target.col, encoding) },
    ["end"] = { line = target.end_lnum, character = vim.lsp.util.character_offset(bufnr, target.end_lnum, target.end_col, encoding) },
  }
  local sent = {
    range = range,
    severity = target.severity,
    code = cfg.fix_code,
    source = target.source,
    message = target.message,
  }
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = range,
    context = { diagnostics = { sent } },
  }
  result.fix = { sent_range = range, titles = {} }
  local responses, rerr = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000)
  check(not rerr, "codeAction: " .. tostring(rerr))
  local action = nil
  for _, r in pairs(responses or {}) do
    check(not r.error, "codeAction: " .. vim.inspect(r.error))
    for _, a in ipairs(r.result or {}) do
      table.insert(result.fix.titles, a.title)
      if a.isPreferred and a.diagnostics and a.diagnostics[1] and a.diagnostics[1].code == cfg.fix_code then
        action = a
      end
    end
  end
  check(action, "no preferred quick fix for the " .. cfg.fix_code .. " diagnostic: " .. vim.inspect(result.fix.titles))
  result.fix.title = action.title
  result.fix.kind = action.kind
  result.fix.diagnostic_range = action.diagnostics[1].range
  check(action.edit, "the action has no edit")
  local before = result.done.version
  vim.lsp.util.apply_workspace_edit(action.edit, encoding)
  result.fix.line = vim.api.nvim_buf_get_lines(bufnr, target.lnum, target.lnum + 1, false)[1]
  step("code action applied")
  check(vim.wait(20000, function()
    return result.done.version > before
  end, 10), "no diagnostics after the fix")
  result.fixed_diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.fixed_diagnostics, {
      lnum = d.lnum,
      col = d.col,
      message = d.message,
      code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or nil,
    })
  end
  step("diagnostics after the fix")
  finish(true, nil)
end

-- Work starts once startup is over: nested = true so that :edit runs the filetype
-- autocommands.
vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true,
  callback = function()
    -- An outer timeout inside Neovim too, besides the one around the process.
    vim.defer_fn(function()
      finish(false, "init.lua timed out after 90s")
    end, 90000)
    local ok, err = xpcall(main, debug.traceback)
    if not ok then
      finish(false, err)
    end
  end,
})
