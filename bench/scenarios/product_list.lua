-- Product list pages: every page 1..N for several page sizes, so the server cannot answer one
-- cached URL. Argument: the number of products (the list API's `total`).
--   wrk -s bench/scenarios/product_list.lua http://127.0.0.1:PORT -- 240
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local next_request

function init(args)
  local total = tonumber(args[1] or "")
  if not total or total < 1 then
    error("product_list.lua needs the product total as its argument")
  end
  local paths = {}
  for _, per_page in ipairs({5, 10, 12, 20, 24, 36, 48, 50, 100}) do
    for page = 1, math.ceil(total / per_page) do
      table.insert(paths, string.format("/api/v1/products?page=%d&per_page=%d", page, per_page))
    end
  end
  next_request = cycle(paths)
end

function request()
  return next_request()
end
