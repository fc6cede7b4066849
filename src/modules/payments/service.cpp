#include "modules/payments/service.hpp"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <charconv>

#include "core/id.hpp"
#include "core/money.hpp"

namespace fff::payments {
namespace {

namespace json = boost::json;

constexpr const char* kColumns =
    "CAST(id AS TEXT), CAST(order_id AS TEXT), provider, method, status, currency, amount_minor, "
    "captured_minor, refunded_minor, capture_mode, card_last4, reference, created_at, updated_at";

Payment from_row(const db::Row& r) {
  Payment p;
  p.id = r.text(0);
  p.order_id = r.text(1);
  p.provider = r.text(2);
  p.method = r.text(3);
  p.status = r.text(4);
  p.currency = r.text(5);
  p.amount_minor = r.int64(6);
  p.captured_minor = r.int64(7);
  p.refunded_minor = r.int64(8);
  p.capture_mode = r.text(9);
  p.card_last4 = r.opt_text(10);
  p.reference = r.text(11);
  p.created_at = r.text(12);
  p.updated_at = r.text(13);
  return p;
}

json::object money(int64_t minor, const std::string& currency) {
  Currency c = parse_currency(currency).value_or(Currency::USD);
  return {{"amount", Money(minor, c).decimal()}, {"currency", currency}};
}

Error illegal(const Payment& p, const std::string& to) {
  return Error::conflict("illegal_transition",
                         "a payment cannot go from " + p.status + " to " + to);
}

std::string hmac_hex(const std::string& secret, const std::string& message) {
  crypto_auth_hmacsha256_state state;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

}  // namespace

json::object payment_json(const Payment& p) {
  return {{"id", p.id},
          {"method", p.method},
          {"provider", p.provider},
          {"status", p.status},
          {"capture_mode", p.capture_mode},
          {"card_last4", p.card_last4 ? json::value(*p.card_last4) : json::value(nullptr)},
          {"amount", money(p.amount_minor, p.currency)},
          {"captured", money(p.captured_minor, p.currency)},
          {"refunded", money(p.refunded_minor, p.currency)}};
}

std::string webhook_signature(const std::string& secret, int64_t timestamp,
                              const std::string& body) {
  std::string t = std::to_string(timestamp);
  return "t=" + t + ",v1=" + hmac_hex(secret, t + "." + body);
}

PaymentService::PaymentService(db::Database& database, const Clock& clock, PaymentSettings settings)
    : db_(database), clock_(clock), settings_(std::move(settings)) {}

Provider& PaymentService::provider(const std::string& name) {
  if (name == cash_.name()) return cash_;
  return card_;
}

Result<Payment> PaymentService::create(db::Transaction& tx, const std::string& order_id,
                                       const std::string& method, int64_t amount_minor,
                                       const std::string& currency,
                                       const std::optional<std::string>& card_number) {
  if (method != "card" && method != "cash_on_delivery")
    return Error::unprocessable("invalid_payment_method",
                                "payment.method must be card or cash_on_delivery",
                                {{"payment.method", "must be card or cash_on_delivery"}});
  Payment p;
  p.id = new_id();
  p.order_id = order_id;
  p.method = method;
  p.provider = method == "card" ? card_.name() : cash_.name();
  p.currency = currency;
  p.amount_minor = amount_minor;
  p.capture_mode = method == "card" ? settings_.capture_mode : "on_delivery";
  auto charge = provider(p.provider).authorize({p.id, amount_minor, currency, card_number});
  if (!charge) return charge.error();
  p.status = charge->status;
  p.reference = charge->reference;
  p.card_last4 = charge->card_last4;
  p.created_at = p.updated_at = to_iso8601(clock_.now());
  if (p.status == "authorized" && p.capture_mode == "immediate") {
    if (auto c = card_.capture(p.reference, amount_minor); !c) return c.error();
    p.status = "captured";
    p.captured_minor = amount_minor;
  }
  auto made = tx.query(
      "INSERT INTO payments (id, order_id, provider, method, status, currency, amount_minor, "
      "captured_minor, refunded_minor, capture_mode, card_last4, reference, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
      {p.id, p.order_id, p.provider, p.method, p.status, p.currency, p.amount_minor,
       p.captured_minor, p.refunded_minor, p.capture_mode,
       p.card_last4 ? db::Value(*p.card_last4) : db::Value(), p.reference, p.created_at,
       p.updated_at});
  if (!made) return made.error();
  return p;
}

Result<Payment> PaymentService::find(const std::string& id) {
  if (!is_uuid(id)) return Error::not_found("payment_not_found", "no such payment");
  auto rows = db_.query(std::string("SELECT ") + kColumns + " FROM payments WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return Error::not_found("payment_not_found", "no such payment");
  return from_row(rows->rows[0]);
}

Result<Payment> PaymentService::lock(db::Transaction& tx, const std::string& id) {
  if (!is_uuid(id)) return Error::not_found("payment_not_found", "no such payment");
  auto rows = tx.query(std::string("UPDATE payments SET updated_at = updated_at WHERE id = $1 "
                                   "RETURNING ") +
                           kColumns,
                       {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return Error::not_found("payment_not_found", "no such payment");
  return from_row(rows->rows[0]);
}

Result<void> PaymentService::save(db::Transaction& tx, Payment& p) {
  p.updated_at = to_iso8601(clock_.now());
  auto r = tx.query(
      "UPDATE payments SET status = $1, captured_minor = $2, refunded_minor = $3, "
      "updated_at = $4 WHERE id = $5",
      {p.status, p.captured_minor, p.refunded_minor, p.updated_at, p.id});
  if (!r) return r.error();
  return {};
}

Result<void> PaymentService::capture(db::Transaction& tx, Payment& p,
                                     std::optional<int64_t> amount) {
  if (p.status != "authorized" && p.status != "pending") return illegal(p, "captured");
  int64_t take = amount.value_or(p.amount_minor);
  if (take < 1 || take > p.amount_minor)
    return Error::unprocessable("invalid_capture",
                                "a capture takes 0.01 up to the authorised amount",
                                {{"amount", "must be more than zero and at most the authorised"}});
  if (auto c = provider(p.provider).capture(p.reference, take); !c) return c;
  p.status = "captured";
  p.captured_minor = take;
  return save(tx, p);
}

Result<void> PaymentService::refund(db::Transaction& tx, Payment& p, int64_t amount,
                                    const std::string& reason) {
  if (p.status != "captured" && p.status != "partially_refunded") return illegal(p, "refunded");
  if (amount < 1)
    return Error::unprocessable("invalid_refund", "a refund is at least one minor unit",
                                {{"amount", "must be more than zero"}});
  if (amount > p.captured_minor - p.refunded_minor)
    return Error::unprocessable("refund_exceeds_captured",
                                "at most " +
                                    Money(p.captured_minor - p.refunded_minor,
                                          parse_currency(p.currency).value_or(Currency::USD))
                                        .decimal() +
                                    " " + p.currency + " can still be refunded",
                                {{"amount", "is more than is left to refund"}});
  if (auto c = provider(p.provider).refund(p.reference, amount); !c) return c;
  p.refunded_minor += amount;
  p.status = p.refunded_minor == p.captured_minor ? "refunded" : "partially_refunded";
  auto r = tx.query(
      "INSERT INTO payment_refunds (id, payment_id, amount_minor, reason, created_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {new_id(), p.id, amount, reason, to_iso8601(clock_.now())});
  if (!r) return r.error();
  return save(tx, p);
}

Result<void> PaymentService::cancel(db::Transaction& tx, Payment& p) {
  if (p.status != "authorized" && p.status != "requires_action" && p.status != "pending")
    return illegal(p, "voided");
  if (auto c = provider(p.provider).cancel(p.reference); !c) return c;
  p.status = "voided";
  return save(tx, p);
}

Result<void> PaymentService::confirm(db::Transaction& tx, Payment& p) {
  if (p.status != "requires_action") return illegal(p, "authorized");
  p.status = "authorized";
  if (p.capture_mode == "immediate") {
    if (auto c = provider(p.provider).capture(p.reference, p.amount_minor); !c) return c;
    p.status = "captured";
    p.captured_minor = p.amount_minor;
  }
  return save(tx, p);
}

Result<void> PaymentService::fail(db::Transaction& tx, Payment& p) {
  if (p.status != "requires_action") return illegal(p, "failed");
  p.status = "failed";
  return save(tx, p);
}

Result<WebhookEvent> PaymentService::verify_webhook(const std::string& provider_name,
                                                    const std::optional<std::string>& header,
                                                    const std::string& body) {
  if (provider_name != card_.name() && provider_name != cash_.name())
    return Error::not_found("unknown_provider", "no payment provider '" + provider_name + "'");
  if (!header || header->empty())
    return Error::invalid("missing_signature", "the FFF-Signature header is missing");
  // t=<unix seconds>,v1=<64 hex>
  std::string t, v1;
  size_t start = 0;
  while (start <= header->size()) {
    size_t end = header->find(',', start);
    if (end == std::string::npos) end = header->size();
    std::string part = header->substr(start, end - start);
    if (part.rfind("t=", 0) == 0) t = part.substr(2);
    if (part.rfind("v1=", 0) == 0) v1 = part.substr(3);
    start = end + 1;
  }
  int64_t stamp = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), stamp);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || v1.size() != 64)
    return Error::invalid("malformed_signature",
                          "FFF-Signature must be t=<unix seconds>,v1=<hex HMAC-SHA256>");
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  if (stamp < now - settings_.webhook_tolerance.count() ||
      stamp > now + settings_.webhook_tolerance.count())
    return Error::unprocessable("timestamp_out_of_tolerance",
                                "the webhook timestamp is more than " +
                                    std::to_string(settings_.webhook_tolerance.count()) +
                                    " seconds from now");
  std::string expected = hmac_hex(settings_.webhook_secret, t + "." + body);
  if (sodium_memcmp(expected.data(), v1.data(), expected.size()) != 0)
    return Error::unauthenticated("invalid_signature",
                                  "the webhook signature does not match its body");
  boost::system::error_code jec;
  auto v = json::parse(body, jec);
  auto field = [&](const char* k) -> std::string {
    if (jec || !v.is_object()) return "";
    const auto* f = v.get_object().if_contains(k);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  WebhookEvent e{provider_name, field("id"), field("type"), field("payment_id")};
  if (e.id.empty() || e.id.size() > 200 || e.type.empty() || e.payment_id.empty())
    return Error::invalid("invalid_webhook",
                          "a webhook is a JSON object with id, type and payment_id");
  if (e.type != "payment.authorized" && e.type != "payment.failed" && e.type != "payment.captured")
    return Error::unprocessable(
        "unknown_webhook_type",
        "type must be payment.authorized, payment.failed or payment.captured");
  return e;
}

Result<bool> PaymentService::claim_webhook(db::Transaction& tx, const WebhookEvent& e) {
  auto r = tx.query(
      "INSERT INTO payment_webhook_events (provider, event_id, received_at) VALUES ($1, $2, $3) "
      "ON CONFLICT DO NOTHING",
      {e.provider, e.id, to_iso8601(clock_.now())});
  if (!r) return r.error();
  return r->affected == 1;
}

}  // namespace fff::payments
