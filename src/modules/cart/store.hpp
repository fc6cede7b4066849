// modules/cart/store: the cart's SQL. The only code that touches carts and cart_lines.
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/cart/model.hpp"

namespace fff::cart {

class CartStore {
 public:
  explicit CartStore(db::Database& database) : db_(database) {}

  db::Database& database() { return db_; }

  Result<void> insert(const Cart& cart);
  Result<std::optional<Cart>> find(const std::string& id);
  Result<std::optional<Cart>> find(db::Transaction& tx, const std::string& id);
  Result<std::optional<Cart>> newest_open_of(const std::string& account_id,
                                             const std::string& touched_after);

 private:
  db::Database& db_;
};

}  // namespace fff::cart
