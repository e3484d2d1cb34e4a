-- GET /api/users/{random id}/posts: user lookup, COUNT(*) and a page of posts.
-- A different random sequence in each wrk thread.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(os.time() * 1000 + (seed or 0)) end
request = function()
  return wrk.format("GET", "/api/users/" .. math.random(1, 1000) .. "/posts")
end
