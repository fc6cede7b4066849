// app: the composition root, the one place that knows every concrete type, and the CLI.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "core/error.hpp"
#include "core/metrics.hpp"
#include "infra/db/database.hpp"
#include "infra/http/pipeline.hpp"
#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "infra/kv/kv_store.hpp"

#include "app/demo_shop.hpp"

namespace fff::catalog {
class CatalogService;
}
namespace fff::inventory {
class InventoryService;
}
namespace fff::media {
class MediaService;
}
namespace fff::crypto {
class KeyRing;
}
namespace fff::staff {
class TokenService;
class AuditLog;
class SecondFactorService;
}  // namespace fff::staff

namespace fff::accounts {
class AccountService;
}
namespace fff::crypto {
class KeyRing;
}
namespace fff::mail {
class RecordingMailer;
}
namespace fff::jobs {
class JobQueue;
}
namespace fff::cart {
class CartService;
}
namespace fff::pricing {
class PricingService;
}
namespace fff::orders {
class OrderService;
}
namespace fff::payments {
class PaymentService;
}
namespace fff::notifications {
class Notifier;
}
namespace fff::webhooks {
class WebhookService;
}

namespace fff::http {
class CsrfTokens;
}
namespace fff::web {
class Site;
}
namespace fff::web::admin {
class Admin;
}

namespace fff::app {

// A secret every node of a shop must share: `configured` when set, else the one kept in
// <data_dir>/<file>, else a new one made by `make` and kept there (owner-only, created
// exclusively). `code` names errors ("media_key" → "media_key_unwritable").
Result<std::string> kept_secret(const Config& config, const std::string& configured,
                                const std::string& file, const std::string& code,
                                const std::function<std::string()>& make);
// 32 random bytes as hex.
std::string random_hex_secret();

class App {
 public:
  // Opens the database named by the configuration (creating the data dir for SQLite) and wires
  // every module and route. Error: the database cannot be opened.
  static Result<std::unique_ptr<App>> create(Config config);
  ~App();

  // Applies pending migrations of every module (safe when several nodes start at once), then
  // registers the configured admin token as the "bootstrap admin" API token.
  Result<void> migrate();
  // Loads the demo shop (config().demo_products products, seed 1) when the catalog is empty.
  Result<void> load_demo_shop();
  // Writes the demo shop whatever is there already (`fff seed --demo`); existing rows are kept.
  Result<DemoShopReport> seed_demo_shop(const DemoShopOptions& options);
  // Opens the catalog's search index under <data_dir>/search, rebuilding it when it is missing,
  // damaged or out of step (or always, with `rebuild`), and keeps it current from then on.
  // Error: search_index_locked when another process (a running `fff serve`) has it open.
  Result<void> open_search(const std::function<void(uint64_t, uint64_t)>& progress = {},
                           bool rebuild = false);
  // Re-seals up to `batch` values (phone numbers, addresses, staff TOTP secrets) not sealed under
  // the active master key; returns how many (0: none left). For `fff keys rotate`, which loops
  // until 0 and so resumes wherever an interrupted run stopped.
  Result<size_t> reseal_secrets(size_t batch);
  // How many values reseal_secrets() has left to do.
  Result<size_t> secrets_to_reseal();
  // Creates a staff account (`fff staff add`): role "admin" or "staff" with scopes (catalog,
  // orders, support). Returns the new account's id. Errors: the accounts module's (invalid_email,
  // weak_password, email_taken …).
  Result<std::string> add_staff(const std::string& email, const std::string& name,
                                const std::string& password, const std::string& role,
                                const std::vector<std::string>& scopes);
  // The master key that seals from now on.
  const std::string& active_master_key() const;
  // Serves until SIGINT/SIGTERM. Returns the process exit code. Unless `run_jobs` is false
  // (`fff serve --no-workers`), this process also dispatches events and runs jobs.
  int serve(bool run_jobs = true);
  // Runs only the job queue (`fff worker`) until SIGINT/SIGTERM; with `drain`, until no job is
  // due, then returns. Returns the process exit code.
  int work(bool drain);

  jobs::JobQueue& job_queue() { return *jobs_; }

  const http::Router& router() const { return router_; }
  const Config& config() const { return config_; }

 private:
  explicit App(Config config, std::unique_ptr<db::Database> database);
  void add_system_routes();
  void add_test_routes();
  // Commerce wiring, one file each (wire_*.cpp), called by create() in this order after the
  // catalog, inventory, accounts and staff are built: services, event subscribers, routes.
  Result<void> wire_cart();           // cart + pricing (wire_cart.cpp)
  Result<void> wire_orders();         // orders, payments, checkout (wire_orders.cpp)
  Result<void> wire_notifications();  // mail notifications, webhooks, SMTP (wire_notifications.cpp)
  Result<void> make_mailer();  // the mail driver the settings ask for (wire_notifications.cpp)
  Result<void> wire_events();  // catalog/stock events, search index, job routes (wire_events.cpp)
  Result<void> wire_web();     // the storefront's pages (wire_web.cpp)
  Result<void> wire_admin();   // the admin console's pages (wire_admin.cpp)

  Config config_;
  MetricsRegistry metrics_;
  std::unique_ptr<http::StaffAccess> staff_access_;  // who may use the staff API
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<kv::KeyValueStore> shared_state_;  // memory, or Redis for several nodes
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<inventory::InventoryService> inventory_;
  std::unique_ptr<media::MediaService> media_;
  std::unique_ptr<crypto::KeyRing> key_ring_;  // seals personal data and staff secrets at rest
  // SMTP when smtp_url is set, else <data_dir>/mail/*.eml (wire_notifications.cpp: make_mailer)
  std::unique_ptr<mail::RecordingMailer> mailer_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::string bootstrap_token_;  // the configured admin token
  std::unique_ptr<staff::TokenService> tokens_;
  std::unique_ptr<staff::AuditLog> audit_;
  std::unique_ptr<staff::SecondFactorService> second_factor_;
  std::unique_ptr<jobs::JobQueue> jobs_;  // outbox dispatcher, workers, schedules
  // shared_ptr: each is built in its wire_*.cpp, and App's destructor need not see the types.
  std::shared_ptr<cart::CartService> carts_;
  std::shared_ptr<pricing::PricingService> pricing_;
  std::shared_ptr<orders::OrderService> orders_;
  std::shared_ptr<payments::PaymentService> payments_;
  std::shared_ptr<void> orders_wiring_;  // checkout and order actions (wire_orders.cpp)
  std::shared_ptr<notifications::Notifier> notifier_;
  std::shared_ptr<webhooks::WebhookService> webhooks_;
  std::shared_ptr<const http::CsrfTokens> csrf_tokens_;  // forms on pages carry the token
  std::shared_ptr<web::Site> site_;  // the storefront: templates, strings, assets, page cache
  std::shared_ptr<web::admin::Admin> admin_;  // the admin console (/admin): door, layout, pages
  http::Router router_;
  http::Pipeline pipeline_;
};

}  // namespace fff::app
