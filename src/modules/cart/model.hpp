// modules/cart: what a shopper means to buy. Owns carts and cart_lines. A guest cart is reached
// by its id alone (a UUIDv7 is not guessable, so the id is the capability); a customer's cart
// answers only its owner. Lines name catalog variants by id; prices are never kept here: the
// cart is priced afresh on every read (flows/cart_pricing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fff::cart {

struct CartLine {
  std::string id;
  std::string variant_id;
  int64_t quantity = 0;
  std::string added_at;
};

struct Cart {
  std::string id;                         // UUIDv7
  std::optional<std::string> account_id;  // a customer's cart; guest carts have none
  std::string status;                     // "open" | "ordered" | "merged"
  std::optional<std::string> coupon_code;
  std::optional<std::string> order_id;  // set when ordered
  std::vector<CartLine> lines;
  std::string created_at, updated_at;
};

// Bounds of a cart (settings cart_max_quantity, cart_max_lines, cart_expiry_days).
struct CartLimits {
  int64_t max_quantity = 20;  // per line
  int64_t max_lines = 50;
  int expiry_days = 30;  // an open cart untouched this long is no longer served
};

}  // namespace fff::cart
