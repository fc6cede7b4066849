#include "modules/pricing/store.hpp"

#include <sstream>
#include <utility>

namespace fff::pricing {
namespace {

constexpr const char* kCouponColumns =
    "SELECT id, code, currency, kind, percent_bp, amount_minor, minimum_subtotal_minor, "
    "starts_at, ends_at, usage_limit, per_customer_limit, used, active, created_at, updated_at "
    "FROM coupons ";

Coupon coupon_from(const db::Row& r) {
  Coupon c;
  c.id = r.text(0);
  c.code = r.text(1);
  c.currency = parse_currency(r.text(2)).value_or(Currency::USD);
  c.kind = parse_coupon_kind(r.text(3)).value_or(CouponKind::percentage);
  c.percent_bp = r.int64(4);
  c.amount_minor = r.int64(5);
  c.minimum_subtotal_minor = r.opt_int64(6);
  c.starts_at = r.opt_text(7);
  c.ends_at = r.opt_text(8);
  c.usage_limit = r.opt_int64(9);
  c.per_customer_limit = r.opt_int64(10);
  c.used = r.int64(11);
  c.active = r.boolean(12);
  c.created_at = r.text(13);
  c.updated_at = r.text(14);
  return c;
}

db::Value opt(const std::optional<int64_t>& v) {
  if (!v) return std::monostate{};
  return *v;
}
db::Value opt(const std::optional<std::string>& v) {
  if (!v) return std::monostate{};
  return *v;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

constexpr const char* kMethodColumns =
    "SELECT id, code, name, price_minor, free_above_minor, min_days, max_days, countries, "
    "express, active, position FROM shipping_methods ";

ShippingMethod method_from(const db::Row& r) {
  ShippingMethod m;
  m.id = r.text(0);
  m.code = r.text(1);
  m.name = r.text(2);
  m.price_minor = r.int64(3);
  m.free_above_minor = r.opt_int64(4);
  m.min_days = static_cast<int>(r.int64(5));
  m.max_days = static_cast<int>(r.int64(6));
  m.countries = split(r.text(7));
  m.express = r.boolean(8);
  m.active = r.boolean(9);
  m.position = r.int64(10);
  return m;
}

}  // namespace

Result<std::optional<Coupon>> PricingStore::coupon_by_code(const std::string& code) {
  auto rows = db_.query(std::string(kCouponColumns) + "WHERE code = $1", {code});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Coupon>{};
  return std::optional<Coupon>{coupon_from(rows->rows[0])};
}

Result<std::optional<Coupon>> PricingStore::coupon_by_id(const std::string& id) {
  auto rows = db_.query(std::string(kCouponColumns) + "WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Coupon>{};
  return std::optional<Coupon>{coupon_from(rows->rows[0])};
}

Result<std::vector<Coupon>> PricingStore::coupons() {
  auto rows = db_.query(std::string(kCouponColumns) + "ORDER BY created_at DESC, id DESC");
  if (!rows) return rows.error();
  std::vector<Coupon> out;
  for (const auto& r : rows->rows) out.push_back(coupon_from(r));
  return out;
}

Result<bool> PricingStore::insert_coupon(const Coupon& c) {
  auto done = db_.query(
      "INSERT INTO coupons (id, code, currency, kind, percent_bp, amount_minor, "
      "minimum_subtotal_minor, starts_at, ends_at, usage_limit, per_customer_limit, used, active, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, "
      "$14) ON CONFLICT (code) DO NOTHING",
      {c.id, c.code, std::string(currency_code(c.currency)), std::string(to_string(c.kind)),
       c.percent_bp, c.amount_minor, opt(c.minimum_subtotal_minor), opt(c.starts_at),
       opt(c.ends_at), opt(c.usage_limit), opt(c.per_customer_limit), c.active, c.created_at,
       c.updated_at});
  if (!done) return done.error();
  return done->affected > 0;
}

Result<bool> PricingStore::update_coupon(const Coupon& c) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto taken = tx->query("SELECT 1 FROM coupons WHERE code = $1 AND id <> $2", {c.code, c.id});
  if (!taken) return taken.error();
  if (!taken->rows.empty()) return false;
  auto done = tx->query(
      "UPDATE coupons SET code = $2, kind = $3, percent_bp = $4, amount_minor = $5, "
      "minimum_subtotal_minor = $6, starts_at = $7, ends_at = $8, usage_limit = $9, "
      "per_customer_limit = $10, active = $11, updated_at = $12 WHERE id = $1",
      {c.id, c.code, std::string(to_string(c.kind)), c.percent_bp, c.amount_minor,
       opt(c.minimum_subtotal_minor), opt(c.starts_at), opt(c.ends_at), opt(c.usage_limit),
       opt(c.per_customer_limit), c.active, c.updated_at});
  if (!done) return done.error();
  if (auto committed = tx->commit(); !committed) return committed.error();
  return true;
}

Result<int64_t> PricingStore::redemptions_by(const std::string& coupon_id,
                                             const std::string& customer_key) {
  auto rows = db_.query(
      "SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = $1 AND customer_key = $2",
      {coupon_id, customer_key});
  if (!rows) return rows.error();
  return rows->rows[0].int64(0);
}

Result<int64_t> PricingStore::redemptions_by(db::Transaction& tx, const std::string& coupon_id,
                                             const std::string& customer_key) {
  auto rows =
      tx.query("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = $1 AND customer_key = $2",
               {coupon_id, customer_key});
  if (!rows) return rows.error();
  return rows->rows[0].int64(0);
}

Result<std::optional<PricingStore::Counted>> PricingStore::count_use(db::Transaction& tx,
                                                                     const std::string& code,
                                                                     Currency currency,
                                                                     const std::string& now) {
  // The condition is re-checked on the locked row by PostgreSQL (SQLite has one writer), so
  // concurrent checkouts never count past the limit; the row lock also makes later redeemers
  // of this coupon wait for this transaction, so the per-customer count read next is current.
  auto rows = tx.query(
      "UPDATE coupons SET used = used + 1, updated_at = $3 WHERE code = $1 AND currency = $2 "
      "AND active = TRUE AND (usage_limit IS NULL OR used < usage_limit) "
      "RETURNING id, per_customer_limit",
      {code, std::string(currency_code(currency)), now});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Counted>{};
  return std::optional<Counted>{Counted{rows->rows[0].text(0), rows->rows[0].opt_int64(1)}};
}

Result<void> PricingStore::insert_redemption(db::Transaction& tx, const std::string& id,
                                             const std::string& coupon_id,
                                             const std::string& order_id,
                                             const std::string& customer_key,
                                             const std::string& now) {
  auto done = tx.query(
      "INSERT INTO coupon_redemptions (id, coupon_id, order_id, customer_key, created_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {id, coupon_id, order_id, customer_key, now});
  if (!done) return done.error();
  return {};
}

Result<std::vector<ShippingMethod>> PricingStore::shipping_methods(Currency currency,
                                                                   bool active_only) {
  auto rows = db_.query(std::string(kMethodColumns) + "WHERE currency = $1" +
                            (active_only ? " AND active = TRUE" : "") + " ORDER BY position, code",
                        {std::string(currency_code(currency))});
  if (!rows) return rows.error();
  std::vector<ShippingMethod> out;
  for (const auto& r : rows->rows) out.push_back(method_from(r));
  return out;
}

Result<std::optional<ShippingMethod>> PricingStore::shipping_method_by_id(const std::string& id) {
  auto rows = db_.query(std::string(kMethodColumns) + "WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<ShippingMethod>{};
  return std::optional<ShippingMethod>{method_from(rows->rows[0])};
}

Result<bool> PricingStore::insert_shipping_method(const ShippingMethod& m, Currency currency,
                                                  const std::string& now) {
  auto done = db_.query(
      "INSERT INTO shipping_methods (id, currency, code, name, price_minor, free_above_minor, "
      "min_days, max_days, countries, express, active, position, created_at, updated_at) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) "
      "ON CONFLICT (currency, code) DO NOTHING",
      {m.id, std::string(currency_code(currency)), m.code, m.name, m.price_minor,
       opt(m.free_above_minor), int64_t{m.min_days}, int64_t{m.max_days}, join(m.countries),
       m.express, m.active, m.position, now});
  if (!done) return done.error();
  return done->affected > 0;
}

Result<bool> PricingStore::update_shipping_method(const ShippingMethod& m, const std::string& now) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto taken = tx->query(
      "SELECT 1 FROM shipping_methods WHERE code = $1 AND id <> $2 AND currency = "
      "(SELECT currency FROM shipping_methods WHERE id = $2)",
      {m.code, m.id});
  if (!taken) return taken.error();
  if (!taken->rows.empty()) return false;
  auto done = tx->query(
      "UPDATE shipping_methods SET code = $2, name = $3, price_minor = $4, free_above_minor = $5, "
      "min_days = $6, max_days = $7, countries = $8, express = $9, active = $10, position = $11, "
      "updated_at = $12 WHERE id = $1",
      {m.id, m.code, m.name, m.price_minor, opt(m.free_above_minor), int64_t{m.min_days},
       int64_t{m.max_days}, join(m.countries), m.express, m.active, m.position, now});
  if (!done) return done.error();
  if (auto committed = tx->commit(); !committed) return committed.error();
  return true;
}

Result<std::optional<int64_t>> PricingStore::tax_rate(const std::string& country) {
  auto rows = db_.query("SELECT rate_bp FROM tax_rates WHERE country = $1", {country});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<int64_t>{};
  return std::optional<int64_t>{rows->rows[0].int64(0)};
}

Result<std::vector<TaxRate>> PricingStore::tax_rates() {
  auto rows =
      db_.query("SELECT country, rate_bp, name, updated_at FROM tax_rates ORDER BY country");
  if (!rows) return rows.error();
  std::vector<TaxRate> out;
  for (const auto& r : rows->rows)
    out.push_back(TaxRate{r.text(0), r.int64(1), r.text(2), r.text(3)});
  return out;
}

Result<TaxRate> PricingStore::upsert_tax_rate(const TaxRate& rate) {
  auto done = db_.query(
      "INSERT INTO tax_rates (country, rate_bp, name, updated_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (country) DO UPDATE SET rate_bp = excluded.rate_bp, name = excluded.name, "
      "updated_at = excluded.updated_at",
      {rate.country, rate.rate_bp, rate.name, rate.updated_at});
  if (!done) return done.error();
  return rate;
}

Result<bool> PricingStore::delete_tax_rate(const std::string& country) {
  auto done = db_.query("DELETE FROM tax_rates WHERE country = $1", {country});
  if (!done) return done.error();
  return done->affected > 0;
}

}  // namespace fff::pricing
