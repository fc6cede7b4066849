#include "modules/cart/service.hpp"

namespace fff::cart {

CartService::CartService(db::Database& database, const Clock& clock, CartLimits limits)
    : store_(database), clock_(clock), limits_(limits) {}

namespace {
Error todo() {
  return Error::internal("cart: not implemented yet");
}
}  // namespace

Result<Cart> CartService::create(const std::optional<std::string>&) {
  return todo();
}
Result<Cart> CartService::find(const std::string&) {
  return todo();
}
Result<Cart> CartService::find_for(const std::string&, const std::optional<std::string>&) {
  return todo();
}
Result<std::optional<Cart>> CartService::open_cart_of(const std::string&) {
  return todo();
}
Result<Cart> CartService::add_line(const std::string&, const std::string&, int64_t, int64_t) {
  return todo();
}
Result<Cart> CartService::set_quantity(const std::string&, const std::string&, int64_t, int64_t) {
  return todo();
}
Result<std::string> CartService::line_variant(const std::string&, const std::string&) {
  return todo();
}
Result<Cart> CartService::remove_line(const std::string&, const std::string&) {
  return todo();
}
Result<Cart> CartService::set_coupon(const std::string&, const std::optional<std::string>&) {
  return todo();
}
Result<Cart> CartService::claim(const std::string&, const std::string&,
                                const std::map<std::string, int64_t>&) {
  return todo();
}
Result<void> CartService::close_for_order(db::Transaction&, const std::string&,
                                          const std::string&) {
  return todo();
}
Result<Cart> CartService::check_open(Result<Cart> cart) const {
  return cart;
}
bool CartService::expired(const Cart&) const {
  return false;
}

}  // namespace fff::cart
