#include "flows/checkout.hpp"

#include <set>

#include "core/id.hpp"
#include "flows/order_events.hpp"

namespace fff::flows {
namespace {

constexpr int kAttempts = 5;

Error invalid(const std::string& field, const std::string& message) {
  return Error::unprocessable("invalid_checkout", field + " " + message, {{field, message}});
}

Result<void> check_address(const orders::Address& a, const std::string& prefix) {
  auto need = [&](const std::string& v, const char* name, size_t max) -> Result<void> {
    if (v.empty() || v.size() > max)
      return invalid(prefix + "." + name, "must be 1 to " + std::to_string(max) + " characters");
    for (char c : v)
      if (static_cast<unsigned char>(c) < 0x20)
        return invalid(prefix + "." + name, "must not hold control characters");
    return {};
  };
  if (auto r = need(a.name, "name", 200); !r) return r;
  if (auto r = need(a.line1, "line1", 200); !r) return r;
  if (auto r = need(a.city, "city", 100); !r) return r;
  if (a.line2.size() > 200) return invalid(prefix + ".line2", "must be at most 200 characters");
  if (a.region.size() > 100) return invalid(prefix + ".region", "must be at most 100 characters");
  if (a.postal_code.size() > 20)
    return invalid(prefix + ".postal_code", "must be at most 20 characters");
  if (a.phone.size() > 40) return invalid(prefix + ".phone", "must be at most 40 characters");
  if (a.country.size() != 2 || !std::isupper(static_cast<unsigned char>(a.country[0])) ||
      !std::isupper(static_cast<unsigned char>(a.country[1])))
    return invalid(prefix + ".country", "must be an ISO 3166-1 alpha-2 code such as US");
  return {};
}

Result<CheckoutResult> answer_from_key(CheckoutServices& s, const CheckoutRequest& request,
                                       const orders::OrderStore::KeyRecord& key) {
  if (key.fingerprint != request.fingerprint)
    return Error::unprocessable("idempotency_key_reused",
                                "this Idempotency-Key was used for a different checkout; use a "
                                "new key for a new checkout",
                                {{"Idempotency-Key", "was used for a different checkout"}});
  auto order = s.orders.find(key.order_id);
  if (!order) return order.error();
  if (!order->payment_id) return Error::internal("order " + order->number + " has no payment");
  auto payment = s.payments.find(*order->payment_id);
  if (!payment) return payment.error();
  return CheckoutResult{std::move(*order), std::move(*payment), true};
}

}  // namespace

Result<void> validate_checkout(const CheckoutRequest& r) {
  if (!is_uuid(r.cart_id)) return invalid("cart_id", "must be a cart id");
  auto at = r.email.find('@');
  if (r.email.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= r.email.size() ||
      r.email.find_first_of(" \r\n\t,;<>") != std::string::npos)
    return invalid("email", "must be an email address");
  if (auto a = check_address(r.shipping_address, "shipping_address"); !a) return a;
  if (r.billing_address)
    if (auto a = check_address(*r.billing_address, "billing_address"); !a) return a;
  if (r.shipping_method.empty() || r.shipping_method.size() > 64)
    return invalid("shipping_method", "must name a shipping method");
  if (r.payment_method != "card" && r.payment_method != "cash_on_delivery")
    return Error::unprocessable("invalid_payment_method",
                                "payment.method must be card or cash_on_delivery",
                                {{"payment.method", "must be card or cash_on_delivery"}});
  if (r.locale != "en" && r.locale != "vi") return invalid("locale", "must be en or vi");
  if (r.idempotency_key && (r.idempotency_key->empty() || r.idempotency_key->size() > 200))
    return Error::invalid("invalid_idempotency_key", "Idempotency-Key is 1 to 200 characters",
                          {{"Idempotency-Key", "must be 1 to 200 characters"}});
  return {};
}

Result<CheckoutResult> checkout(CheckoutServices& s, const CheckoutRequest& request) {
  if (auto v = validate_checkout(request); !v) return v.error();
  if (request.idempotency_key) {
    auto seen = s.orders.find_key(*request.idempotency_key);
    if (!seen) return seen.error();
    if (*seen) return answer_from_key(s, request, **seen);
  }

  for (int attempt = 1;; ++attempt) {
    // Read and price outside the transaction; everything that matters is checked again by the
    // conditional writes inside it (cart still open, coupon under its limits, stock on hand).
    auto cart = s.cart.carts.find_for(request.cart_id, request.account_id);
    if (!cart) return cart.error();
    if (cart->status != "open") {
      // A retry with this key may have ordered the cart since we looked the key up.
      if (request.idempotency_key) {
        auto seen = s.orders.find_key(*request.idempotency_key);
        if (!seen) return seen.error();
        if (*seen) return answer_from_key(s, request, **seen);
      }
      return Error::conflict("cart_not_open", "this cart was already checked out");
    }
    if (cart->lines.empty())
      return Error::unprocessable("cart_empty", "the cart has no lines to check out");
    pricing::QuoteRequest options;
    options.shipping_method = request.shipping_method;
    options.country = request.shipping_address.country;
    options.account_id = request.account_id;
    options.email = request.email;
    options.coupon_code = cart->coupon_code;
    auto priced = price_cart(s.cart, *cart, options);
    if (!priced) return priced.error();
    std::vector<inventory::SaleLine> sale;
    for (const auto& l : priced->lines) {
      if (l.warning == "unavailable")
        return Error::unprocessable("variant_unavailable",
                                    (l.sku.empty() ? l.line.variant_id : l.sku) +
                                        " is no longer for sale; remove it from the cart");
      if (l.line.quantity > l.available)
        return Error::conflict("insufficient_stock", "not enough stock of " + l.sku);
      sale.push_back({l.line.variant_id, l.line.quantity, l.sku});
    }
    const pricing::Quote& quote = priced->quote;

    auto tx = s.database.begin();
    if (!tx) {
      if (tx.error().code == "database_busy" && attempt < kAttempts) continue;
      return tx.error();
    }
    std::string order_id = new_id();
    Timestamp now = s.orders.now_time();
    std::string at = to_iso8601(now);
    auto retryable = [&](const Error& e) {
      return (e.code == "serialization_failure" || e.code == "database_busy") &&
             attempt < kAttempts;
    };
    // The body of the transaction; an error rolls it back (tx's destructor).
    auto run = [&]() -> Result<CheckoutResult> {
      if (request.idempotency_key) {
        auto claimed =
            s.orders.claim_key(*tx, *request.idempotency_key, request.fingerprint, order_id);
        if (!claimed) return claimed.error();
        if (!*claimed) {
          // Another request with this key committed while we waited for its row.
          tx->rollback();
          auto seen = s.orders.find_key(*request.idempotency_key);
          if (!seen) return seen.error();
          if (!*seen) return Error::conflict("serialization_failure", "key vanished; retry");
          return answer_from_key(s, request, **seen);
        }
      }
      if (auto closed = s.cart.carts.close_for_order(*tx, request.cart_id, order_id); !closed)
        return closed.error();
      if (auto used =
              s.cart.pricing.redeem(*tx, quote, order_id, request.account_id, request.email);
          !used)
        return used.error();
      auto number = s.orders.next_number(*tx);
      if (!number) return number.error();
      std::string actor = request.account_id ? "customer:" + *request.account_id : "guest";
      auto sold = s.cart.inventory.sell(*tx, sale, "order " + *number, "order:" + *number);
      if (!sold) return sold.error();
      auto payment =
          s.payments.create(*tx, order_id, request.payment_method, quote.total_minor,
                            std::string(currency_code(quote.currency)), request.card_number);
      if (!payment) return payment.error();

      orders::Order o;
      o.id = order_id;
      o.number = *number;
      o.account_id = request.account_id;
      o.payment_status = payment->status;
      o.payment_method = request.payment_method;
      o.payment_id = payment->id;
      o.status = payment->status == "captured" || payment->status == "authorized"
                     ? orders::Status::paid
                 : payment->status == "pending" ? orders::Status::confirmed
                                                : orders::Status::pending_payment;
      o.email = request.email;
      o.locale = request.locale;
      o.currency = std::string(currency_code(quote.currency));
      o.customer_name = request.shipping_address.name;
      for (const auto& pl : priced->lines) {
        orders::OrderLine line;
        line.id = new_id();
        line.variant_id = pl.line.variant_id;
        line.sku = pl.sku;
        line.product_id = pl.product_id;
        line.product_name = pl.product_name;
        line.product_slug = pl.product_slug;
        line.size = pl.size;
        line.colour = pl.colour;
        line.image_key = pl.image_key;
        line.quantity = pl.line.quantity;
        line.unit_price_minor = pl.priced.unit_price_minor;
        line.subtotal_minor = pl.priced.subtotal_minor;
        line.discount_minor = pl.priced.discount_minor;
        line.tax_minor = pl.priced.tax_minor;
        line.total_minor = pl.priced.total_minor;
        o.lines.push_back(std::move(line));
      }
      o.subtotal_minor = quote.subtotal_minor;
      o.discount_minor = quote.discount_minor;
      o.shipping_minor = quote.shipping_minor;
      o.tax_minor = quote.tax_minor;
      o.total_minor = quote.total_minor;
      o.prices_include_tax = quote.prices_include_tax;
      o.coupon_code = quote.coupon_code;
      o.shipping_method_code = quote.shipping ? quote.shipping->code : request.shipping_method;
      o.shipping_method_name = quote.shipping ? quote.shipping->name : request.shipping_method;
      o.shipping_address = request.shipping_address;
      o.billing_address = request.billing_address.value_or(request.shipping_address);
      o.created_at = o.updated_at = at;
      o.timeline.push_back({at, actor, "placed", "order " + o.number + " placed", false});
      std::string paid_detail =
          payment->method == "cash_on_delivery"
              ? "cash on delivery: to be collected at the door"
              : "card ending " + payment->card_last4.value_or("????") + ": " + payment->status;
      o.timeline.push_back(
          {at, "provider:" + payment->provider, "payment_" + payment->status, paid_detail, false});
      std::vector<orders::Allocation> allocations;
      for (const auto& a : *sold) allocations.push_back({a.variant_id, a.location_id, a.quantity});
      if (auto made = s.orders.create(*tx, o, allocations); !made) return made.error();

      if (auto e = publish_order_event(*tx, "order.placed", o, &*payment, {}, now); !e)
        return e.error();
      if (payment->status == "authorized" || payment->status == "captured")
        if (auto e = publish_order_event(*tx, "payment.authorized", o, &*payment, {}, now); !e)
          return e.error();
      if (payment->status == "captured")
        if (auto e = publish_order_event(*tx, "payment.captured", o, &*payment, {}, now); !e)
          return e.error();
      if (auto c = tx->commit(); !c) return c.error();
      return CheckoutResult{std::move(o), std::move(*payment), false};
    };
    auto result = run();
    if (!result) {
      tx->rollback();
      if (retryable(result.error())) continue;
      return result;
    }
    if (!result->replayed) {
      std::vector<std::string> ids;
      for (const auto& l : sale) ids.push_back(l.variant_id);
      s.cart.inventory.stock_changed(ids);
    }
    return result;
  }
}

}  // namespace fff::flows
