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
  // The cart with its lines (oldest first), outside any transaction.
  Result<std::optional<Cart>> find(const std::string& id);
  Result<std::optional<Cart>> find(db::Transaction& tx, const std::string& id);
  // Touches the cart (updated_at = now) and so takes its row lock on PostgreSQL (SQLite has one
  // writer anyway), then reads it: concurrent changes to one cart take turns. nullopt: no cart.
  Result<std::optional<Cart>> lock(db::Transaction& tx, const std::string& id,
                                   const std::string& now);
  // The account's newest open cart touched after `touched_after` (ISO 8601), but not `except`.
  Result<std::optional<Cart>> newest_open_of(db::Transaction* tx, const std::string& account_id,
                                             const std::string& touched_after,
                                             const std::string& except = "");

  Result<void> insert_line(db::Transaction& tx, const std::string& cart_id, const CartLine& line);
  Result<void> set_line_quantity(db::Transaction& tx, const std::string& line_id, int64_t quantity);
  Result<void> delete_line(db::Transaction& tx, const std::string& line_id);
  Result<void> set_coupon(db::Transaction& tx, const std::string& cart_id,
                          const std::optional<std::string>& code);
  Result<void> set_owner(db::Transaction& tx, const std::string& cart_id,
                         const std::string& account_id);
  Result<void> set_status(db::Transaction& tx, const std::string& cart_id,
                          const std::string& status);
  // open → ordered unless it is not open any more; false when nothing changed.
  Result<bool> mark_ordered(db::Transaction& tx, const std::string& cart_id,
                            const std::string& order_id, const std::string& now);

 private:
  db::Database& db_;
};

}  // namespace fff::cart
