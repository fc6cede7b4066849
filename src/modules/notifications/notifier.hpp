// modules/notifications: the customer's mails about orders, payments, shipments and returns.
//
// It subscribes to the orders and payments events (the brief's ORDER JSON in `data.order`),
// turns each into a mail from the templates (infra/mail/templates.hpp: order_placed,
// payment_received, order_shipped, order_cancelled, payment_refunded, return_requested,
// return_approved, return_rejected, return_received) in the order's locale, and sends it to the
// order's email. Sending is idempotent per (event id, template): a row in `notifications_sent`
// is written once the mail was handed over, so a job run again after success sends nothing; a
// crash between the two may send twice at worst (at least once, never lost). A failed send is
// an error, so the job is retried with backoff.
//
// Thread-safety: handle() may run on many worker threads at once.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "infra/jobs/queue.hpp"
#include "infra/mail/mailer.hpp"
#include "infra/mail/templates.hpp"

namespace fff::notifications {

struct NotifierSettings {
  std::string public_url = "http://localhost:8080";  // links in mails start with it
  std::string shop_name = "FFF";
};

// The topics this module mails about, and the template each one uses ("order.placed" →
// "order_placed", "payment.captured" → "payment_received"); empty for other topics.
const std::vector<std::string>& topics();
std::string template_for(std::string_view topic);

// The template variables for an event's data (exposed for tests): shop, order number and link,
// lines with money formatted per currency, totals, address, shipment, refund, return.
// Error: invalid "invalid_event_data" when data.order is missing or not an object.
Result<boost::json::object> mail_data(std::string_view topic, const boost::json::object& data,
                                      const NotifierSettings& settings);

class Notifier {
 public:
  Notifier(db::Database& database, mail::Mailer& mailer, const mail::MailTemplates& templates,
           NotifierSettings settings, const Clock& clock = Clock::system());

  // Handles one event envelope ({"id","topic","subject","created_at","data"}): sends its mail
  // unless it was sent before. Ok without sending for topics it does not mail about and orders
  // without an email. Errors: invalid "invalid_event" (not an envelope), "invalid_event_data";
  // the mailer's errors (unavailable "mail_unavailable"); database errors.
  Result<void> handle(const std::string& envelope);
  // As a job handler (the job's payload is the envelope).
  Result<void> handle_job(const jobs::Job& job) { return handle(job.payload); }

  // Subscribes handle_job to topics() as "notifications.mail" (retried up to 10 times, from
  // 30 s backing off to 1 h).
  void subscribe(jobs::JobQueue& queue);

 private:
  db::Database& db_;
  mail::Mailer& mailer_;
  const mail::MailTemplates& templates_;
  NotifierSettings settings_;
  const Clock& clock_;
};

}  // namespace fff::notifications
