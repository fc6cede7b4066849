#include "modules/cart/service.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/id.hpp"

namespace fff::cart {
namespace {

Error cart_not_found(const std::string& id) {
  return Error::not_found("cart_not_found", "no cart with id '" + id + "'");
}

Error cart_not_open(const Cart& cart) {
  return Error::conflict("cart_not_open",
                         "the cart is " + cart.status + " and can no longer change");
}

Error insufficient_stock(int64_t available, int64_t wanted) {
  std::string message =
      available <= 0 ? "none available" : "only " + std::to_string(available) + " available";
  Error e = Error::conflict("insufficient_stock",
                            message + " (asked for " + std::to_string(wanted) + ")");
  e.fields.push_back({"quantity", std::to_string(std::max<int64_t>(available, 0)) + " available"});
  return e;
}

}  // namespace

CartService::CartService(db::Database& database, const Clock& clock, CartLimits limits)
    : store_(database), clock_(clock), limits_(limits) {}

bool CartService::expired(const Cart& cart) const {
  if (cart.status != "open" || limits_.expiry_days <= 0) return false;
  auto touched = parse_iso8601(cart.updated_at);
  if (!touched) return false;
  return clock_.now() - *touched > std::chrono::hours(24) * limits_.expiry_days;
}

Result<Cart> CartService::check_open(Result<Cart> cart) const {
  if (!cart) return cart;
  if (cart->status != "open") return cart_not_open(*cart);
  return cart;
}

Result<Cart> CartService::create(const std::optional<std::string>& account_id) {
  Cart cart;
  cart.id = new_id();
  cart.account_id = account_id;
  cart.status = "open";
  cart.created_at = cart.updated_at = to_iso8601(clock_.now());
  if (auto done = store_.insert(cart); !done) return done.error();
  return cart;
}

Result<Cart> CartService::find(const std::string& cart_id) {
  if (!is_uuid(cart_id)) return cart_not_found(cart_id);
  auto found = store_.find(cart_id);
  if (!found) return found.error();
  if (!*found) return cart_not_found(cart_id);
  if (expired(**found))
    return Error::not_found("cart_expired", "the cart was left untouched for more than " +
                                                std::to_string(limits_.expiry_days) +
                                                " days; start a new one");
  return std::move(**found);
}

Result<Cart> CartService::find_for(const std::string& cart_id,
                                   const std::optional<std::string>& account_id) {
  auto cart = find(cart_id);
  if (!cart) return cart;
  if (cart->account_id && cart->account_id != account_id) return cart_not_found(cart_id);
  return cart;
}

Result<std::optional<Cart>> CartService::open_cart_of(const std::string& account_id) {
  auto after = clock_.now() - std::chrono::hours(24) * std::max(limits_.expiry_days, 0);
  if (limits_.expiry_days <= 0) after = Timestamp{};
  return store_.newest_open_of(nullptr, account_id, to_iso8601(after));
}

namespace {

// One change to an open cart, in a transaction holding the cart's row: the change runs on the
// locked cart, and the cart is read back after it.
template <typename Change>
Result<Cart> change_cart(CartStore& store, const Clock& clock, const CartLimits& limits,
                         const std::string& cart_id, Change&& change) {
  if (!is_uuid(cart_id)) return cart_not_found(cart_id);
  auto tx = store.database().begin();
  if (!tx) return tx.error();
  std::string now = to_iso8601(clock.now());
  auto locked = store.lock(*tx, cart_id, now);
  if (!locked) return locked.error();
  if (!*locked) return cart_not_found(cart_id);
  Cart& cart = **locked;
  if (cart.status != "open") return cart_not_open(cart);
  (void)limits;
  if (auto done = change(*tx, cart, now); !done) return done.error();
  auto after = store.find(*tx, cart_id);
  if (!after) return after.error();
  if (!*after) return cart_not_found(cart_id);
  if (auto c = tx->commit(); !c) return c.error();
  return std::move(**after);
}

}  // namespace

Result<Cart> CartService::add_line(const std::string& cart_id, const std::string& variant_id,
                                   int64_t quantity, int64_t available) {
  std::string bound = "must be a whole number from 1 to " + std::to_string(limits_.max_quantity);
  if (quantity < 1 || quantity > limits_.max_quantity)
    return Error::unprocessable("invalid_quantity", "quantity " + bound, {{"quantity", bound}});
  // Refuse an expired cart before touching it (touching would revive it).
  if (auto current = find(cart_id); !current) return current.error();
  return change_cart(
      store_, clock_, limits_, cart_id,
      [&](db::Transaction& tx, const Cart& cart, const std::string& now) -> Result<void> {
        auto line = std::find_if(cart.lines.begin(), cart.lines.end(),
                                 [&](const CartLine& l) { return l.variant_id == variant_id; });
        int64_t total = quantity + (line != cart.lines.end() ? line->quantity : 0);
        if (total > limits_.max_quantity)
          return Error::unprocessable(
              "invalid_quantity",
              "at most " + std::to_string(limits_.max_quantity) + " of one item per order (" +
                  std::to_string(total - quantity) + " already in the cart)",
              {{"quantity", bound}});
        if (total > available) return insufficient_stock(available, total);
        if (line != cart.lines.end()) return store_.set_line_quantity(tx, line->id, total);
        if (static_cast<int64_t>(cart.lines.size()) >= limits_.max_lines)
          return Error::unprocessable(
              "too_many_lines",
              "a cart holds at most " + std::to_string(limits_.max_lines) + " different items");
        return store_.insert_line(tx, cart.id, CartLine{new_id(), variant_id, quantity, now});
      });
}

Result<Cart> CartService::set_quantity(const std::string& cart_id, const std::string& line_id,
                                       int64_t quantity, int64_t available) {
  std::string bound = "must be a whole number from 1 to " + std::to_string(limits_.max_quantity);
  if (quantity < 1 || quantity > limits_.max_quantity)
    return Error::unprocessable("invalid_quantity", "quantity " + bound, {{"quantity", bound}});
  if (auto current = find(cart_id); !current) return current.error();
  return change_cart(
      store_, clock_, limits_, cart_id,
      [&](db::Transaction& tx, const Cart& cart, const std::string&) -> Result<void> {
        auto line = std::find_if(cart.lines.begin(), cart.lines.end(),
                                 [&](const CartLine& l) { return l.id == line_id; });
        if (line == cart.lines.end())
          return Error::not_found("cart_line_not_found", "the cart has no line '" + line_id + "'");
        // Lowering a quantity is always allowed; raising it needs the stock.
        if (quantity > line->quantity && quantity > available)
          return insufficient_stock(available, quantity);
        return store_.set_line_quantity(tx, line->id, quantity);
      });
}

Result<std::string> CartService::line_variant(const std::string& cart_id,
                                              const std::string& line_id) {
  auto cart = find(cart_id);
  if (!cart) return cart.error();
  for (const auto& l : cart->lines)
    if (l.id == line_id) return l.variant_id;
  return Error::not_found("cart_line_not_found", "the cart has no line '" + line_id + "'");
}

Result<Cart> CartService::remove_line(const std::string& cart_id, const std::string& line_id) {
  if (auto current = find(cart_id); !current) return current.error();
  return change_cart(
      store_, clock_, limits_, cart_id,
      [&](db::Transaction& tx, const Cart& cart, const std::string&) -> Result<void> {
        auto line = std::find_if(cart.lines.begin(), cart.lines.end(),
                                 [&](const CartLine& l) { return l.id == line_id; });
        if (line == cart.lines.end())
          return Error::not_found("cart_line_not_found", "the cart has no line '" + line_id + "'");
        return store_.delete_line(tx, line->id);
      });
}

Result<Cart> CartService::set_coupon(const std::string& cart_id,
                                     const std::optional<std::string>& code) {
  if (auto current = find(cart_id); !current) return current.error();
  return change_cart(store_, clock_, limits_, cart_id,
                     [&](db::Transaction& tx, const Cart& cart, const std::string&) {
                       return store_.set_coupon(tx, cart.id, code);
                     });
}

Result<Cart> CartService::claim(const std::string& guest_cart_id, const std::string& account_id,
                                const std::map<std::string, int64_t>& available) {
  auto current = find(guest_cart_id);
  if (!current) return current.error();
  if (current->account_id && *current->account_id != account_id)
    return cart_not_found(guest_cart_id);
  if (current->account_id) return check_open(std::move(*current));
  if (current->status != "open") return cart_not_open(*current);

  auto tx = store_.database().begin();
  if (!tx) return tx.error();
  std::string now = to_iso8601(clock_.now());
  auto locked = store_.lock(*tx, guest_cart_id, now);
  if (!locked) return locked.error();
  if (!*locked) return cart_not_found(guest_cart_id);
  Cart guest = std::move(**locked);
  if (guest.account_id && *guest.account_id != account_id) return cart_not_found(guest_cart_id);
  if (guest.status != "open") return cart_not_open(guest);
  if (guest.account_id) {  // claimed meanwhile by the same customer
    if (auto c = tx->commit(); !c) return c.error();
    return guest;
  }
  auto after = clock_.now() - std::chrono::hours(24) * std::max(limits_.expiry_days, 0);
  if (limits_.expiry_days <= 0) after = Timestamp{};
  auto mine = store_.newest_open_of(&*tx, account_id, to_iso8601(after), guest.id);
  if (!mine) return mine.error();
  std::string result_id = guest.id;
  if (!*mine) {
    if (auto d = store_.set_owner(*tx, guest.id, account_id); !d) return d.error();
  } else {
    auto target = store_.lock(*tx, (*mine)->id, now);
    if (!target) return target.error();
    if (!*target) return cart_not_found((*mine)->id);
    Cart& into = **target;
    result_id = into.id;
    int64_t line_count = static_cast<int64_t>(into.lines.size());
    for (const auto& g : guest.lines) {
      auto avail = available.find(g.variant_id);
      int64_t can = avail == available.end() ? 0 : avail->second;
      auto line = std::find_if(into.lines.begin(), into.lines.end(),
                               [&](const CartLine& l) { return l.variant_id == g.variant_id; });
      if (line != into.lines.end()) {
        int64_t merged = std::min({line->quantity + g.quantity, limits_.max_quantity, can});
        if (merged > line->quantity) {
          if (auto d = store_.set_line_quantity(*tx, line->id, merged); !d) return d.error();
        }
        continue;
      }
      int64_t quantity = std::min({g.quantity, limits_.max_quantity, can});
      if (quantity < 1 || line_count >= limits_.max_lines) continue;
      if (auto d =
              store_.insert_line(*tx, into.id, CartLine{new_id(), g.variant_id, quantity, now});
          !d)
        return d.error();
      ++line_count;
    }
    if (!into.coupon_code && guest.coupon_code) {
      if (auto d = store_.set_coupon(*tx, into.id, guest.coupon_code); !d) return d.error();
    }
    if (auto d = store_.set_status(*tx, guest.id, "merged"); !d) return d.error();
  }
  auto result = store_.find(*tx, result_id);
  if (!result) return result.error();
  if (!*result) return cart_not_found(result_id);
  if (auto c = tx->commit(); !c) return c.error();
  return std::move(**result);
}

Result<void> CartService::close_for_order(db::Transaction& tx, const std::string& cart_id,
                                          const std::string& order_id) {
  if (!is_uuid(cart_id)) return cart_not_found(cart_id);
  auto changed = store_.mark_ordered(tx, cart_id, order_id, to_iso8601(clock_.now()));
  if (!changed) return changed.error();
  if (!*changed)
    return Error::conflict("cart_not_open", "the cart was ordered already or is no longer open");
  return {};
}

}  // namespace fff::cart
