-- Add to cart: POST /api/v1/carts/{id}/lines {"sku": …, "quantity": 1} over prepared carts
-- (cart_prep.lua), each request another cart and another in-stock SKU, so lines are created
-- (not only incremented) and no cart nears its bounds.
--   wrk -s bench/scenarios/add_to_cart.lua http://127.0.0.1:PORT -- carts.txt skus.txt
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local carts, skus, n = {}, {}, 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(carts, line) end
  end
  for line in io.lines(args[2]) do
    if line ~= "" then table.insert(skus, line) end
  end
  if #carts == 0 or #skus == 0 then error("add_to_cart.lua: no carts or no SKUs") end
  n = ((thread_index or 1) - 1) * 7919
end

function request()
  n = n + 1
  local body = string.format('{"sku":"%s","quantity":1}', skus[(n * 31) % #skus + 1])
  return wrk.format("POST", "/api/v1/carts/" .. carts[n % #carts + 1] .. "/lines",
    { ["Content-Type"] = "application/json" }, body)
end
