-- POST /auth/login as user{random}@example.com / password123: one scrypt
-- verification (N=32768, r=8, p=1) per request, then two token signatures.
-- A different random sequence in each wrk thread.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(os.time() * 1000 + (seed or 0)) end
local headers = { ["Content-Type"] = "application/json" }
request = function()
  local body = '{"email":"user' .. math.random(1, 1000) .. '@example.com","password":"password123"}'
  return wrk.format("POST", "/auth/login", headers, body)
end
