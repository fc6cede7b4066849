-- Cycles through the request paths in a file, one per line (bench/run.sh writes one per
-- scenario: filtered list pages, typo searches, suggest prefixes), so no single URL is repeated
-- often enough for a cache of recent answers to carry the figure.
--   wrk -s bench/scenarios/paths.lua http://127.0.0.1:PORT -- /tmp/search_typo.paths
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local next_request

function init(args)
  local file = args[1]
  if not file then
    error("paths.lua needs a file of request paths as its argument")
  end
  local paths = {}
  for line in io.lines(file) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  next_request = cycle(paths)
end

function request()
  return next_request()
end
