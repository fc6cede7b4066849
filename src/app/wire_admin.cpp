// The admin console (/admin): the shared door and layout (web::admin::Admin, on the storefront's
// Site for templates and assets), then each area's pages in its own block below.
#include "app/app.hpp"
#include "modules/accounts/service.hpp"
#include "modules/staff/second_factor.hpp"
#include "web/admin/admin.hpp"
#include "web/admin/catalog_pages.hpp"
#include "web/admin/door_pages.hpp"
#include "web/admin/ops_pages.hpp"
#include "web/admin/orders_pages.hpp"
#include "web/admin/system_pages.hpp"
#include "web/site.hpp"

// system: the services behind the settings and system pages
#include <cstdlib>

#include "infra/jobs/queue.hpp"
#include "infra/mail/mailer.hpp"
#include "modules/pricing/service.hpp"
#include "modules/staff/audit.hpp"
#include "modules/staff/tokens.hpp"
#include "modules/webhooks/service.hpp"

namespace fff::app {
namespace {

// --- system: configured values as the settings pages show them ---

// Where a setting's value came from, as far as the process can tell: its environment variable,
// else the default, else the config file or a flag (those two are not told apart after loading).
std::string source_of(const std::string& key, const std::string& value) {
  for (const auto& s : settings()) {
    if (s.key != key) continue;
    if (std::getenv(s.env().c_str()) != nullptr) return "environment " + s.env();
    if (value.empty()) return "not set (setting " + key + ", " + s.env() + ")";
    if (value == s.default_text) return "default (setting " + key + ", " + s.env() + ")";
    return "config file or " + s.flag() + " (setting " + key + ")";
  }
  return "built in";
}

// A URL without its user and password ("postgres://u:p@db/fff" → "postgres://db/fff").
std::string without_credentials(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  auto slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

web::admin::ConfiguredValue value_of(std::string label, const std::string& key,
                                     const std::string& value, std::string shown = {}) {
  return {std::move(label), shown.empty() ? value : std::move(shown), source_of(key, value)};
}

}  // namespace

Result<void> App::wire_admin() {
  web::admin::AdminOptions options{
      .shop_name = "FFF",
      .staff_profile = [accounts = accounts_.get()](const std::string& account_id)
          -> std::optional<web::admin::StaffProfile> {
        auto found = accounts->find_account(account_id);
        if (!found || !*found) return std::nullopt;
        return web::admin::StaffProfile{(*found)->name, (*found)->email};
      },
      .has_second_factor =
          [second_factor = second_factor_.get()](const std::string& account_id) {
            auto on = second_factor->enabled(account_id);
            return !on || *on;  // unknown → ask for the code rather than let it pass
          }};
  admin_ = std::make_shared<web::admin::Admin>(*site_, *staff_access_, std::move(options));

  // --- sign-in, second factor, sign-out, one's own account (lead) ---
  web::admin::add_door_pages(
      router_, *admin_,
      web::admin::DoorPageServices{.accounts = *accounts_, .second_factor = *second_factor_});

  // --- dashboard, inventory, discounts (ops) ---
  web::admin::add_ops_pages(
      router_, *admin_,
      web::admin::OpsPageServices{.orders = *orders_,
                                  .analytics = std::make_shared<orders::SalesAnalytics>(*database_),
                                  .inventory = *inventory_,
                                  .catalog = *catalog_,
                                  .pricing = *pricing_,
                                  .accounts = *accounts_});

  // --- products: list, editor, images, import/export (catalog) ---
  web::admin::add_catalog_pages(
      router_, *admin_,
      web::admin::CatalogPageServices{.catalog = *catalog_, .inventory = *inventory_});

  // --- orders, packing slips, customers (orders) ---
  web::admin::add_orders_pages(
      router_, *admin_,
      web::admin::OrdersPageServices{
          .orders = flows::OrderServices{*orders_, *payments_, *inventory_, *database_},
          .accounts = *accounts_});

  // --- settings, webhooks, jobs, audit, staff, tokens (system) ---
  {
    const Config& c = config_;
    const bool postgres = c.database_url.rfind("postgres", 0) == 0;
    web::admin::SystemPageServices system{.pricing = *pricing_,
                                          .webhooks = *webhooks_,
                                          .jobs = *jobs_,
                                          .audit = *audit_,
                                          .tokens = *tokens_,
                                          .accounts = *accounts_,
                                          .second_factor = *second_factor_,
                                          .mailer = *mailer_};
    system.general = {
        {"Shop name", "FFF", "built in"},
        value_of("Shop currency", "currency", c.currency),
        value_of("Public URL", "public_url", c.public_url),
        value_of("Prices include tax", "prices_include_tax",
                 c.prices_include_tax ? (*c.prices_include_tax ? "true" : "false") : "",
                 pricing_->settings().prices_include_tax ? "yes" : "no"),
        value_of("Data directory", "data_dir", c.data_dir),
        value_of("Database", "database_url", c.database_url,
                 postgres ? "PostgreSQL " + without_credentials(c.database_url)
                          : "SQLite " + (c.database_url.empty() ? c.data_dir + "/fff.db"
                                                                : c.database_url.substr(7))),
        value_of("Shared state", "redis_url", c.redis_url,
                 c.redis_url.empty() ? "in this process's memory"
                                     : "Redis " + without_credentials(c.redis_url)),
        {"Media storage", c.data_dir + "/media", "data directory (setting data_dir)"},
        {"Search index", c.data_dir + "/search", "data directory (setting data_dir)"},
        value_of("Job workers", "job_workers", std::to_string(c.job_workers)),
        value_of("Staff must use two-factor", "require_admin_totp",
                 c.require_admin_totp ? "true" : "false", c.require_admin_totp ? "yes" : "no"),
    };
    system.payment_providers = {
        {"simulated_card", "Card (simulated)",
         "Cards are authorised in-process with test card numbers (4242 4242 4242 4242 succeeds, "
         "4000 0000 0000 0002 is declined); no card network is contacted.",
         true},
        {"cash_on_delivery", "Cash on delivery",
         "The courier collects the total; the payment is captured when staff mark the order "
         "delivered.",
         false}};
    system.payment_settings = {
        value_of("Capture", "payment_capture_mode", c.payment_capture_mode),
        value_of("Unpaid orders cancelled after (minutes)", "order_unpaid_minutes",
                 std::to_string(c.order_unpaid_minutes)),
        value_of("Provider webhook tolerance (seconds)", "payment_webhook_tolerance",
                 std::to_string(c.payment_webhook_tolerance)),
        {"Provider webhook secret",
         c.payment_webhook_secret.empty() ? "kept in " + c.data_dir + "/payment-webhook-key"
                                          : "configured (hidden)",
         c.payment_webhook_secret.empty() ? "made on first start"
                                          : source_of("payment_webhook_secret", "x")}};
    const bool smtp = !c.smtp_url.empty();
    system.mail_driver = smtp ? "SMTP" : "Files";
    system.mail_settings = {
        value_of("Sender", "mail_from", c.mail_from),
        smtp ? value_of("SMTP server", "smtp_url", c.smtp_url, without_credentials(c.smtp_url))
             : web::admin::ConfiguredValue{"Mail folder", c.data_dir + "/mail",
                                           "no smtp_url set: each mail is an .eml file"},
        value_of("SMTP user", "smtp_user", c.smtp_user, c.smtp_user.empty() ? "none" : ""),
        value_of("STARTTLS required", "smtp_starttls", c.smtp_starttls ? "true" : "false",
                 c.smtp_starttls ? "yes" : "no")};
    web::admin::add_system_pages(router_, *admin_, std::move(system));
  }

  return {};
}

}  // namespace fff::app
