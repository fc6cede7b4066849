#include "app/app.hpp"
#include "web/site.hpp"

#include <pthread.h>

#include <csignal>

#include <malloc.h>
#include <boost/json/object.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <sodium.h>
#include <unistd.h>

#include "app/demo_shop.hpp"
#include "app/version.hpp"
#include "core/log.hpp"
#include "infra/crypto/key_ring.hpp"
#include "infra/db/migrator.hpp"
#include "infra/http/json.hpp"
#include "infra/http/perimeter.hpp"
#include "infra/http/problem.hpp"
#include "infra/http/server.hpp"
#include "infra/jobs/queue.hpp"
#include "infra/mail/mailer.hpp"
#include "migrations/accounts.hpp"
#include "migrations/cart.hpp"
#include "migrations/catalog.hpp"
#include "migrations/inventory.hpp"
#include "migrations/jobs.hpp"
#include "migrations/media.hpp"
#include "migrations/notifications.hpp"
#include "migrations/orders.hpp"
#include "migrations/payments.hpp"
#include "migrations/pricing.hpp"
#include "migrations/staff.hpp"
#include "migrations/webhooks.hpp"
#include "modules/accounts/api.hpp"
#include "modules/accounts/service.hpp"
#include "modules/catalog/api.hpp"
#include "modules/catalog/service.hpp"
#include "modules/catalog/staff_api.hpp"
#include "modules/inventory/service.hpp"
#include "modules/inventory/staff_api.hpp"
#include "modules/media/api.hpp"
#include "modules/media/imaging.hpp"
#include "modules/media/service.hpp"
#include "modules/media/upload_signature.hpp"
#include "modules/staff/access.hpp"
#include "modules/staff/api.hpp"
#include "modules/staff/audit.hpp"
#include "modules/staff/policy.hpp"
#include "modules/staff/second_factor.hpp"
#include "modules/staff/tokens.hpp"
#include "modules/webhooks/service.hpp"

namespace fff::app {
namespace {

// Every module's migrations, in the order modules depend on each other.
std::vector<db::Migration> all_migrations() {
  std::vector<db::Migration> all;
  for (auto& m : db::jobs_migrations()) all.push_back(std::move(m));
  for (auto& m : db::catalog_migrations()) all.push_back(std::move(m));
  for (auto& m : db::inventory_migrations()) all.push_back(std::move(m));
  for (auto& m : db::media_migrations()) all.push_back(std::move(m));
  for (auto& m : db::accounts_migrations()) all.push_back(std::move(m));
  for (auto& m : db::staff_migrations()) all.push_back(std::move(m));
  for (auto& m : db::cart_migrations()) all.push_back(std::move(m));
  for (auto& m : db::pricing_migrations()) all.push_back(std::move(m));
  for (auto& m : db::orders_migrations()) all.push_back(std::move(m));
  for (auto& m : db::payments_migrations()) all.push_back(std::move(m));
  for (auto& m : db::notifications_migrations()) all.push_back(std::move(m));
  for (auto& m : db::webhooks_migrations()) all.push_back(std::move(m));
  return all;
}

}  // namespace

// A secret every node of a shop must share: the configured one, else the one kept in
// <data_dir>/<file>, else `make()` written there (owner-only, created exclusively so two
// processes starting at once cannot each keep a different one). `code` names errors
// ("media_key" → "media_key_unwritable").
Result<std::string> kept_secret(const Config& config, const std::string& configured,
                                const std::string& file, const std::string& code,
                                const std::function<std::string()>& make) {
  if (!configured.empty()) return configured;
  std::filesystem::path path = std::filesystem::path(config.data_dir) / file;
  auto read = [&]() -> std::string {
    std::ifstream in(path);
    std::string secret;
    std::getline(in, secret);
    return secret;
  };
  if (std::string secret = read(); secret.size() >= 32) return secret;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  std::string secret = make();
  std::filesystem::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << secret << "\n";
    if (!out) return Error::unavailable(code + "_unwritable", "cannot write " + path.string());
  }
  std::filesystem::permissions(
      temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  // link() fails when the file exists: whoever linked first wins and everyone reads theirs.
  if (::link(temp.c_str(), path.c_str()) == 0)
    log::info("secret created", {{"path", path.string()}});
  std::filesystem::remove(temp, ec);
  if (std::string kept = read(); kept.size() >= 32) return kept;
  return Error::unavailable(code + "_unreadable", "cannot read " + path.string());
}

std::string random_hex_secret() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

Result<std::unique_ptr<App>> App::create(Config config) {
  std::string url = config.effective_database_url();
  if (config.database_url.empty()) {  // the default SQLite file lives in the data dir
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec)
      return Error::unavailable("data_dir_unusable",
                                "cannot create data dir " + config.data_dir + ": " + ec.message());
  }
  db::Options options;
  options.pool_size = config.db_pool > 0 ? config.db_pool : config.handler_threads;
  auto app = std::unique_ptr<App>(new App(config, nullptr));
  auto database = db::Database::open(url, options, &app->metrics_);
  if (!database) return database.error();
  app->database_ = std::move(*database);
  auto shared_state = kv::KeyValueStore::open(app->config_.redis_url, app->config_.kv_prefix);
  if (!shared_state) return shared_state.error();
  app->shared_state_ = std::move(*shared_state);
  app->jobs_ = std::make_unique<jobs::JobQueue>(*app->database_, Clock::system(), &app->metrics_);
  // Secrets at rest (phone numbers, addresses, staff TOTP secrets) are sealed under the master
  // keys.
  auto keys = crypto::KeyRing::load(
      app->config_.master_key, std::filesystem::path(app->config_.data_dir) / "master-keys", true);
  if (!keys) return keys.error();
  app->key_ring_ = std::make_unique<crypto::KeyRing>(std::move(*keys));
  // Staff access: the policy decides, the audit log remembers; the configured admin token becomes
  // the "bootstrap admin" API token when migrations have run (migrate()).
  // The bootstrap admin token: the configured one, else the one kept in <data_dir>/admin-token
  // (made there on first start, so `make run` has a staff API without set-up).
  auto token = kept_secret(app->config_, app->config_.admin_token, "admin-token", "admin_token",
                           random_hex_secret);
  if (!token) return token.error();
  app->bootstrap_token_ = std::move(*token);
  app->tokens_ = std::make_unique<staff::TokenService>(*app->database_, Clock::system());
  app->audit_ = std::make_unique<staff::AuditLog>(*app->database_, Clock::system());
  app->second_factor_ = std::make_unique<staff::SecondFactorService>(
      *app->database_, Clock::system(), *app->key_ring_, *app->shared_state_);
  app->staff_access_ = std::make_unique<staff::StaffGate>(
      staff::PolicySettings{.require_admin_totp = app->config_.require_admin_totp}, *app->audit_);
  app->catalog_ = std::make_unique<catalog::CatalogService>(*app->database_, Clock::system());
  app->inventory_ = std::make_unique<inventory::InventoryService>(*app->database_, Clock::system());
  // libvips runs on the handler threads; two per pipeline matches the two cores we plan for.
  media::start_imaging(2);
  auto media_secret = kept_secret(app->config_, app->config_.media_signing_key, "media-key",
                                  "media_key", media::new_signing_secret);
  if (!media_secret) return media_secret.error();
  app->media_ = std::make_unique<media::MediaService>(
      *app->database_, Clock::system(), std::filesystem::path(app->config_.data_dir) / "media",
      *media_secret, &app->metrics_);
  // The catalog's in-stock mirror follows inventory: after every committed movement the variant's
  // availability is re-read and written back. A failure here leaves the mirror stale until the
  // next movement; it never undoes the movement, so it is logged rather than returned.
  app->inventory_->on_stock_changed([catalog = app->catalog_.get(),
                                     inventory = app->inventory_.get()](const std::string& id) {
    auto units = inventory->available({id});
    if (!units) {
      log::warn("stock mirror not updated", {{"variant_id", id}, {"error", units.error().message}});
      return;
    }
    auto it = units->find(id);
    bool in_stock = it != units->end() && it->second > 0;
    if (auto r = catalog->set_variant_in_stock(id, in_stock); !r)
      log::warn("stock mirror not updated", {{"variant_id", id}, {"error", r.error().message}});
  });

  // Accounts: personal data sealed under the master keys; mails over SMTP or as .eml files.
  if (auto made = app->make_mailer(); !made) return made.error();
  auto policy = accounts::PasswordPolicy::load(app->config_.password_list);
  if (!policy) return policy.error();
  accounts::AccountSettings account_settings;
  if (!accounts::parse_hash_cost(app->config_.password_hash, account_settings.hash_cost))
    return Error::invalid("invalid_setting", "password_hash: unknown cost");
  account_settings.session_idle_days = app->config_.session_idle_days;
  account_settings.session_max_days = app->config_.session_max_days;
  account_settings.public_url = app->config_.public_url;
  app->accounts_ = std::make_unique<accounts::AccountService>(*app->database_, *app->shared_state_,
                                                              *app->mailer_, *app->key_ring_,
                                                              std::move(*policy), account_settings);

  auto session_secret = kept_secret(app->config_, app->config_.session_secret, "session-key",
                                    "session_key", random_hex_secret);
  if (!session_secret) return session_secret.error();
  auto csrf_tokens = std::make_shared<const http::CsrfTokens>(*session_secret);
  app->csrf_tokens_ = csrf_tokens;

  // The order matters: the client's address must be known before rate limits count it, and
  // who is calling before CSRF can tell a cookie session from an anonymous request.
  app->pipeline_.use(http::request_id());
  app->pipeline_.use(http::forwarded(app->config_.trusted_proxies));
  app->pipeline_.use(http::observe(app->metrics_));
  app->pipeline_.use(http::security_headers());
  // Inside security headers, outside the barrier: a browser gets the shop's 404 and 500 pages.
  app->pipeline_.use([raw = app.get()](http::Request& req, const http::Next& next) {
    http::Response res = next(req);
    if (raw->site_ && res.status >= 404) return raw->site_->error_page(req, std::move(res));
    return res;
  });
  app->pipeline_.use(http::barrier());
  app->pipeline_.use(http::rate_limit(
      *app->shared_state_, http::RateLimits{.global_per_minute = app->config_.rate_limit_global,
                                            .sensitive_per_minute = 0}));
  // Who is calling: a bearer token (the staff module's; a refused one never reaches a route and
  // staff routes' refusals are audited here), else the session cookie (the accounts module's).
  app->pipeline_.use(staff::authenticate_bearer(
      *app->tokens_,
      [audit = app->audit_.get()](const http::Request& req, const http::Response& r) {
        if (req.route && req.route_pattern().starts_with("/api/v1/admin/"))
          audit->record_request(req, "", r.status);
      }));
  app->pipeline_.use(accounts::authenticate(*app->accounts_));
  app->pipeline_.use(http::rate_limit(
      *app->shared_state_,
      http::RateLimits{.global_per_minute = 0,
                       .sensitive_per_minute = app->config_.rate_limit_sensitive}));
  if (app->config_.csrf) app->pipeline_.use(http::csrf(csrf_tokens, "fff_session"));
  http::add_csrf_route(app->router_, csrf_tokens, "fff_session");

  app->add_system_routes();
  catalog::add_routes(app->router_, *app->catalog_,
                      [inventory = app->inventory_.get()](const std::vector<std::string>& ids) {
                        return inventory->available(ids);
                      });
  // The staff API. Stock is the inventory's and variants the catalog's; each side reaches the
  // other only through these lookups.
  catalog::add_staff_routes(
      app->router_, *app->catalog_, *app->staff_access_,
      [inventory = app->inventory_.get()](const std::vector<std::string>& ids) {
        return inventory->on_hand(ids);
      });
  inventory::add_staff_routes(
      app->router_, *app->inventory_, *app->staff_access_,
      [catalog = app->catalog_.get()](const std::string& sku, const std::string& id)
          -> Result<std::optional<inventory::VariantRef>> {
        auto found = catalog->find_variant(sku, id);
        if (!found) return found.error();
        if (!*found) return std::optional<inventory::VariantRef>{};
        return std::optional<inventory::VariantRef>{
            inventory::VariantRef{(*found)->id, (*found)->sku}};
      });
  media::add_routes(app->router_, *app->media_, *app->staff_access_);
  accounts::add_routes(app->router_, *app->accounts_);
  // Staff accounts live in the accounts module; the staff routes reach them through these.
  auto member = [](const accounts::Account& a) {
    return staff::StaffMember{a.id,     a.email,     a.name, accounts::to_string(a.role),
                              a.scopes, a.created_at};
  };
  staff::StaffDirectory directory{
      .create_staff = [accounts = app->accounts_.get(),
                       member](const staff::NewStaffMember& m) -> Result<staff::StaffMember> {
        auto made = accounts->create_staff_account(m.email, m.name, m.password,
                                                   *accounts::parse_role(m.role), m.scopes);
        if (!made) return made.error();
        return member(*made);
      },
      .set_role = [accounts = app->accounts_.get(), member](
                      const std::string& id, const std::string& role,
                      const std::vector<std::string>& scopes) -> Result<staff::StaffMember> {
        auto changed = accounts->set_role(id, *accounts::parse_role(role), scopes);
        if (!changed) return changed.error();
        return member(*changed);
      },
      .list = [accounts = app->accounts_.get(),
               member]() -> Result<std::vector<staff::StaffMember>> {
        auto all = accounts->staff_accounts();
        if (!all) return all.error();
        std::vector<staff::StaffMember> out;
        for (const auto& a : *all) out.push_back(member(a));
        return out;
      },
      .find = [accounts = app->accounts_.get(),
               member](const std::string& id) -> Result<std::optional<staff::StaffMember>> {
        auto found = accounts->find_account(id);
        if (!found) return found.error();
        if (!*found || (*found)->role == accounts::Role::customer)
          return std::optional<staff::StaffMember>{};
        return std::optional<staff::StaffMember>{member(**found)};
      }};
  staff::add_routes(app->router_,
                    staff::StaffRoutes{.tokens = *app->tokens_,
                                       .audit = *app->audit_,
                                       .second_factor = *app->second_factor_,
                                       .access = *app->staff_access_,
                                       .directory = std::move(directory),
                                       .confirm_second_factor = [accounts = app->accounts_.get()](
                                                                    const std::string& session_id) {
                                         return accounts->confirm_second_factor(session_id);
                                       }});
  for (auto wire : {&App::wire_events, &App::wire_cart, &App::wire_orders, &App::wire_notifications,
                    &App::wire_web, &App::wire_admin}) {
    if (auto wired = (app.get()->*wire)(); !wired) return wired.error();
  }
  if (app->config_.test_routes) app->add_test_routes();
  return app;
}

App::App(Config config, std::unique_ptr<db::Database> database)
    : config_(std::move(config)), database_(std::move(database)) {
  metrics_
      .gauge("fff_build_info", "Build facts of the running binary.",
             {{"version", kVersion}, {"commit", kCommit}})
      .set(1);
}

App::~App() {
  if (jobs_) jobs_->stop();  // no periodic task or handler may run into a half-destroyed App
}

Result<void> App::migrate() {
  auto report = db::migrate(*database_, all_migrations());
  if (!report) return report.error();
  return tokens_->ensure_bootstrap(bootstrap_token_);
}

Result<size_t> App::reseal_secrets(size_t batch) {
  auto personal = accounts_->reseal(batch);
  if (!personal) return personal.error();
  if (*personal >= batch) return *personal;
  auto staff = second_factor_->reseal(batch - *personal);
  if (!staff) return staff.error();
  if (*personal + *staff >= batch) return *personal + *staff;
  auto hooks = webhooks_->reseal(batch - *personal - *staff);
  if (!hooks) return hooks.error();
  return *personal + *staff + *hooks;
}

Result<std::string> App::add_staff(const std::string& email, const std::string& name,
                                   const std::string& password, const std::string& role,
                                   const std::vector<std::string>& scopes) {
  auto parsed = accounts::parse_role(role);
  if (!parsed || *parsed == accounts::Role::customer)
    return Error::invalid("unknown_role", "the role must be admin or staff");
  for (const auto& scope : scopes)
    if (!staff::is_staff_scope(scope))
      return Error::invalid("unknown_scope",
                            "unknown scope \"" + scope + "\": use catalog, orders or support");
  if (name.empty()) return Error::invalid("name_required", "the name must not be empty");
  auto made = accounts_->create_staff_account(
      email, name, password, *parsed,
      *parsed == accounts::Role::admin ? std::vector<std::string>{} : scopes);
  if (!made) return made.error();
  return made->id;
}

Result<size_t> App::secrets_to_reseal() {
  auto personal = accounts_->count_to_reseal();
  if (!personal) return personal.error();
  auto staff = second_factor_->count_to_reseal();
  if (!staff) return staff.error();
  auto hooks = webhooks_->count_to_reseal();
  if (!hooks) return hooks.error();
  return *personal + *staff + *hooks;
}

const std::string& App::active_master_key() const {
  return key_ring_->active_key_id();
}

Result<void> App::load_demo_shop() {
  auto empty = catalog_->is_empty();
  if (!empty) return empty.error();
  if (!*empty || config_.demo_products == 0) return {};
  DemoShopOptions options;
  options.products = config_.demo_products;
  options.images = config_.demo_images;
  auto report = seed_demo_shop(options);
  if (!report) return report.error();
  // Generating the shop held the whole batch in memory; give it back to the system rather than
  // keep it in glibc's free lists for the life of the server.
  ::malloc_trim(0);
  log::info("demo shop loaded", {{"products", report->products_added},
                                 {"variants", report->variants},
                                 {"images", report->images},
                                 {"seconds", report->seconds}});
  return {};
}

Result<DemoShopReport> App::seed_demo_shop(const DemoShopOptions& options) {
  return app::seed_demo_shop(*catalog_, *inventory_, media_.get(), options);
}

Result<void> App::open_search(const std::function<void(uint64_t, uint64_t)>& progress,
                              bool rebuild) {
  auto dir = std::filesystem::path(config_.data_dir) / "search";
  auto opened = catalog_->open_search(dir, progress, rebuild);
  ::malloc_trim(0);  // a rebuild buffers the whole index in memory before its commit
  if (!opened && opened.error().code == "search_index_locked")
    return Error::unavailable("search_index_locked",
                              "the search index in " + dir.string() +
                                  " is open in another fff process (a running `fff serve`?); "
                                  "stop it first, or restart it to rebuild");
  return opened;
}

void App::add_system_routes() {
  router_.add("GET", "/healthz", [](const http::Request&) {
    return http::json_response({{"status", "ok"}});
  });

  router_.add("GET", "/readyz", [this](const http::Request& req) {
    if (auto ping = database_->ping(); !ping)
      return http::problem(Error::unavailable("database_unreachable", ping.error().message),
                           req.request_id);
    auto status = db::status(*database_, all_migrations());
    if (!status) return http::problem(status.error(), req.request_id);
    if (status->pending > 0)
      return http::problem(
          Error::unavailable("migrations_pending",
                             std::to_string(status->pending) + " migrations are not applied yet"),
          req.request_id);
    if (auto ping = shared_state_->ping(); !ping)
      return http::problem(Error::unavailable("shared_state_unreachable", ping.error().message),
                           req.request_id);
    return http::json_response({{"status", "ready"},
                                {"database", db::to_string(database_->dialect())},
                                {"migrations", status->applied},
                                {"shared_state", std::string(shared_state_->kind())}});
  });

  router_.add("GET", "/metrics", [this](const http::Request&) {
    return http::Response::text(200, metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  // The ceiling: a constant answer that touches nothing, so every other figure in `make bench`
  // can be read as a fraction of what the HTTP core alone can do.
  router_.add("GET", "/api/v1/ping", [](const http::Request&) {
    return http::json_response({{"pong", true}});
  });
}

void App::add_test_routes() {
  // Hidden from `fff routes` and the spec; served only with FFF_TEST_ROUTES=1.
  router_.add(
      "GET", "/_test/sleep",
      [](const http::Request& req) {
        int ms = std::atoi(req.query_param("ms").value_or("0").c_str());
        ms = std::clamp(ms, 0, 60'000);
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return http::json_response({{"slept_ms", ms}});
      },
      {}, false);
  router_.add(
      "GET", "/_test/throw",
      [](const http::Request&) -> http::Response {
        throw std::runtime_error("deliberate failure");
      },
      {}, false);
  router_.add(
      "POST", "/_test/echo",
      [](const http::Request& req) {
        auto body = http::json_body(req);
        if (!body) return http::problem(body.error(), req.request_id);
        return http::json_response({{"received", std::move(*body)}});
      },
      http::RouteOptions{.body_limit = 1024}, false);
  // The last mail this process sent to ?to= (whose subject contains ?subject=), with the token
  // of its link, so that API cases can follow verification, reset and unlock links.
  router_.add(
      "GET", "/_test/mail/latest",
      [this](const http::Request& req) {
        auto to = req.query_param("to");
        auto found =
            to ? mailer_->last_sent_to(*to, req.query_param("subject").value_or("")) : std::nullopt;
        if (!found)
          return http::problem(Error::not_found("mail_not_found", "no mail to that address"),
                               req.request_id);
        std::string token;
        if (size_t at = found->text.find("token="); at != std::string::npos) {
          at += 6;
          size_t end = at;
          while (end < found->text.size() &&
                 (std::isalnum(static_cast<unsigned char>(found->text[end])) ||
                  found->text[end] == '-' || found->text[end] == '_'))
            ++end;
          token = found->text.substr(at, end - at);
        }
        return http::json_response(
            {{"subject", found->subject}, {"text", found->text}, {"token", token}});
      },
      {}, false);
}

int App::serve(bool run_jobs) {
  http::ServerOptions options;
  options.host = config_.listen_host;
  options.port = config_.listen_port;
  options.io_threads = config_.io_threads;
  options.handler_threads = config_.handler_threads;
  options.handler_queue = config_.handler_queue;
  options.shutdown_grace = std::chrono::seconds(config_.shutdown_grace);
  options.limits.header_bytes = config_.header_limit;
  options.limits.body_bytes = config_.body_limit;
  options.limits.header_timeout = std::chrono::seconds(config_.header_timeout);
  options.limits.body_timeout = std::chrono::seconds(config_.body_timeout);
  options.limits.idle_timeout = std::chrono::seconds(config_.idle_timeout);
  options.limits.max_connections = config_.max_connections;

  http::Server server(options, router_, pipeline_, metrics_);
  std::string address;
  try {
    address = server.listen();
  } catch (const std::exception& e) {
    log::error("cannot start", {{"error", e.what()}});
    return 1;
  }
  log::info("listening", {{"address", address},
                          {"database", db::to_string(database_->dialect())},
                          {"version", kVersion}});
  // A new shop has nobody who can open the admin console yet: say how to make the first account.
  if (auto staff = accounts_->staff_accounts(); staff && staff->empty())
    log::info(
        "no staff account yet: create one with `fff staff add --email … --name …` (the "
        "password on stdin), then sign in at /admin",
        {{"admin", config_.public_url + "/admin"}});
  jobs_->start(jobs::WorkerOptions{.run_jobs = run_jobs, .threads = config_.job_workers});
  bool clean = server.run(true);
  jobs_->stop();
  if (!clean) {
    log::warn("exiting with requests still in flight");
    std::fflush(stdout);
    std::_Exit(1);  // handlers still running cannot be joined; do not hang the operator
  }
  return 0;
}

int App::work(bool drain) {
  if (drain) {
    // Until nothing is due: what `fff serve --no-workers` left, retries whose time has come.
    int total = 0;
    for (;;) {
      auto ran = jobs_->run_due(100);
      if (!ran) {
        log::error("jobs not drained", {{"error", ran.error().message}});
        return 1;
      }
      total += *ran;
      if (*ran == 0) break;
    }
    log::info("queue drained", {{"jobs", total}});
    return 0;
  }
  // Block the signals in every thread, start the workers, and wait for one.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  jobs_->start(
      jobs::WorkerOptions{.run_jobs = true, .tail_events = false, .threads = config_.job_workers});
  int signal = 0;
  sigwait(&signals, &signal);
  log::info("worker stopping", {{"signal", signal}});
  jobs_->stop();  // lets running jobs finish
  return 0;
}

}  // namespace fff::app
