// modules/cart/service: the cart's rules; the module's only door for other code.
//
// The cart knows variants only by id. Whether a variant may be sold, and how many are available,
// is the caller's to say (flows/cart_api asks the catalog and inventory), passed in as
// `available`: units that may be sold now.
//
// Thread-safety: safe to use from many threads at once (all state is in the database).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/cart/model.hpp"
#include "modules/cart/store.hpp"

namespace fff::cart {

class CartService {
 public:
  CartService(db::Database& database, const Clock& clock, CartLimits limits = {});

  const CartLimits& limits() const { return limits_; }

  // A new open cart: a guest cart, or the customer's when `account_id` is given.
  Result<Cart> create(const std::optional<std::string>& account_id);
  // Errors: not_found "cart_not_found" (unknown id, or not a UUID); not_found "cart_expired"
  // for an open cart untouched for limits().expiry_days.
  Result<Cart> find(const std::string& cart_id);
  // find(), for a requester: a customer's cart answers only its owner (anyone else gets
  // cart_not_found, as if it did not exist); a guest cart answers whoever holds its id.
  Result<Cart> find_for(const std::string& cart_id, const std::optional<std::string>& account_id);
  // The customer's newest open cart, if any (expired ones are not served).
  Result<std::optional<Cart>> open_cart_of(const std::string& account_id);

  // Adds `quantity` of the variant (to the line of that variant when there is one). `available`:
  // units that may be sold now. Errors: unprocessable "invalid_quantity" (quantity < 1, or the
  // line would exceed limits().max_quantity), unprocessable "too_many_lines", conflict
  // "insufficient_stock" naming what is available, conflict "cart_not_open".
  Result<Cart> add_line(const std::string& cart_id, const std::string& variant_id, int64_t quantity,
                        int64_t available);
  // Sets a line's quantity (1..max_quantity, at most `available`). Error: not_found
  // "cart_line_not_found" and the add_line errors.
  Result<Cart> set_quantity(const std::string& cart_id, const std::string& line_id,
                            int64_t quantity, int64_t available);
  // The line's variant (for the caller to look up availability). Error: cart_line_not_found.
  Result<std::string> line_variant(const std::string& cart_id, const std::string& line_id);
  Result<Cart> remove_line(const std::string& cart_id, const std::string& line_id);
  // Stores the (already validated, normalised) coupon code, or clears it with nullopt.
  Result<Cart> set_coupon(const std::string& cart_id, const std::optional<std::string>& code);

  // Gives a guest cart to a signed-in customer. When the customer has no open cart, the guest
  // cart becomes theirs (same id). Otherwise its lines are added to the customer's open cart
  // (quantities added, each line capped at max_quantity and at `available[variant_id]`; lines
  // beyond max_lines are dropped), the guest cart becomes "merged" and the customer's cart is
  // returned. Claiming the customer's own cart returns it unchanged. Errors: cart_not_found
  // (another customer's cart), conflict "cart_not_open".
  Result<Cart> claim(const std::string& guest_cart_id, const std::string& account_id,
                     const std::map<std::string, int64_t>& available);

  // In checkout's transaction: open → ordered, conditional on still being open.
  // conflict "cart_not_open" when it is not (a cart is ordered once).
  Result<void> close_for_order(db::Transaction& tx, const std::string& cart_id,
                               const std::string& order_id);

 private:
  Result<Cart> check_open(Result<Cart> cart) const;
  bool expired(const Cart& cart) const;

  CartStore store_;
  const Clock& clock_;
  CartLimits limits_;
};

}  // namespace fff::cart
