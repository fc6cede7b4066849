-- Checkout: POST /api/v1/checkout for prepared carts (cart_prep.lua), each cart once (a second
-- checkout of a cart would be 409 cart_not_open and count as an error), as a guest paying cash
-- on delivery, with the cart id as the Idempotency-Key. Every answer is one order, so req/s is
-- orders/s. Threads split the carts between them: args are the cart file, then this thread
-- count and the number of carts to skip (those a warm-up used).
--   wrk -s bench/scenarios/checkout.lua http://127.0.0.1:PORT/api/v1/checkout -- carts.txt 1 0
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local carts, i, step = {}, 0, 1

function init(args)
  step = tonumber(args[2] or "1")
  local skip = tonumber(args[3] or "0")
  local k = 0
  for line in io.lines(args[1]) do
    if line ~= "" then
      k = k + 1
      if k > skip then table.insert(carts, line) end
    end
  end
  if #carts == 0 then error("checkout.lua: no carts left in " .. args[1]) end
  i = (thread_index or 1) - step
end

function request()
  i = i + step
  if i > #carts then i = (i - 1) % #carts + 1 end  -- out of carts: repeats fail, and count
  local cart = carts[i]
  local body = string.format(
    '{"cart_id":"%s","email":"bench-%d@example.com","shipping_address":{"name":"Bench Buyer",' ..
    '"line1":"1 Main Street","city":"Springfield","region":"IL","postal_code":"62701",' ..
    '"country":"US","phone":"+12175550100"},"shipping_method":"standard",' ..
    '"payment":{"method":"cash_on_delivery"}}', cart, i)
  return wrk.format("POST", "/api/v1/checkout",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-" .. cart }, body)
end
