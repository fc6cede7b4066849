-- Fills carts for the cart scenarios (not measured): starts a cart (POST /api/v1/carts), adds a
-- line of an in-stock SKU to it, and writes the id of each cart that holds a line to a file,
-- one per line. Works with any number of connections: what to do next is read from each
-- answer's body, not from which request it answered.
--   wrk -s bench/scenarios/cart_prep.lua http://127.0.0.1:PORT -- carts.txt skus.txt
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local out, skus, pending, n = nil, {}, {}, 0

function init(args)
  out = assert(io.open(args[1], "a"))
  for line in io.lines(args[2]) do
    if line ~= "" then table.insert(skus, line) end
  end
  if #skus == 0 then error("cart_prep.lua: no SKUs in " .. args[2]) end
  n = ((thread_index or 1) - 1) * 7919
end

local new_cart = wrk.format("POST", "/api/v1/carts", { ["Content-Type"] = "application/json" }, "{}")

function request()
  local cart = table.remove(pending)
  if cart then
    n = n + 1
    local body = string.format('{"sku":"%s","quantity":1}', skus[n % #skus + 1])
    return wrk.format("POST", "/api/v1/carts/" .. cart .. "/lines",
      { ["Content-Type"] = "application/json" }, body)
  end
  return new_cart
end

local count_response = response
function response(status, headers, body)
  count_response(status, headers, body)
  local id = body and body:match('^{"id":"([0-9a-f%-]+)"')
  if not id then return end
  if status == 201 then
    table.insert(pending, id)
  elseif status == 200 then
    out:write(id, "\n")
    out:flush()
  end
end
