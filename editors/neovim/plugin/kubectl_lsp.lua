-- kubectl-lsp: nothing happens until require('kubectl_lsp').setup{} is called (see
-- :help kubectl-lsp), unless vim.g.kubectl_lsp_setup is set to a table of options.
if vim.g.loaded_kubectl_lsp then
  return
end
vim.g.loaded_kubectl_lsp = 1

-- :help kubectl-lsp needs the doc folder's tags file, which plugin managers make but a
-- by-hand install (runtimepath:append) does not: make it when it is missing or older than
-- the help, if the folder is writable (else :helptags by hand, see the README).
local function helptags()
  local source = debug.getinfo(1, "S").source
  if source:sub(1, 1) ~= "@" then
    return
  end
  local doc = vim.fn.fnamemodify(source:sub(2), ":p:h:h") .. "/doc"
  local tags, help = doc .. "/tags", doc .. "/kubectl-lsp.txt"
  if vim.fn.filereadable(help) == 1 and vim.fn.getftime(tags) < vim.fn.getftime(help) and vim.fn.filewritable(doc) == 2 then
    pcall(vim.cmd, "silent! helptags " .. vim.fn.fnameescape(doc))
  end
end
helptags()

if type(vim.g.kubectl_lsp_setup) == "table" then
  require("kubectl_lsp").setup(vim.g.kubectl_lsp_setup)
end
