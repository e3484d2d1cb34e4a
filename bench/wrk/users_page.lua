-- GET /api/users?page={random 1..50}: COUNT(*) plus a 20-row LIMIT/OFFSET select.
-- A different random sequence in each wrk thread.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(os.time() * 1000 + (seed or 0)) end
request = function()
  return wrk.format("GET", "/api/users?page=" .. math.random(1, 50))
end
