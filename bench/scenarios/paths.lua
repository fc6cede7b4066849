-- Cycles through the request paths in a file, one per line (bench/run.sh writes one per
-- scenario: filtered list pages, typo searches, suggest prefixes), so no single URL is repeated
-- often enough for a cache of recent answers to carry the figure. A line may add a session
-- after a tab ("/api/v1/me<TAB>token"): that request carries it as the fff_session cookie, which
-- is how the signed-in scenarios spread their requests over many sessions.
--   wrk -s bench/scenarios/paths.lua http://127.0.0.1:PORT -- /tmp/search_typo.paths
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local next_request

function init(args)
  local file = args[1]
  if not file then
    error("paths.lua needs a file of request paths as its argument")
  end
  local requests = {}
  for line in io.lines(file) do
    if line ~= "" then
      local path, session = line:match("^([^\t]+)\t(.+)$")
      if path then
        table.insert(requests, wrk.format(nil, path, { Cookie = "fff_session=" .. session }))
      else
        table.insert(requests, wrk.format(nil, line))
      end
    end
  end
  next_request = cycle(requests)
end

function request()
  return next_request()
end
