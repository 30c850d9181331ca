-- What the test/nvim scripts share: the steps they record, their checks and waits, and
-- how a run ends (the language server stopped, the result written, Neovim exited with
-- :qall! when the script ran to the end, :cquit when it failed). A script loads it with
--   local lib = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/lib.lua")
local M = {}

--- A run recording into result (which has a steps list). result_path returns the file
--- to write it to (nil: none); stop stops the language server before the exit.
function M.new(result, result_path, stop)
  local run = {}
  local finished = false

  function run.step(name)
    table.insert(result.steps, name)
  end

  function run.check(cond, msg)
    if not cond then
      error(msg, 2)
    end
  end

  function run.wait(ms, cond, what, interval)
    run.check(vim.wait(ms, cond, interval or 20), "timed out waiting for " .. what)
  end

  function run.finish(ok, err)
    if finished then
      return
    end
    finished = true
    result.ok, result.error = ok, err
    stop()
    local path = result_path()
    local f = path and io.open(path, "w")
    if f then
      f:write(vim.fn.json_encode(result))
      f:close()
    end
    vim.cmd(ok and "qall!" or "cquit 1")
  end

  return run
end

--- Stops every client at once.
function M.stop_all()
  for _, c in pairs(vim.lsp.get_active_clients()) do
    c.stop(true)
  end
end

--- Stops a client gracefully (shutdown, exit), then by force so that it is never left
--- running. It reports whether the graceful stop worked (nil: no such client).
function M.stop_gracefully(client_id)
  local client = client_id and vim.lsp.get_client_by_id(client_id)
  if not client then
    return nil
  end
  client.stop()
  local ok = vim.wait(5000, function()
    return client.is_stopped()
  end, 10)
  if not ok then
    client.stop(true)
  end
  return ok
end

return M
