-- POST /api/posts with a Bearer access token taken from $TOKEN: JWT check,
-- author lookup and one INSERT ... RETURNING.
-- A different random sequence in each wrk thread.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(os.time() * 1000 + (seed or 0)) end
local token = os.getenv("TOKEN") or error("TOKEN is not set")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}
request = function()
  local n = math.random(1, 1000000)
  local body = '{"title":"Benchmark post ' .. n .. '","content":"Written under load, number ' .. n .. '."}'
  return wrk.format("POST", "/api/posts", headers, body)
end
