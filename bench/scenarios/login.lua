-- Signs in again and again, cycling through the accounts in a file of "email<TAB>password" lines
-- (bench/run.sh creates them). Argon2id makes each sign-in cost tens of milliseconds of CPU and
-- 64 MiB by design, so this measures how many sign-ins per second the machine affords.
--   wrk -s bench/scenarios/login.lua http://127.0.0.1:PORT/api/v1/auth/login -- accounts.tsv
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local next_request

function init(args)
  local requests = {}
  for line in io.lines(args[1]) do
    local email, password = line:match("^([^\t]+)\t(.+)$")
    if email then
      local body = string.format('{"email":"%s","password":"%s"}', email, password)
      table.insert(requests, wrk.format("POST", nil,
        { ["Content-Type"] = "application/json" }, body))
    end
  end
  next_request = cycle(requests)
end

function request()
  return next_request()
end
