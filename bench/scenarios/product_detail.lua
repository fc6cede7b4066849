-- Product detail by slug, over every product. Argument: a file with one slug per line
-- (bench/run.sh fetches them from the list API before the run).
--   wrk -s bench/scenarios/product_detail.lua http://127.0.0.1:PORT -- /tmp/slugs.txt
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local next_request

function init(args)
  local file = args[1]
  if not file then
    error("product_detail.lua needs a file of slugs as its argument")
  end
  local paths = {}
  for slug in io.lines(file) do
    if slug ~= "" then
      table.insert(paths, "/api/v1/products/" .. slug)
    end
  end
  next_request = cycle(paths)
end

function request()
  return next_request()
end
