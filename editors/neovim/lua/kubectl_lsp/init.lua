-- kubectl-lsp for Neovim: starts `kubectl-lsp serve --stdio` for YAML manifests and adds
-- commands to apply, diff and delete the resource under the cursor against the cluster of
-- a kubeconfig context. A thin client: validation, hover, completion and the cluster work
-- are the server's. Works with Neovim 0.7 (vim.lsp.start_client) and 0.8+ (vim.lsp.start):
-- APIs newer than 0.7 are used only when present.

local M = {}

local defaults = {
  -- The server command; `kubectl-lsp` on PATH by default.
  cmd = { "kubectl-lsp", "serve", "--stdio" },
  -- Settings sent to the server (initializationOptions and didChangeConfiguration):
  -- context, kubeconfig, schemaSource, kubernetesVersion, crdPaths, dryRun, ...
  -- skipConfirmationContexts ({ { context = "kind-dev", server = "https://127.0.0.1:6443" } })
  -- goes in the initializationOptions only.
  settings = {},
  -- File types to attach to.
  filetypes = { "yaml" },
  -- Asks before apply and delete: function(message, choices) returning the chosen label
  -- or nil. The default uses vim.fn.confirm.
  confirm = nil,
  -- Called with each kubectl-lsp/status notification (for a statusline).
  on_status = nil,
  -- Client capabilities merged over Neovim's own, e.g. nvim-cmp's
  -- require('cmp_nvim_lsp').default_capabilities().
  capabilities = nil,
  -- Called as on_attach(client, bufnr) after the plugin's own attach work.
  on_attach = nil,
  -- Shows the server's code lenses (resource names; with a cluster, drift, Apply, Diff,
  -- Dry-run, Delete), refreshed on attach, BufEnter, InsertLeave and new diagnostics.
  codelens = true,
}

M.config = vim.deepcopy(defaults)
M.status = nil
M.context = nil -- the context chosen with :KubeContext (nil: the settings' one)
local clients = {} -- root_dir → client id

-- The running clients: vim.lsp.get_clients (0.10+) or get_active_clients (0.7-0.9).
local function clients_list()
  return (vim.lsp.get_clients or vim.lsp.get_active_clients)()
end

local function notify(msg, level)
  vim.notify("kubectl-lsp: " .. msg, level or vim.log.levels.INFO)
end

-- Refreshes the code lenses of bufnr when it is the current buffer (Neovim 0.7 refreshes
-- only that one; BufEnter catches the others).
local function refresh_lenses(bufnr)
  if not M.config.codelens or not vim.lsp.codelens or bufnr ~= vim.api.nvim_get_current_buf() then
    return
  end
  for _, c in pairs(clients_list()) do
    if c.name == "kubectl-lsp" and vim.lsp.buf_is_attached(bufnr, c.id) then
      pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
      return
    end
  end
end

local function confirm(message, choices)
  if M.config.confirm then
    return M.config.confirm(message, choices)
  end
  local buttons = {}
  for _, c in ipairs(choices) do
    table.insert(buttons, "&" .. c)
  end
  local i = vim.fn.confirm(message, table.concat(buttons, "\n"), #choices)
  return choices[i]
end

-- The server's requests and notifications the plugin handles.
local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }

local handlers = {
  -- New diagnostics follow an edit or new schemas: the lenses may have changed too.
  ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
    local default = vim.lsp.handlers["textDocument/publishDiagnostics"]
    local out = default(err, result, ctx, config)
    local bufnr = vim.api.nvim_get_current_buf()
    if result and result.uri == vim.uri_from_bufnr(bufnr) then
      refresh_lenses(bufnr)
    end
    return out
  end,
  -- The server asks for lenses again (drift checked): Neovim 0.7 has no handler.
  ["workspace/codeLens/refresh"] = function()
    refresh_lenses(vim.api.nvim_get_current_buf())
    return vim.NIL
  end,
  -- Messages go through vim.notify (so notification plugins show them).
  ["window/showMessage"] = function(_, params)
    vim.notify(params.message, levels[params.type] or vim.log.levels.INFO)
  end,
  ["kubectl-lsp/status"] = function(_, params)
    M.status = params
    if M.config.on_status then
      M.config.on_status(params)
    end
  end,
  -- Documents the server opens (a diff, a plugin's output, a live object): Neovim 0.7
  -- has no handler. The file opens in a split, or its window gets the focus.
  ["window/showDocument"] = function(_, params)
    local fname = vim.uri_to_fname(params.uri)
    local win = vim.fn.bufwinid(fname)
    if win ~= -1 then
      vim.api.nvim_set_current_win(win)
    else
      vim.cmd("split " .. vim.fn.fnameescape(fname))
    end
    return { success = true }
  end,
  ["window/showMessageRequest"] = function(_, params)
    local titles = {}
    for _, a in ipairs(params.actions or {}) do
      table.insert(titles, a.title)
    end
    local choice = confirm(params.message, titles)
    if not choice then
      return vim.NIL
    end
    return { title = choice }
  end,
}

local function root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local found = vim.fn.finddir(".git", vim.fn.fnamemodify(name, ":p:h") .. ";")
  if found ~= "" then
    return vim.fn.fnamemodify(found, ":p:h:h")
  end
  return vim.fn.getcwd()
end

-- as_object makes empty tables that stand for JSON objects encode as {} rather than []
-- (the settings, and their maps).
local function as_object(s)
  for _, key in ipairs({ "validation", "plugins" }) do
    if type(s[key]) == "table" and next(s[key]) == nil then
      s[key] = vim.empty_dict()
    end
  end
  if next(s) == nil then
    return vim.empty_dict()
  end
  return s
end

--- The initializationOptions: setup()'s settings, a JSON object even when empty.
function M.init_options()
  return as_object(vim.deepcopy(M.config.settings or {}))
end

--- The settings sent with workspace/didChangeConfiguration: setup()'s, without
--- skipConfirmationContexts, which the server takes only from the initializationOptions
--- (setup{} is the user's own configuration; the server ignores a pushed value).
function M.pushed_settings()
  local s = vim.deepcopy(M.config.settings or {})
  s.skipConfirmationContexts = nil
  return as_object(s)
end

--- The client capabilities: Neovim's, setup{capabilities=...} over them, and the code
--- lens refresh and showDocument the plugin handles.
function M.capabilities()
  local caps = vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), M.config.capabilities or {})
  caps.window = caps.window or {}
  caps.window.showDocument = { support = true }
  if M.config.codelens then
    caps.workspace = caps.workspace or {}
    caps.workspace.codeLens = vim.tbl_extend("force", caps.workspace.codeLens or {}, { refreshSupport = true })
  end
  return caps
end

-- Lens refreshes for an attached buffer, once.
local function watch_lenses(bufnr)
  local group = vim.api.nvim_create_augroup("kubectl_lsp_lenses_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      refresh_lenses(bufnr)
    end,
  })
  refresh_lenses(bufnr)
end

-- on_attach: completion with <C-x><C-o>, lenses, then the user's on_attach.
local function on_attach(client, bufnr)
  vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
  if M.config.codelens then
    watch_lenses(bufnr)
  end
  if M.config.on_attach then
    M.config.on_attach(client, bufnr)
  end
end

--- Starts (or reuses) the server for a buffer. Returns the client id, or nil.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.fn.executable(M.config.cmd[1]) ~= 1 then
    notify(M.config.cmd[1] .. " not found: install it (make install, or go install ./cmd/kubectl-lsp) or set cmd in setup()", vim.log.levels.ERROR)
    return nil
  end
  local root = root_dir(bufnr)
  local config = {
    name = "kubectl-lsp",
    cmd = M.config.cmd,
    root_dir = root,
    init_options = M.init_options(),
    settings = { ["kubectl-lsp"] = M.pushed_settings() },
    capabilities = M.capabilities(),
    handlers = handlers,
    on_attach = on_attach,
  }
  local id
  if vim.lsp.start then
    id = vim.lsp.start(config, { bufnr = bufnr })
  else
    id = clients[root]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client(config)
      clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  return id
end

local function client_for(bufnr)
  for _, c in pairs(clients_list()) do
    if c.name == "kubectl-lsp" and vim.lsp.buf_is_attached(bufnr, c.id) then
      return c
    end
  end
  notify("not attached to this buffer (is it a YAML manifest?)", vim.log.levels.WARN)
  return nil
end

local function cursor_position()
  local pos = vim.api.nvim_win_get_cursor(0)
  local line = vim.api.nvim_buf_get_lines(0, pos[1] - 1, pos[1], false)[1] or ""
  local _, col16 = vim.str_utfindex(line, pos[2])
  return { line = pos[1] - 1, character = col16 }
end

-- Runs a server command on the resource under the cursor (or the whole file with
-- whole = true), its arguments after `first` ones; callback gets the result.
local function execute(command, whole, callback, first)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return
  end
  local args = vim.deepcopy(first or {})
  table.insert(args, vim.uri_from_bufnr(bufnr))
  if not whole then
    table.insert(args, cursor_position())
  end
  client.request("workspace/executeCommand", { command = command, arguments = args }, function(err, result)
    if err then
      notify(err.message, vim.log.levels.ERROR)
      return
    end
    if callback then
      callback(result)
    end
  end, bufnr)
end

--- Applies the resource under the cursor (whole = true: the file), after confirmation.
function M.apply(whole)
  execute("kubectl-lsp.apply", whole)
end

--- Deletes the resource under the cursor (whole = true: the file), after confirmation.
function M.delete(whole)
  execute("kubectl-lsp.delete", whole)
end

--- Server-side dry-run of the resource under the cursor.
function M.dry_run(whole)
  execute("kubectl-lsp.dryRun", whole)
end

local function scratch(name, text, filetype)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, "\n", { plain = true }))
  vim.bo[buf].filetype = filetype or "yaml"
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = "wipe"
  return buf
end

--- Shows, side by side, the resource under the cursor in the cluster (left) and what
--- applying the buffer would make of it (right). whole = true: every object of the file.
function M.diff(whole)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  if not whole then
    params.position = cursor_position()
  end
  client.request("kubectl-lsp/diff", params, function(err, result)
    if err then
      notify(err.message, vim.log.levels.ERROR)
      return
    end
    local live, merged, changed = {}, {}, false
    for _, d in ipairs(result.diffs or {}) do
      table.insert(live, "# " .. d.name .. "\n" .. d.live)
      table.insert(merged, "# " .. d.name .. "\n" .. d.merged)
      changed = changed or d.changed
    end
    if not changed then
      notify("no differences with context " .. (result.context or "?"))
      return
    end
    local stamp = tostring(vim.loop.hrtime())
    vim.cmd("tabnew")
    local left = scratch("kubectl-lsp://live/" .. stamp, table.concat(live, "---\n"))
    vim.api.nvim_win_set_buf(0, left)
    vim.cmd("diffthis")
    -- The cluster on the left, the manifest on the right, whatever 'splitright' says.
    vim.cmd("rightbelow vsplit")
    local right = scratch("kubectl-lsp://merged/" .. stamp, table.concat(merged, "---\n"))
    vim.api.nvim_win_set_buf(0, right)
    vim.cmd("diffthis")
    M.last_diff = { live = left, merged = right, result = result }
  end, bufnr)
end

--- Switches the cluster (kubeconfig context); without a name, asks which.
function M.use_context(name)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return
  end
  local function use(n)
    client.request("workspace/executeCommand", { command = "kubectl-lsp.useContext", arguments = { n } }, function(err, st)
      if err then
        notify(err.message, vim.log.levels.ERROR)
        return
      end
      M.context = st.context or n
      notify("context " .. M.context)
    end, bufnr)
  end
  if name and name ~= "" then
    use(name)
    return
  end
  client.request("workspace/executeCommand", { command = "kubectl-lsp.listContexts", arguments = {} }, function(err, list)
    if err then
      notify(err.message, vim.log.levels.ERROR)
      return
    end
    vim.ui.select(list.contexts, { prompt = "Kubernetes context (now " .. (list.current or "none") .. ")" }, function(choice)
      if choice then
        use(choice)
      end
    end)
  end, bufnr)
end

--- Runs an installed kubectl plugin on the resource under the cursor; the server opens
--- its output (window/showDocument).
function M.plugin(name)
  execute("kubectl-lsp.runPlugin", false, nil, { name })
end

--- Opens, read-only, the object the reference under the cursor names as the cluster has
--- it (kubectl get -o yaml); the server opens it (window/showDocument).
function M.get()
  execute("kubectl-lsp.showLive", false)
end

--- Explains a resource or field (kubectl explain's text) in a scratch split, with the
--- schemas of the context in use: the server's (its status follows :KubeContext before
--- the command's reply does), else the one chosen with :KubeContext, else the settings'.
function M.explain(path)
  local cmd = { M.config.cmd[1], "explain", path }
  local s = M.config.settings or {}
  local st = M.status
  local context = (st and st.connected and st.context ~= "" and st.context) or M.context or s.context
  if context and context ~= "" then
    table.insert(cmd, "--context=" .. context)
  end
  if s.kubeconfig and s.kubeconfig ~= "" then
    table.insert(cmd, "--kubeconfig=" .. s.kubeconfig)
  end
  if s.schemaSource and s.schemaSource ~= "" then
    table.insert(cmd, "--schema-source=" .. s.schemaSource)
  end
  local out = vim.fn.system(cmd)
  if vim.v.shell_error ~= 0 then
    notify(vim.trim(out), vim.log.levels.ERROR)
    return
  end
  vim.cmd("new")
  vim.api.nvim_win_set_buf(0, scratch("kubectl-lsp://explain/" .. path, out, "text"))
end

--- A statusline component: context · version · source; without a cluster, the embedded
--- release ("no cluster · builtin 1.37").
function M.statusline()
  local st = M.status
  if not st then
    return ""
  end
  if not st.connected then
    -- The last of the schema chain ("crd → builtin 1.37") is the embedded release.
    local chain = vim.split(st.schemas or "", "→", { plain = true })
    local release = vim.trim(chain[#chain] or "")
    return "no cluster · " .. (release ~= "" and release or (st.source or "builtin"))
  end
  local s = (st.context or "?") .. " · " .. (st.serverVersion or "?") .. " · " .. (st.source or "?")
  if st.lastError and st.lastError ~= "" then
    s = s .. " !"
  end
  return s
end

local function create_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd("KubeApply", function(o) M.apply(o.bang) end, { bang = true, desc = "kubectl-lsp: apply the resource under the cursor (! the file)" })
  cmd("KubeDelete", function(o) M.delete(o.bang) end, { bang = true, desc = "kubectl-lsp: delete the resource under the cursor (! the file)" })
  cmd("KubeDryRun", function(o) M.dry_run(o.bang) end, { bang = true, desc = "kubectl-lsp: server-side dry-run" })
  cmd("KubeDiff", function(o) M.diff(o.bang) end, { bang = true, desc = "kubectl-lsp: live vs merged, side by side (! the file)" })
  cmd("KubeContext", function(o) M.use_context(o.args) end, { nargs = "?", desc = "kubectl-lsp: switch the kubeconfig context" })
  cmd("KubeExplain", function(o) M.explain(o.args) end, { nargs = 1, desc = "kubectl-lsp: explain a resource or field" })
  cmd("KubePlugin", function(o) M.plugin(o.args) end, { nargs = 1, desc = "kubectl-lsp: run a kubectl plugin on the resource" })
  cmd("KubeGet", function() M.get() end, { desc = "kubectl-lsp: the live object the reference under the cursor names" })
end

--- setup{cmd=..., settings={...}, filetypes={...}, confirm=function, on_status=function,
--- capabilities={...}, on_attach=function, codelens=true}
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  create_commands()
  -- The lens over a resource without a cluster only names it: running it says so
  -- (rather than Neovim's "does not support command").
  if vim.lsp.commands and not vim.lsp.commands["kubectl-lsp.showResource"] then
    vim.lsp.commands["kubectl-lsp.showResource"] = function(command)
      notify((command.title or "resource") .. ": no cluster in use, nothing to run (see :KubeContext)")
    end
  end
  local group = vim.api.nvim_create_augroup("kubectl_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
end

return M
