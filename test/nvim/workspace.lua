-- Drives a real Neovim (0.7+) with its stock LSP client (no snippets) through editing a
-- workspace folder, the way a user does: the client is started with the folder as
-- root_dir and attached to every YAML buffer on FileType (as the plugin and lspconfig
-- do). Then:
--   1. in "complete_file", <C-x><C-o> (omnifunc vim.lsp.omnifunc) on a blank line under
--      spec: records the items of the popup menu, accepts "strategy:" and writes the file;
--      then vim.lsp.buf.rename() on the Deployment's name at "name" records the default
--      the prompt (vim.ui.input) offers;
--   2. in "deploy", vim.lsp.buf.definition() on a ConfigMap's name jumps to the file that
--      defines it, which the server has not seen open;
--   3. back in "deploy", vim.lsp.buf.rename("app-settings") renames the ConfigMap in the
--      open files and in "job", which Neovim has not opened; :wall writes them.
-- lsp/nvim_test.go (TestNeovimWorkspace) checks the files and what is recorded here.
-- Exits with :qall! when the script ran to the end, :cquit when it failed.
--
-- KUBECTL_LSP_NVIM_CONFIG names a JSON file:
--   {"bin", "root", "log", "result", "complete_file", "complete": [line, bytecol], "name",
--    "deploy", "ref": [line, bytecol], "config", "job", "new_name"}   (positions 0-based)

local cfg = {}
local result = { steps = {}, notes = {} }
local client_id = nil
local lib = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/lib.lua")
local run = lib.new(result, function()
  return cfg.result
end, function()
  lib.stop_gracefully(client_id)
end)
local step, check, finish = run.step, run.check, run.finish
local function wait(ms, cond, what)
  run.wait(ms, cond, what, 10)
end

-- buffer_text is a buffer's text as it would be written, but with a NUL byte (a newline
-- inserted by completion becomes one) shown as "^@".
local function buffer_text(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for i, l in ipairs(lines) do
    lines[i] = (l:gsub("%z", "^@"))
  end
  return table.concat(lines, "\n") .. "\n"
end

-- start starts the client and attaches it to the YAML buffers, those open now and those to
-- come.
local function start()
  client_id = vim.lsp.start_client({
    name = "kubectl-lsp",
    cmd = { cfg.bin, "serve", "--stdio", "--log-file", cfg.log, "--log-level", "debug" },
    root_dir = cfg.root,
    init_options = { debounceMs = 0 },
  })
  check(client_id, "vim.lsp.start_client returned nil (is the binary there?)")
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "yaml",
    callback = function(args)
      vim.lsp.buf_attach_client(args.buf, client_id)
      vim.bo[args.buf].omnifunc = "v:lua.vim.lsp.omnifunc"
    end,
  })
  wait(20000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c and c.initialized
  end, "the server to initialize")
  step("initialized")
end

-- complete asks for completion with <C-x><C-o> at cfg.complete, then accepts "strategy:"
-- from the popup menu. Typed keys run only when this script gives control back, so they go
-- through feedkeys in "x!" mode (run them now, stay in Insert mode) and a timer handles
-- the popup menu once the server's answer has filled it, then leaves Insert mode.
local function complete()
  vim.cmd("edit " .. vim.fn.fnameescape(cfg.complete_file))
  local bufnr = vim.api.nvim_get_current_buf()
  wait(10000, function()
    return vim.lsp.buf_is_attached(bufnr, client_id)
  end, "the client to attach to " .. cfg.complete_file)
  vim.api.nvim_win_set_cursor(0, { cfg.complete[1] + 1, cfg.complete[2] })
  result.completion = { words = {}, labels = {} }
  local deadline = vim.loop.now() + 15000
  local esc = vim.api.nvim_replace_termcodes("<Esc>", true, false, true)
  local timer
  timer = vim.fn.timer_start(20, function()
    if vim.fn.pumvisible() == 0 then
      if vim.loop.now() > deadline then
        vim.fn.timer_stop(timer)
        result.completion.error = "no popup menu"
        vim.api.nvim_feedkeys(esc, "n", false)
      end
      return
    end
    vim.fn.timer_stop(timer)
    local info = vim.fn.complete_info({ "items" })
    local pick = nil
    for i, item in ipairs(info.items) do
      table.insert(result.completion.words, item.word)
      table.insert(result.completion.labels, item.abbr)
      if item.word == "strategy:" then
        pick = i - 1
      end
    end
    if pick then
      vim.api.nvim_select_popupmenu_item(pick, true, true, {})
    end
    vim.api.nvim_feedkeys(esc, "n", false)
  end, { ["repeat"] = -1 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("A<C-x><C-o>", true, false, true), "x!", false)
  check(vim.fn.mode() == "n", "still in mode " .. vim.fn.mode() .. " after completion")
  check(not result.completion.error, "completion: " .. tostring(result.completion.error))
  vim.cmd("pclose")
  result.completion.text = buffer_text(bufnr)
  vim.cmd("write")
  step("completion")
end

-- rename_prompt starts an interactive rename (no new name) on the last part of the
-- Deployment's name at cfg.name and records what the prompt offers to edit, then cancels.
local function rename_prompt()
  vim.api.nvim_win_set_cursor(0, { cfg.name[1] + 1, cfg.name[2] })
  local input = vim.ui.input
  vim.ui.input = function(opts, on_confirm)
    result.rename_default = opts.default or vim.NIL
    on_confirm(nil)
  end
  vim.lsp.buf.rename()
  wait(10000, function()
    return result.rename_default ~= nil
  end, "the rename prompt")
  vim.ui.input = input
  step("rename prompt")
end

-- definition jumps from the reference at cfg.ref in cfg.deploy to its definition.
local function definition()
  vim.cmd("edit " .. vim.fn.fnameescape(cfg.deploy))
  local bufnr = vim.api.nvim_get_current_buf()
  wait(10000, function()
    return vim.lsp.buf_is_attached(bufnr, client_id)
  end, "the client to attach to " .. cfg.deploy)
  vim.api.nvim_win_set_cursor(0, { cfg.ref[1] + 1, cfg.ref[2] })
  -- The server indexes the workspace in the background after initialize: ask until it
  -- knows the definition, then go there as a user does.
  local params = vim.lsp.util.make_position_params()
  wait(20000, function()
    local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/definition", params, 5000) or {}
    for _, r in pairs(responses) do
      if r.result and not vim.tbl_isempty(r.result) then
        return true
      end
    end
    return false
  end, "a definition from the workspace index")
  step("indexed")
  result.config_loaded_before = vim.fn.bufloaded(cfg.config) == 1
  vim.lsp.buf.definition()
  wait(10000, function()
    return vim.api.nvim_buf_get_name(0) == cfg.config
  end, "the jump to " .. cfg.config)
  local cursor = vim.api.nvim_win_get_cursor(0)
  result.definition = {
    file = vim.api.nvim_buf_get_name(0),
    line = cursor[1] - 1,
    col = cursor[2],
    text = vim.api.nvim_get_current_line(),
  }
  step("definition")
end

-- rename renames the ConfigMap from the reference at cfg.ref and writes every buffer.
local function rename()
  vim.cmd("edit " .. vim.fn.fnameescape(cfg.deploy))
  local deploy = vim.api.nvim_get_current_buf()
  local config = vim.fn.bufnr(cfg.config)
  wait(10000, function()
    return vim.lsp.buf_is_attached(config, client_id)
  end, "the client to attach to " .. cfg.config)
  vim.api.nvim_win_set_cursor(0, { cfg.ref[1] + 1, cfg.ref[2] })
  local job_loaded_before = vim.fn.bufloaded(cfg.job) == 1
  vim.lsp.buf.rename(cfg.new_name)
  local function renamed(name)
    local b = vim.fn.bufnr(name)
    return b ~= -1 and vim.api.nvim_buf_is_loaded(b) and buffer_text(b):find(cfg.new_name, 1, true) ~= nil
  end
  wait(10000, function()
    return renamed(cfg.deploy) and renamed(cfg.config) and renamed(cfg.job)
  end, "the rename in the three files")
  result.rename = {
    deploy = buffer_text(deploy),
    config = buffer_text(config),
    job = buffer_text(vim.fn.bufnr(cfg.job)),
    job_loaded_before = job_loaded_before,
  }
  vim.cmd("wall")
  step("rename")
end

local function main()
  cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv("KUBECTL_LSP_NVIM_CONFIG")), "\n"))
  result.nvim_version = tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch
  vim.lsp.set_log_level("debug")
  vim.notify = function(msg)
    table.insert(result.notes, msg)
  end
  start()
  complete()
  rename_prompt()
  definition()
  rename()
  finish(true, nil)
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true,
  callback = function()
    vim.defer_fn(function()
      finish(false, "workspace.lua timed out after 90s")
    end, 90000)
    local ok, err = xpcall(main, debug.traceback)
    if not ok then
      finish(false, err)
    end
  end,
})
