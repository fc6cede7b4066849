#include "modules/pricing/service.hpp"

namespace fff::pricing {

namespace {
Error todo() {
  return Error::internal("pricing: not implemented yet");
}
}  // namespace

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

PricingService::PricingService(db::Database& database, const Clock& clock, PricingSettings settings)
    : store_(database), clock_(clock), settings_(settings) {}

Result<Quote> PricingService::quote(const QuoteRequest&) {
  return todo();
}
Result<void> PricingService::redeem(db::Transaction&, const Quote&, const std::string&,
                                    const std::optional<std::string>&, const std::string&) {
  return todo();
}
Result<std::vector<ShippingMethod>> PricingService::shipping_methods(
    const std::optional<std::string>&) {
  return todo();
}
Result<std::string> PricingService::check_coupon(const std::string&, int64_t,
                                                 const std::optional<std::string>&,
                                                 const std::optional<std::string>&) {
  return todo();
}
Result<std::vector<Coupon>> PricingService::coupons() {
  return todo();
}
Result<Coupon> PricingService::coupon(const std::string&) {
  return todo();
}
Result<Coupon> PricingService::create_coupon(const CouponInput&) {
  return todo();
}
Result<Coupon> PricingService::update_coupon(const std::string&, const CouponInput&) {
  return todo();
}
Result<Coupon> PricingService::deactivate_coupon(const std::string&) {
  return todo();
}
Result<std::vector<ShippingMethod>> PricingService::all_shipping_methods() {
  return todo();
}
Result<ShippingMethod> PricingService::create_shipping_method(const ShippingMethodInput&) {
  return todo();
}
Result<ShippingMethod> PricingService::update_shipping_method(const std::string&,
                                                              const ShippingMethodInput&) {
  return todo();
}
Result<std::vector<TaxRate>> PricingService::tax_rates() {
  return todo();
}
Result<TaxRate> PricingService::set_tax_rate(const std::string&, int64_t, const std::string&) {
  return todo();
}
Result<void> PricingService::delete_tax_rate(const std::string&) {
  return todo();
}
std::string PricingService::normalise_code(const std::string& code) {
  return code;
}
Result<std::string> PricingService::normalise_country(const std::string& country) {
  return country;
}
int64_t mul_div_half_up(int64_t a, int64_t b, int64_t c) {
  __int128 n = static_cast<__int128>(a) * b;
  return static_cast<int64_t>((n * 2 + c) / (2 * static_cast<__int128>(c)));
}

}  // namespace fff::pricing
