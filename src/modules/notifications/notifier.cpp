#include "modules/notifications/notifier.hpp"

#include <boost/json.hpp>
#include <map>

#include "core/log.hpp"
#include "core/money.hpp"
#include "infra/http/message.hpp"
#include "modules/notifications/store.hpp"

namespace fff::notifications {
namespace {

namespace json = boost::json;

const std::map<std::string, std::string, std::less<>>& template_map() {
  static const std::map<std::string, std::string, std::less<>> map = {
      {"order.placed", "order_placed"},         {"payment.captured", "payment_received"},
      {"order.shipped", "order_shipped"},       {"order.cancelled", "order_cancelled"},
      {"payment.refunded", "payment_refunded"}, {"return.requested", "return_requested"},
      {"return.approved", "return_approved"},   {"return.rejected", "return_rejected"},
      {"return.received", "return_received"},
  };
  return map;
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return "";
}

const json::object* object_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* array_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// MONEY ({"amount":"12.34","currency":"USD"}) for people; null when absent, and when zero if
// `zero_is_null` (a discount of nothing is not shown).
json::value money_of(const json::object& o, std::string_view key, bool zero_is_null = false) {
  const json::object* m = object_of(o, key);
  if (!m) return nullptr;
  std::string amount = text_of(*m, "amount");
  std::string code = text_of(*m, "currency");
  auto currency = parse_currency(code);
  if (!currency) return json::string(amount + " " + code);
  auto parsed = Money::parse(amount, *currency);
  if (!parsed) return json::string(amount + " " + code);
  if (zero_is_null && parsed->minor() == 0) return nullptr;
  return json::string(format_money(*parsed));
}

bool is_web_url(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

std::string url_encode(std::string_view text) {
  return http::percent_encode(text);
}

// Lines of a shipment or a return: [{sku, product_name, quantity}].
json::array item_lines(const json::object* o) {
  json::array out;
  const json::array* lines = o ? array_of(*o, "lines") : nullptr;
  if (!lines) return out;
  for (const auto& l : *lines) {
    if (!l.is_object()) continue;
    out.push_back(json::object{{"product_name", text_of(l.get_object(), "product_name")},
                               {"sku", text_of(l.get_object(), "sku")},
                               {"quantity", text_of(l.get_object(), "quantity")}});
  }
  return out;
}

}  // namespace

const std::vector<std::string>& topics() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const auto& [topic, name] : template_map()) out.push_back(topic);
    return out;
  }();
  return all;
}

std::string template_for(std::string_view topic) {
  auto it = template_map().find(topic);
  return it == template_map().end() ? std::string() : it->second;
}

Result<json::object> mail_data(std::string_view topic, const json::object& data,
                               const NotifierSettings& settings) {
  const json::object* order = object_of(data, "order");
  if (!order)
    return Error::invalid("invalid_event_data",
                          "event " + std::string(topic) + " carries no order object");
  std::string locale = text_of(*order, "locale") == "vi" ? "vi" : "en";
  std::string number = text_of(*order, "number");
  std::string email = text_of(*order, "email");
  json::object out;
  out["shop_name"] = settings.shop_name;
  out["public_url"] = settings.public_url;
  out["locale"] = locale;
  out["customer_name"] = text_of(*order, "customer_name");
  out["order"] = json::object{{"number", number},
                              {"email", email},
                              {"status", text_of(*order, "status")},
                              {"created_at", text_of(*order, "created_at")},
                              // The storefront's guest tracking page.
                              {"link", settings.public_url + "/track?number=" + url_encode(number) +
                                           "&email=" + url_encode(email)}};
  json::array lines;
  if (const json::array* items = array_of(*order, "lines")) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      const json::object& l = item.get_object();
      std::string variant;
      for (const char* key : {"size", "colour"}) {
        std::string part = text_of(l, key);
        if (part.empty()) continue;
        variant += (variant.empty() ? "" : " / ") + part;
      }
      lines.push_back(json::object{{"product_name", text_of(l, "product_name")},
                                   {"sku", text_of(l, "sku")},
                                   {"variant", variant},
                                   {"quantity", text_of(l, "quantity")},
                                   {"unit_price", money_of(l, "unit_price")},
                                   // Price × quantity, so the lines add up to the subtotal
                                   // (the line's "total" includes its tax and discount).
                                   {"total", money_of(l, "subtotal")}});
    }
  }
  out["lines"] = std::move(lines);
  out["totals"] = json::object{{"subtotal", money_of(*order, "subtotal")},
                               {"discount", money_of(*order, "discount", true)},
                               {"shipping", money_of(*order, "shipping")},
                               {"tax", money_of(*order, "tax")},
                               {"total", money_of(*order, "total")}};
  const json::value* include_tax = order->if_contains("prices_include_tax");
  out["prices_include_tax"] = include_tax && include_tax->is_bool() && include_tax->get_bool();
  out["coupon_code"] = text_of(*order, "coupon_code");
  if (const json::object* method = object_of(*order, "shipping_method"))
    out["shipping_method"] = text_of(*method, "name");
  if (const json::object* address = object_of(*order, "shipping_address")) {
    json::object a;
    for (const char* key : {"name", "line1", "line2", "city", "region", "postal_code", "country"})
      a[key] = text_of(*address, key);
    out["shipping_address"] = std::move(a);
  }
  std::string method = text_of(*order, "payment_method");
  if (method == "card")
    out["payment_method"] = locale == "vi" ? "Thẻ" : "Card";
  else if (method == "cash_on_delivery")
    out["payment_method"] = locale == "vi" ? "Thanh toán khi nhận hàng" : "Cash on delivery";
  else
    out["payment_method"] = method;
  if (const json::object* payment = object_of(data, "payment"))
    out["payment"] = json::object{{"amount", money_of(*payment, "amount")},
                                  {"method", text_of(*payment, "method")},
                                  {"status", text_of(*payment, "status")}};
  if (const json::object* refund = object_of(data, "refund"))
    out["refund"] = json::object{{"amount", money_of(*refund, "amount")},
                                 {"reason", text_of(*refund, "reason")}};
  if (const json::object* shipment = object_of(data, "shipment")) {
    std::string tracking_url = text_of(*shipment, "tracking_url");
    json::array shipped = item_lines(shipment);
    bool has_lines = !shipped.empty();
    out["shipment"] =
        json::object{{"carrier", text_of(*shipment, "carrier")},
                     {"tracking_number", text_of(*shipment, "tracking_number")},
                     // Only a web address becomes a link (never javascript: or data:).
                     {"tracking_url", is_web_url(tracking_url) ? tracking_url : std::string()},
                     {"shipped_at", text_of(*shipment, "shipped_at")},
                     {"lines", std::move(shipped)},
                     {"has_lines", has_lines}};
  }
  if (const json::object* ret = object_of(data, "return")) {
    json::array returned = item_lines(ret);
    bool has_lines = !returned.empty();
    out["return"] = json::object{
        {"status", text_of(*ret, "status")}, {"reason", text_of(*ret, "reason")},
        {"note", text_of(*ret, "note")},     {"refund_amount", money_of(*ret, "refund_amount")},
        {"lines", std::move(returned)},      {"has_lines", has_lines}};
  }
  return out;
}

Notifier::Notifier(db::Database& database, mail::Mailer& mailer,
                   const mail::MailTemplates& templates, NotifierSettings settings,
                   const Clock& clock)
    : db_(database),
      mailer_(mailer),
      templates_(templates),
      settings_(std::move(settings)),
      clock_(clock) {}

Result<void> Notifier::handle(const std::string& envelope) {
  boost::system::error_code ec;
  json::value parsed = json::parse(envelope, ec);
  if (ec || !parsed.is_object())
    return Error::invalid("invalid_event", "the job's payload is not an event envelope");
  const json::object& event = parsed.get_object();
  std::string event_id = text_of(event, "id");
  std::string topic = text_of(event, "topic");
  const json::object* data = object_of(event, "data");
  if (event_id.empty() || topic.empty() || !data)
    return Error::invalid("invalid_event", "an event envelope needs id, topic and data");
  std::string name = template_for(topic);
  if (name.empty()) return {};
  SentStore store(db_);
  auto sent = store.was_sent(event_id, name);
  if (!sent) return sent.error();
  if (*sent) return {};
  auto values = mail_data(topic, *data, settings_);
  if (!values) return values.error();
  const json::object& order = (*values)["order"].get_object();
  std::string to = std::string(order.at("email").get_string());
  if (to.empty()) {
    log::info("notification skipped: order has no email", {{"topic", topic}});
    return {};
  }
  auto message =
      templates_.message(name, to, *values, std::string((*values)["locale"].get_string()));
  if (!message) return message.error();
  if (auto handed = mailer_.send(*message); !handed) return handed.error();
  // After the hand-over: a crash in between sends again at the next try, never loses the mail.
  if (auto recorded =
          store.record(event_id, name, topic, text_of(event, "subject"), to_iso8601(clock_.now()));
      !recorded) {
    // The mail is out: retrying the job would send it again, so the job is done all the same.
    log::warn("notification sent but not recorded",
              {{"event_id", event_id}, {"error", recorded.error().code}});
    return {};
  }
  log::info("notification sent", {{"topic", topic}, {"template", name}, {"event_id", event_id}});
  return {};
}

void Notifier::subscribe(jobs::JobQueue& queue) {
  jobs::RetryPolicy retry;
  retry.max_attempts = 10;
  retry.base = std::chrono::seconds(30);
  retry.cap = std::chrono::hours(1);
  queue.subscribe(
      "notifications.mail", topics(), [this](const jobs::Job& job) { return handle_job(job); },
      retry);
}

}  // namespace fff::notifications
