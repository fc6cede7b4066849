// App wiring for mail and webhooks: the mail driver the settings ask for, the order
// notifications (a subscriber on the orders and payments events) and the webhooks (a subscriber
// on every event, the delivery jobs and the staff routes).
#include <filesystem>

#include "app/app.hpp"
#include "core/log.hpp"
#include "infra/crypto/key_ring.hpp"
#include "infra/jobs/queue.hpp"
#include "infra/mail/mailer.hpp"
#include "infra/mail/smtp_mailer.hpp"
#include "infra/mail/templates.hpp"
#include "modules/notifications/notifier.hpp"
#include "modules/staff/audit.hpp"
#include "modules/webhooks/api.hpp"
#include "modules/webhooks/service.hpp"

namespace fff::app {

Result<void> App::make_mailer() {
  std::unique_ptr<mail::Mailer> driver;
  if (!config_.smtp_url.empty()) {
    if (auto ok = mail::check_smtp_url(config_.smtp_url); !ok) return ok.error();
    mail::SmtpSettings smtp;
    smtp.url = config_.smtp_url;
    smtp.user = config_.smtp_user;
    smtp.password = config_.smtp_password;
    smtp.starttls = config_.smtp_starttls;
    driver = std::make_unique<mail::SmtpMailer>(std::move(smtp), config_.mail_from);
    // Neither the URL (it may carry credentials) nor the password is logged.
    log::info("mail goes over SMTP",
              {{"starttls", config_.smtp_starttls}, {"auth", !config_.smtp_user.empty()}});
  } else {
    driver = std::make_unique<mail::FileMailer>(std::filesystem::path(config_.data_dir) / "mail",
                                                config_.mail_from);
  }
  mailer_ = std::make_unique<mail::RecordingMailer>(std::move(driver));
  return {};
}

Result<void> App::wire_notifications() {
  notifier_ = std::make_shared<notifications::Notifier>(
      *database_, *mailer_, mail::MailTemplates::builtin(),
      notifications::NotifierSettings{.public_url = config_.public_url, .shop_name = "FFF"});
  notifier_->subscribe(*jobs_);

  webhooks::WebhookSettings settings;
  settings.allow_private = config_.webhooks_allow_private;
  settings.failure_limit = config_.webhook_failure_limit;
  // An endpoint the queue turned off is a change of settings staff should find in the audit log.
  settings.on_disabled = [audit = audit_.get()](const std::string& endpoint_id, int64_t) {
    audit->record_action(staff::Actor{"system", "webhooks"}, "webhook.disabled", "settings:write",
                         endpoint_id, 200);
  };
  webhooks_ = std::make_shared<webhooks::WebhookService>(*database_, *jobs_, *key_ring_, settings);
  webhooks_->register_jobs();
  webhooks::add_staff_routes(router_, *webhooks_, *staff_access_);
  return {};
}

}  // namespace fff::app
