#include "modules/cart/store.hpp"

#include <utility>

namespace fff::cart {
namespace {

constexpr const char* kCartColumns =
    "SELECT id, account_id, status, coupon_code, order_id, created_at, updated_at FROM carts ";

Cart cart_from(const db::Row& r) {
  Cart c;
  c.id = r.text(0);
  c.account_id = r.opt_text(1);
  c.status = r.text(2);
  c.coupon_code = r.opt_text(3);
  c.order_id = r.opt_text(4);
  c.created_at = r.text(5);
  c.updated_at = r.text(6);
  return c;
}

constexpr const char* kLines =
    "SELECT id, variant_id, quantity, added_at FROM cart_lines WHERE cart_id = $1 "
    "ORDER BY added_at, id";

void fill_lines(Cart& cart, const db::QueryResult& rows) {
  cart.lines.clear();
  for (const auto& r : rows.rows)
    cart.lines.push_back(CartLine{r.text(0), r.text(1), r.int64(2), r.text(3)});
}

template <typename Q>
Result<std::optional<Cart>> read_cart(Q& q, const std::string& sql, const db::Params& params) {
  auto rows = q.query(sql, params);
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Cart>{};
  Cart cart = cart_from(rows->rows[0]);
  auto lines = q.query(kLines, {cart.id});
  if (!lines) return lines.error();
  fill_lines(cart, *lines);
  return std::optional<Cart>{std::move(cart)};
}

}  // namespace

Result<void> CartStore::insert(const Cart& cart) {
  db::Value account = std::monostate{};
  if (cart.account_id) account = *cart.account_id;
  auto done = db_.query(
      "INSERT INTO carts (id, account_id, status, coupon_code, order_id, created_at, updated_at) "
      "VALUES ($1, $2, $3, NULL, NULL, $4, $5)",
      {cart.id, account, cart.status, cart.created_at, cart.updated_at});
  if (!done) return done.error();
  return {};
}

Result<std::optional<Cart>> CartStore::find(const std::string& id) {
  return read_cart(db_, std::string(kCartColumns) + "WHERE id = $1", {id});
}

Result<std::optional<Cart>> CartStore::find(db::Transaction& tx, const std::string& id) {
  return read_cart(tx, std::string(kCartColumns) + "WHERE id = $1", {id});
}

Result<std::optional<Cart>> CartStore::lock(db::Transaction& tx, const std::string& id,
                                            const std::string& now) {
  return read_cart(tx,
                   "UPDATE carts SET updated_at = $2 WHERE id = $1 RETURNING id, account_id, "
                   "status, coupon_code, order_id, created_at, updated_at",
                   {id, now});
}

Result<std::optional<Cart>> CartStore::newest_open_of(db::Transaction* tx,
                                                      const std::string& account_id,
                                                      const std::string& touched_after,
                                                      const std::string& except) {
  std::string sql = std::string(kCartColumns) +
                    "WHERE account_id = $1 AND status = 'open' AND updated_at > $2 AND id <> $3 "
                    "ORDER BY updated_at DESC, id DESC LIMIT 1";
  // id <> '' is not valid for a UUID column on PostgreSQL: compare with a UUID that never exists.
  db::Params params{account_id, touched_after,
                    except.empty() ? std::string("00000000-0000-0000-0000-000000000000") : except};
  if (tx) return read_cart(*tx, sql, params);
  return read_cart(db_, sql, params);
}

Result<void> CartStore::insert_line(db::Transaction& tx, const std::string& cart_id,
                                    const CartLine& line) {
  auto done = tx.query(
      "INSERT INTO cart_lines (id, cart_id, variant_id, quantity, added_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {line.id, cart_id, line.variant_id, line.quantity, line.added_at});
  if (!done) return done.error();
  return {};
}

Result<void> CartStore::set_line_quantity(db::Transaction& tx, const std::string& line_id,
                                          int64_t quantity) {
  auto done = tx.query("UPDATE cart_lines SET quantity = $2 WHERE id = $1", {line_id, quantity});
  if (!done) return done.error();
  return {};
}

Result<void> CartStore::delete_line(db::Transaction& tx, const std::string& line_id) {
  auto done = tx.query("DELETE FROM cart_lines WHERE id = $1", {line_id});
  if (!done) return done.error();
  return {};
}

Result<void> CartStore::set_coupon(db::Transaction& tx, const std::string& cart_id,
                                   const std::optional<std::string>& code) {
  db::Value value = std::monostate{};
  if (code) value = *code;
  auto done = tx.query("UPDATE carts SET coupon_code = $2 WHERE id = $1", {cart_id, value});
  if (!done) return done.error();
  return {};
}

Result<void> CartStore::set_owner(db::Transaction& tx, const std::string& cart_id,
                                  const std::string& account_id) {
  auto done = tx.query("UPDATE carts SET account_id = $2 WHERE id = $1", {cart_id, account_id});
  if (!done) return done.error();
  return {};
}

Result<void> CartStore::set_status(db::Transaction& tx, const std::string& cart_id,
                                   const std::string& status) {
  auto done = tx.query("UPDATE carts SET status = $2 WHERE id = $1", {cart_id, status});
  if (!done) return done.error();
  return {};
}

Result<bool> CartStore::mark_ordered(db::Transaction& tx, const std::string& cart_id,
                                     const std::string& order_id, const std::string& now) {
  auto done = tx.query(
      "UPDATE carts SET status = 'ordered', order_id = $2, updated_at = $3 "
      "WHERE id = $1 AND status = 'open'",
      {cart_id, order_id, now});
  if (!done) return done.error();
  return done->affected > 0;
}

}  // namespace fff::cart
