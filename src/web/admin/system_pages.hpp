// web/admin/system_pages: the shop's settings and the system pages of the admin console, all
// admin-only.
//
//   /admin/settings                 general (as configured, read-only), payment providers
//   /admin/settings/taxes           tax rates per country (set, delete)
//   /admin/settings/shipping[/…]    shipping methods (create, edit, enable/disable)
//   /admin/settings/email           the mail driver; "send test email" through the app's mailer
//   /admin/settings/webhooks[/…]    endpoints (create — secret shown once —, enable/disable,
//                                   delete), delivery log per endpoint, redeliver
//   /admin/system/jobs              jobs by state, dead letters with their error, retry
//   /admin/system/audit             the audit log, filtered, keyset pages
//   /admin/system/staff             staff accounts: create with role and scopes, change them
//   /admin/system/tokens            API tokens: create (shown once), revoke
//
// Every action goes through the owning module's service — the same code the JSON admin API
// runs — and is audited by the admin door like any staff request.
#pragma once

#include <string>
#include <vector>

#include "infra/http/router.hpp"
#include "web/admin/admin.hpp"

namespace fff::accounts {
class AccountService;
}
namespace fff::jobs {
class JobQueue;
}
namespace fff::mail {
class Mailer;
}
namespace fff::pricing {
class PricingService;
}
namespace fff::staff {
class AuditLog;
class SecondFactorService;
class TokenService;
}  // namespace fff::staff
namespace fff::webhooks {
class WebhookService;
}

namespace fff::web::admin {

// One configured value shown on the general settings page, with where it comes from.
struct ConfiguredValue {
  std::string label;   // "Shop currency"
  std::string value;   // "USD"
  std::string source;  // "setting currency (FFF_CURRENCY)"
};

// A payment provider the shop takes money with.
struct PaymentProviderInfo {
  std::string name;         // "simulated_card"
  std::string label;        // "Card (simulated)"
  std::string description;  // what it does
  bool test_mode = false;   // no real money moves
};

struct SystemPageServices {
  pricing::PricingService& pricing;
  webhooks::WebhookService& webhooks;
  jobs::JobQueue& jobs;
  staff::AuditLog& audit;
  staff::TokenService& tokens;
  accounts::AccountService& accounts;
  staff::SecondFactorService& second_factor;  // whether each staff member has two-factor on
  mail::Mailer& mailer;  // the app's mailer: a test email goes where every mail goes
  std::vector<ConfiguredValue> general = {};
  std::vector<PaymentProviderInfo> payment_providers = {};
  std::vector<ConfiguredValue> payment_settings = {};
  std::vector<ConfiguredValue> mail_settings = {};
  std::string mail_driver = {};  // "SMTP" or "Files"
};

void add_system_pages(http::Router& router, const Admin& admin, SystemPageServices services);

}  // namespace fff::web::admin
