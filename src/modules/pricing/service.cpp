#include "modules/pricing/service.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <utility>

#include "core/id.hpp"

namespace fff::pricing {

const char* to_string(CouponKind kind) {
  switch (kind) {
    case CouponKind::percentage: return "percentage";
    case CouponKind::fixed: return "fixed";
    case CouponKind::free_shipping: return "free_shipping";
  }
  return "percentage";
}

std::optional<CouponKind> parse_coupon_kind(const std::string& text) {
  if (text == "percentage") return CouponKind::percentage;
  if (text == "fixed") return CouponKind::fixed;
  if (text == "free_shipping") return CouponKind::free_shipping;
  return std::nullopt;
}

int64_t mul_div_half_up(int64_t a, int64_t b, int64_t c) {
  __extension__ using Wide = __int128;  // a GCC/Clang extension; exact for any int64 inputs
  Wide n = static_cast<Wide>(a) * b;
  Wide d = c;
  return static_cast<int64_t>((2 * n + d) / (2 * d));
}

namespace {

constexpr int64_t kBasisPoints = 10000;
// Largest amount a quote handles, so that every product and sum stays far inside int64.
constexpr int64_t kMaxAmount = int64_t{1} << 52;

Error coupon_not_found(const std::string& code) {
  return Error::unprocessable("coupon_not_found", "no coupon with code '" + code + "'",
                              {{"code", "is not a coupon code"}});
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::optional<std::string> customer_key(const std::optional<std::string>& account_id,
                                        const std::optional<std::string>& email) {
  if (account_id && !account_id->empty()) return "account:" + *account_id;
  if (email && !email->empty()) return "email:" + lower(*email);
  return std::nullopt;
}

// Spreads `amount` over lines in proportion to `weights`, each share rounded half up, and puts
// the remainder on the largest line (then the next largest, never beyond a line's weight), so
// the shares sum exactly to `amount`. REQUIRES: 0 <= amount <= Σ weights.
std::vector<int64_t> spread(int64_t amount, const std::vector<int64_t>& weights) {
  std::vector<int64_t> shares(weights.size(), 0);
  int64_t total = std::accumulate(weights.begin(), weights.end(), int64_t{0});
  if (amount <= 0 || total <= 0) return shares;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    shares[i] = std::min(weights[i], mul_div_half_up(weights[i], amount, total));
    given += shares[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return weights[a] > weights[b]; });
  int64_t rest = amount - given;
  for (size_t i : order) {
    if (rest == 0) break;
    if (rest > 0) {
      int64_t room = weights[i] - shares[i];
      int64_t take = std::min(room, rest);
      shares[i] += take;
      rest -= take;
    } else {
      int64_t take = std::min(shares[i], -rest);
      shares[i] -= take;
      rest += take;
    }
  }
  return shares;
}

// Tax in an amount: on top of it (exclusive prices) or inside it (inclusive), rounded half up.
int64_t tax_of(int64_t amount, int64_t rate_bp, bool inclusive) {
  if (rate_bp <= 0 || amount <= 0) return 0;
  return inclusive ? mul_div_half_up(amount, rate_bp, kBasisPoints + rate_bp)
                   : mul_div_half_up(amount, rate_bp, kBasisPoints);
}

bool ships_to(const ShippingMethod& m, const std::optional<std::string>& country) {
  if (m.countries.empty()) return true;
  if (!country) return false;
  return std::find(m.countries.begin(), m.countries.end(), *country) != m.countries.end();
}

}  // namespace

PricingService::PricingService(db::Database& database, const Clock& clock, PricingSettings settings)
    : store_(database), clock_(clock), settings_(settings) {}

std::string PricingService::normalise_code(const std::string& code) {
  size_t b = code.find_first_not_of(" \t\r\n");
  size_t e = code.find_last_not_of(" \t\r\n");
  std::string out = b == std::string::npos ? "" : code.substr(b, e - b + 1);
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

Result<std::string> PricingService::normalise_country(const std::string& country) {
  if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
      !std::isalpha(static_cast<unsigned char>(country[1])))
    return Error::unprocessable("invalid_country",
                                "country must be a two-letter ISO 3166-1 code such as VN or GB",
                                {{"country", "must be a two-letter ISO 3166-1 code"}});
  std::string out = country;
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

// The checks a coupon must pass to be applied; returns it.
static Result<Coupon> applicable_coupon(PricingStore& store, const Clock& clock, Currency currency,
                                        const std::string& raw_code, int64_t subtotal_minor,
                                        const std::optional<std::string>& key) {
  std::string code = PricingService::normalise_code(raw_code);
  if (code.empty() || code.size() > 64) return coupon_not_found(code);
  auto found = store.coupon_by_code(code);
  if (!found) return found.error();
  if (!*found || !(*found)->active || (*found)->currency != currency) return coupon_not_found(code);
  const Coupon& c = **found;
  Timestamp now = clock.now();
  if (c.starts_at) {
    auto starts = parse_iso8601(*c.starts_at);
    if (starts && now < *starts)
      return Error::unprocessable("coupon_not_yet_valid",
                                  "coupon " + code + " is valid from " + *c.starts_at,
                                  {{"code", "not valid yet"}});
  }
  if (c.ends_at) {
    auto ends = parse_iso8601(*c.ends_at);
    if (ends && now >= *ends)
      return Error::unprocessable("coupon_expired", "coupon " + code + " expired at " + *c.ends_at,
                                  {{"code", "has expired"}});
  }
  if (c.usage_limit && c.used >= *c.usage_limit)
    return Error::unprocessable("coupon_used_up", "coupon " + code + " has been used up",
                                {{"code", "used up"}});
  if (c.minimum_subtotal_minor && subtotal_minor < *c.minimum_subtotal_minor)
    return Error::unprocessable(
        "coupon_minimum_not_met",
        "coupon " + code + " needs a subtotal of at least " +
            Money(*c.minimum_subtotal_minor, currency).decimal() + " " +
            std::string(currency_code(currency)),
        {{"code", "subtotal below the minimum of " +
                      Money(*c.minimum_subtotal_minor, currency).decimal()}});
  if (c.per_customer_limit && key) {
    auto used = store.redemptions_by(c.id, *key);
    if (!used) return used.error();
    if (*used >= *c.per_customer_limit)
      return Error::unprocessable(
          "coupon_used_up", "you have already used coupon " + code + " the most times allowed",
          {{"code", "used up for this customer"}});
  }
  return c;
}

Result<std::string> PricingService::check_coupon(const std::string& code, int64_t subtotal_minor,
                                                 const std::optional<std::string>& account_id,
                                                 const std::optional<std::string>& email) {
  auto c = applicable_coupon(store_, clock_, settings_.currency, code, subtotal_minor,
                             customer_key(account_id, email));
  if (!c) return c.error();
  return c->code;
}

Result<Quote> PricingService::quote(const QuoteRequest& request) {
  Quote q;
  q.currency = settings_.currency;
  q.prices_include_tax = settings_.prices_include_tax;
  if (request.country) {
    auto country = normalise_country(*request.country);
    if (!country) return country.error();
    q.country = *country;
  }
  // Lines and subtotal.
  std::vector<int64_t> amounts;
  for (size_t i = 0; i < request.lines.size(); ++i) {
    const PriceLine& l = request.lines[i];
    if (l.quantity < 1 || l.quantity > 1'000'000 || l.unit_price_minor < 0 ||
        l.unit_price_minor > kMaxAmount / 1'000'000)
      return Error::unprocessable(
          "invalid_line", "line " + std::to_string(i) + " has a quantity or price out of range");
    QuotedLine ql;
    ql.variant_id = l.variant_id;
    ql.sku = l.sku;
    ql.quantity = l.quantity;
    ql.unit_price_minor = l.unit_price_minor;
    ql.subtotal_minor = l.quantity * l.unit_price_minor;
    q.subtotal_minor += ql.subtotal_minor;
    if (q.subtotal_minor > kMaxAmount)
      return Error::unprocessable("invalid_line", "the order is too large");
    amounts.push_back(ql.subtotal_minor);
    q.lines.push_back(std::move(ql));
  }

  // Coupon.
  std::optional<Coupon> coupon;
  if (request.coupon_code) {
    auto c = applicable_coupon(store_, clock_, settings_.currency, *request.coupon_code,
                               q.subtotal_minor, customer_key(request.account_id, request.email));
    if (!c) return c.error();
    coupon = std::move(*c);
    q.coupon_code = coupon->code;
  }
  if (coupon) {
    switch (coupon->kind) {
      case CouponKind::percentage:
        q.discount_minor = mul_div_half_up(q.subtotal_minor, coupon->percent_bp, kBasisPoints);
        break;
      case CouponKind::fixed:
        q.discount_minor = std::min(coupon->amount_minor, q.subtotal_minor);
        break;
      case CouponKind::free_shipping: q.free_shipping = true; break;
    }
  }
  q.discount_minor = std::clamp<int64_t>(q.discount_minor, 0, q.subtotal_minor);
  auto shares = spread(q.discount_minor, amounts);
  for (size_t i = 0; i < q.lines.size(); ++i) q.lines[i].discount_minor = shares[i];

  // Shipping.
  if (request.shipping_method) {
    auto methods = store_.shipping_methods(settings_.currency, true);
    if (!methods) return methods.error();
    auto m = std::find_if(methods->begin(), methods->end(), [&](const ShippingMethod& s) {
      return s.code == *request.shipping_method;
    });
    if (m == methods->end() || !ships_to(*m, q.country))
      return Error::unprocessable("shipping_method_unavailable",
                                  "shipping method '" + *request.shipping_method +
                                      "' does not ship to " +
                                      q.country.value_or("an unknown country") +
                                      " (GET /api/v1/shipping-methods lists those that do)",
                                  {{"shipping_method", "not available for this address"}});
    int64_t merchandise = q.subtotal_minor - q.discount_minor;
    q.shipping_minor = m->price_minor;
    if (m->free_above_minor && merchandise >= *m->free_above_minor) q.shipping_minor = 0;
    if (q.free_shipping) q.shipping_minor = 0;
    q.shipping = *m;
  }

  // Tax, per line on the discounted amount, and on shipping at the same rate.
  if (q.country) {
    auto rate = store_.tax_rate(*q.country);
    if (!rate) return rate.error();
    q.tax_rate_bp = rate->value_or(0);
  }
  for (auto& l : q.lines) {
    int64_t net = l.subtotal_minor - l.discount_minor;
    l.tax_minor = tax_of(net, q.tax_rate_bp, q.prices_include_tax);
    l.total_minor = net + (q.prices_include_tax ? 0 : l.tax_minor);
    q.tax_minor += l.tax_minor;
  }
  q.shipping_tax_minor = tax_of(q.shipping_minor, q.tax_rate_bp, q.prices_include_tax);
  q.tax_minor += q.shipping_tax_minor;
  q.total_minor = q.subtotal_minor - q.discount_minor + q.shipping_minor +
                  (q.prices_include_tax ? 0 : q.tax_minor);
  return q;
}

Result<void> PricingService::redeem(db::Transaction& tx, const Quote& quote,
                                    const std::string& order_id,
                                    const std::optional<std::string>& account_id,
                                    const std::string& email) {
  if (!quote.coupon_code) return {};
  std::string now = to_iso8601(clock_.now());
  std::string code = normalise_code(*quote.coupon_code);
  auto counted = store_.count_use(tx, code, quote.currency, now);
  if (!counted) return counted.error();
  if (!*counted) return Error::conflict("coupon_used_up", "coupon " + code + " has been used up");
  std::string key = customer_key(account_id, email).value_or("email:");
  if (auto done = store_.insert_redemption(tx, new_id(), (*counted)->coupon_id, order_id, key, now);
      !done)
    return done.error();
  if ((*counted)->per_customer_limit) {
    auto used = store_.redemptions_by(tx, (*counted)->coupon_id, key);
    if (!used) return used.error();
    if (*used > *(*counted)->per_customer_limit)
      return Error::conflict("coupon_used_up",
                             "you have already used coupon " + code + " the most times allowed");
  }
  return {};
}

Result<std::vector<ShippingMethod>> PricingService::shipping_methods(
    const std::optional<std::string>& country) {
  std::optional<std::string> where;
  if (country) {
    auto c = normalise_country(*country);
    if (!c) return c.error();
    where = *c;
  }
  auto methods = store_.shipping_methods(settings_.currency, true);
  if (!methods) return methods.error();
  std::vector<ShippingMethod> out;
  for (auto& m : *methods)
    if (!where || ships_to(m, where)) out.push_back(std::move(m));
  std::stable_sort(out.begin(), out.end(), [](const ShippingMethod& a, const ShippingMethod& b) {
    return a.price_minor < b.price_minor;
  });
  return out;
}

// ---- staff ----------------------------------------------------------------------------------

namespace {

Error invalid_coupon(std::vector<FieldError> fields) {
  std::string message =
      "the coupon is not valid: " + fields.front().field + " " + fields.front().message;
  return Error::unprocessable("invalid_coupon", message, std::move(fields));
}

bool valid_code(const std::string& code) {
  if (code.empty() || code.size() > 64) return false;
  return std::all_of(code.begin(), code.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

}  // namespace

Result<std::vector<Coupon>> PricingService::coupons() {
  return store_.coupons();
}

Result<Coupon> PricingService::coupon(const std::string& id) {
  if (!is_uuid(id)) return Error::not_found("coupon_not_found", "no coupon with id '" + id + "'");
  auto found = store_.coupon_by_id(id);
  if (!found) return found.error();
  if (!*found) return Error::not_found("coupon_not_found", "no coupon with id '" + id + "'");
  return std::move(**found);
}

static Result<void> apply_coupon_input(Coupon& c, const CouponInput& in, bool creating) {
  std::vector<FieldError> errors;
  if (in.code) c.code = PricingService::normalise_code(*in.code);
  if (creating && !in.code)
    errors.push_back({"code", "is required"});
  else if (!valid_code(c.code))
    errors.push_back({"code", "must be 1–64 letters, digits, '-' or '_'"});
  if (in.kind) {
    auto k = parse_coupon_kind(*in.kind);
    if (!k)
      errors.push_back({"kind", "must be percentage, fixed or free_shipping"});
    else
      c.kind = *k;
  } else if (creating) {
    errors.push_back({"kind", "is required"});
  }
  if (in.percent_bp) c.percent_bp = *in.percent_bp;
  if (in.amount_minor) c.amount_minor = *in.amount_minor;
  if (c.kind == CouponKind::percentage && (c.percent_bp < 1 || c.percent_bp > kBasisPoints))
    errors.push_back({"percent", "must be more than 0 and at most 100"});
  if (c.kind == CouponKind::fixed && (c.amount_minor < 1 || c.amount_minor > kMaxAmount))
    errors.push_back({"amount", "must be a positive amount"});
  if (c.kind != CouponKind::percentage) c.percent_bp = 0;
  if (c.kind != CouponKind::fixed) c.amount_minor = 0;
  if (in.clear_minimum) c.minimum_subtotal_minor.reset();
  if (in.minimum_subtotal_minor) {
    if (*in.minimum_subtotal_minor < 0 || *in.minimum_subtotal_minor > kMaxAmount)
      errors.push_back({"minimum_subtotal", "must be zero or more"});
    c.minimum_subtotal_minor = *in.minimum_subtotal_minor;
  }
  auto when = [&](const std::optional<std::string>& text, bool clear,
                  std::optional<std::string>& field, const char* name) {
    if (clear) field.reset();
    if (!text) return;
    auto t = parse_iso8601(*text);
    if (!t)
      errors.push_back({name, "must be an ISO 8601 time such as 2026-12-01T00:00:00Z"});
    else
      field = to_iso8601(*t);
  };
  when(in.starts_at, in.clear_starts_at, c.starts_at, "starts_at");
  when(in.ends_at, in.clear_ends_at, c.ends_at, "ends_at");
  if (c.starts_at && c.ends_at && *c.ends_at <= *c.starts_at)
    errors.push_back({"ends_at", "must be after starts_at"});
  if (in.clear_usage_limit) c.usage_limit.reset();
  if (in.usage_limit) {
    if (*in.usage_limit < 1) errors.push_back({"usage_limit", "must be at least 1"});
    c.usage_limit = *in.usage_limit;
  }
  if (in.clear_per_customer_limit) c.per_customer_limit.reset();
  if (in.per_customer_limit) {
    if (*in.per_customer_limit < 1) errors.push_back({"per_customer_limit", "must be at least 1"});
    c.per_customer_limit = *in.per_customer_limit;
  }
  if (c.usage_limit && c.used > *c.usage_limit)
    errors.push_back({"usage_limit", "is below the " + std::to_string(c.used) + " uses so far"});
  if (in.active) c.active = *in.active;
  if (!errors.empty()) return invalid_coupon(std::move(errors));
  return {};
}

Result<Coupon> PricingService::create_coupon(const CouponInput& input) {
  Coupon c;
  c.id = new_id();
  c.currency = settings_.currency;
  c.created_at = c.updated_at = to_iso8601(clock_.now());
  if (auto ok = apply_coupon_input(c, input, true); !ok) return ok.error();
  auto inserted = store_.insert_coupon(c);
  if (!inserted) return inserted.error();
  if (!*inserted)
    return Error::conflict("coupon_code_taken", "a coupon with code " + c.code + " exists");
  return c;
}

Result<Coupon> PricingService::update_coupon(const std::string& id, const CouponInput& input) {
  auto c = coupon(id);
  if (!c) return c;
  if (auto ok = apply_coupon_input(*c, input, false); !ok) return ok.error();
  c->updated_at = to_iso8601(clock_.now());
  auto updated = store_.update_coupon(*c);
  if (!updated) return updated.error();
  if (!*updated)
    return Error::conflict("coupon_code_taken", "a coupon with code " + c->code + " exists");
  return coupon(id);
}

Result<Coupon> PricingService::deactivate_coupon(const std::string& id) {
  CouponInput input;
  input.active = false;
  return update_coupon(id, input);
}

namespace {

Result<void> apply_method_input(ShippingMethod& m, const ShippingMethodInput& in, bool creating) {
  std::vector<FieldError> errors;
  if (in.code) m.code = *in.code;
  if (creating && !in.code)
    errors.push_back({"code", "is required"});
  else if (m.code.empty() || m.code.size() > 40 ||
           !std::all_of(m.code.begin(), m.code.end(), [](char ch) {
             return std::islower(static_cast<unsigned char>(ch)) ||
                    std::isdigit(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
           }))
    errors.push_back({"code", "must be 1–40 lower-case letters, digits, '-' or '_'"});
  if (in.name) m.name = *in.name;
  if (m.name.empty() || m.name.size() > 120) errors.push_back({"name", "must be 1–120 characters"});
  if (in.price_minor) m.price_minor = *in.price_minor;
  if (creating && !in.price_minor) errors.push_back({"price", "is required"});
  if (m.price_minor < 0 || m.price_minor > kMaxAmount)
    errors.push_back({"price", "must be zero or more"});
  if (in.clear_free_above) m.free_above_minor.reset();
  if (in.free_above_minor) {
    if (*in.free_above_minor < 0 || *in.free_above_minor > kMaxAmount)
      errors.push_back({"free_above", "must be zero or more"});
    m.free_above_minor = *in.free_above_minor;
  }
  if (in.min_days) m.min_days = *in.min_days;
  if (in.max_days) m.max_days = *in.max_days;
  if (m.min_days < 0 || m.min_days > 365) errors.push_back({"min_days", "must be 0–365"});
  if (m.max_days < m.min_days || m.max_days > 365)
    errors.push_back({"max_days", "must be from min_days to 365"});
  if (in.countries) {
    m.countries.clear();
    for (const auto& c : *in.countries) {
      auto n = PricingService::normalise_country(c);
      if (!n) {
        errors.push_back({"countries", "must be two-letter ISO 3166-1 codes"});
        break;
      }
      if (std::find(m.countries.begin(), m.countries.end(), *n) == m.countries.end())
        m.countries.push_back(*n);
    }
  }
  if (in.express) m.express = *in.express;
  if (in.active) m.active = *in.active;
  if (in.position) m.position = *in.position;
  if (!errors.empty()) {
    std::string message =
        "the shipping method is not valid: " + errors.front().field + " " + errors.front().message;
    return Error::unprocessable("invalid_shipping_method", message, std::move(errors));
  }
  return {};
}

}  // namespace

Result<std::vector<ShippingMethod>> PricingService::all_shipping_methods() {
  return store_.shipping_methods(settings_.currency, false);
}

Result<ShippingMethod> PricingService::create_shipping_method(const ShippingMethodInput& input) {
  ShippingMethod m;
  m.id = new_id();
  if (auto ok = apply_method_input(m, input, true); !ok) return ok.error();
  auto inserted = store_.insert_shipping_method(m, settings_.currency, to_iso8601(clock_.now()));
  if (!inserted) return inserted.error();
  if (!*inserted)
    return Error::conflict("shipping_method_code_taken",
                           "a shipping method with code " + m.code + " exists");
  return m;
}

Result<ShippingMethod> PricingService::update_shipping_method(const std::string& id,
                                                              const ShippingMethodInput& input) {
  Error missing = Error::not_found("shipping_method_not_found", "no shipping method '" + id + "'");
  if (!is_uuid(id)) return missing;
  auto found = store_.shipping_method_by_id(id);
  if (!found) return found.error();
  if (!*found) return missing;
  ShippingMethod m = std::move(**found);
  if (auto ok = apply_method_input(m, input, false); !ok) return ok.error();
  auto updated = store_.update_shipping_method(m, to_iso8601(clock_.now()));
  if (!updated) return updated.error();
  if (!*updated)
    return Error::conflict("shipping_method_code_taken",
                           "a shipping method with code " + m.code + " exists");
  return m;
}

Result<std::vector<TaxRate>> PricingService::tax_rates() {
  return store_.tax_rates();
}

Result<TaxRate> PricingService::set_tax_rate(const std::string& country, int64_t rate_bp,
                                             const std::string& name) {
  auto c = normalise_country(country);
  if (!c) return c.error();
  if (rate_bp < 0 || rate_bp > kBasisPoints)
    return Error::unprocessable("invalid_tax_rate", "rate must be from 0 to 100 (percent)",
                                {{"rate", "must be from 0 to 100"}});
  if (name.size() > 60)
    return Error::unprocessable("invalid_tax_rate", "name must be at most 60 characters",
                                {{"name", "at most 60 characters"}});
  return store_.upsert_tax_rate(
      TaxRate{*c, rate_bp, name.empty() ? "VAT" : name, to_iso8601(clock_.now())});
}

Result<void> PricingService::delete_tax_rate(const std::string& country) {
  auto c = normalise_country(country);
  if (!c) return c.error();
  auto gone = store_.delete_tax_rate(*c);
  if (!gone) return gone.error();
  if (!*gone) return Error::not_found("tax_rate_not_found", "no tax rate for " + *c);
  return {};
}

}  // namespace fff::pricing
