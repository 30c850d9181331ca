-- kubectl-lsp: nothing happens until require('kubectl_lsp').setup{} is called (see
-- :help kubectl-lsp), unless vim.g.kubectl_lsp_setup is set to a table of options.
if vim.g.loaded_kubectl_lsp then
  return
end
vim.g.loaded_kubectl_lsp = 1
if type(vim.g.kubectl_lsp_setup) == "table" then
  require("kubectl_lsp").setup(vim.g.kubectl_lsp_setup)
end
