#include "app/config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace fff::app {
namespace {

std::optional<long long> parse_integer(const std::string& v) {
  long long out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

// A setting that holds a whole number in [lo, hi].
template <typename T>
Setting integer(std::string key, std::string help, T Config::*field, long long lo, long long hi,
                std::string unit) {
  Config defaults;
  std::string def = std::to_string(defaults.*field);
  return Setting{
      std::move(key), std::move(help), def,
      [field, lo, hi, unit](const std::string& v, Config& c) -> std::optional<std::string> {
        auto n = parse_integer(v);
        if (!n || *n < lo || *n > hi)
          return "'" + v + "' is not a whole number of " + unit + " between " + std::to_string(lo) +
                 " and " + std::to_string(hi);
        c.*field = static_cast<T>(*n);
        return std::nullopt;
      }};
}

Setting boolean(std::string key, std::string help, bool Config::*field) {
  Config defaults;
  return Setting{std::move(key), std::move(help), defaults.*field ? "true" : "false",
                 [field](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v == "1" || v == "true" || v == "yes" || v == "on")
                     c.*field = true;
                   else if (v == "0" || v == "false" || v == "no" || v == "off")
                     c.*field = false;
                   else
                     return "'" + v + "' is not a boolean (true/false, 1/0, yes/no, on/off)";
                   return std::nullopt;
                 }};
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string Config::effective_database_url() const {
  if (!database_url.empty()) return database_url;
  return "sqlite:" + data_dir + "/fff.db";
}

std::string Setting::flag() const {
  std::string f = "--" + key;
  for (auto& ch : f)
    if (ch == '_') ch = '-';
  return f;
}

std::string Setting::env() const {
  std::string e = "FFF_" + key;
  for (auto& ch : e) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return e;
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = [] {
    std::vector<Setting> s;
    s.push_back({"listen", "address to serve on, HOST:PORT (port 0 picks a free one)",
                 "127.0.0.1:8080",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   size_t colon = v.rfind(':');
                   if (colon == std::string::npos || colon == 0)
                     return "'" + v + "' is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)";
                   std::string host = v.substr(0, colon);
                   if (host.size() > 2 && host.front() == '[' && host.back() == ']')
                     host = host.substr(1, host.size() - 2);
                   auto port = parse_integer(v.substr(colon + 1));
                   if (!port || *port < 0 || *port > 65535)
                     return "'" + v + "' has no valid port (0-65535)";
                   c.listen_host = host;
                   c.listen_port = static_cast<uint16_t>(*port);
                   return std::nullopt;
                 }});
    s.push_back({"data_dir", "folder for the SQLite database, media and search index", "./data",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.empty()) return "must not be empty";
                   c.data_dir = v;
                   return std::nullopt;
                 }});
    s.push_back({"database_url",
                 "database: postgres://user@host:port/db, or sqlite:PATH (default: SQLite in the "
                 "data dir)",
                 "sqlite:<data_dir>/fff.db",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (!(v.rfind("postgres://", 0) == 0 || v.rfind("postgresql://", 0) == 0 ||
                         v.rfind("sqlite:", 0) == 0))
                     return "'" + v.substr(0, v.find(':')) +
                            ":…' is not a supported database URL (postgres://… or sqlite:PATH)";
                   c.database_url = v;
                   return std::nullopt;
                 }});
    s.push_back({"redis_url",
                 "shared state of several nodes (rate limits, lockouts): redis://host:port[/db] "
                 "(default: this process's memory, for a single node)",
                 "memory", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.rfind("redis://", 0) != 0 && v != "memory:")
                     return "'" + v + "' is not redis://host:port[/db] or memory:";
                   c.redis_url = v;
                   return std::nullopt;
                 }});
    s.push_back({"kv_prefix",
                 "text put before every shared-state key, so several shops can share one Redis "
                 "database",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   for (char ch : v)
                     if (ch <= ' ' || ch > '~') return "a key prefix is printable ASCII";
                   if (v.size() > 64) return "a key prefix has at most 64 characters";
                   c.kv_prefix = v;
                   return std::nullopt;
                 }});
    s.push_back({"trusted_proxies",
                 "comma-separated addresses of proxies (nginx) whose X-Forwarded-For and "
                 "X-Forwarded-Proto are believed",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   c.trusted_proxies.clear();
                   std::string item;
                   for (size_t i = 0; i <= v.size(); ++i) {
                     if (i < v.size() && v[i] != ',') {
                       if (v[i] != ' ') item.push_back(v[i]);
                       continue;
                     }
                     if (item.empty()) continue;
                     if (item.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos)
                       return "'" + item + "' is not an IP address";
                     c.trusted_proxies.push_back(item);
                     item.clear();
                   }
                   return std::nullopt;
                 }});
    s.push_back(integer("rate_limit_global",
                        "requests per client address per minute on any route before 429 (0: off)",
                        &Config::rate_limit_global, 0, 100'000'000, "requests"));
    s.push_back(integer("rate_limit_sensitive",
                        "requests per client address and per account per minute to sign-in, "
                        "sign-up, password reset and token routes before 429 (0: off)",
                        &Config::rate_limit_sensitive, 0, 100'000'000, "requests"));
    s.push_back(boolean("csrf",
                        "require the CSRF token on unsafe requests of signed-in browsers and "
                        "refuse cross-site ones",
                        &Config::csrf));
    s.push_back({"session_secret",
                 "secret behind CSRF tokens, 32+ characters; every node of a shop needs the same "
                 "one (default: made once and kept in <data_dir>/session-key)",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.size() < 32) return "a session secret needs at least 32 characters";
                   c.session_secret = v;
                   return std::nullopt;
                 }});
    s.push_back({"log_level", "debug, info, warn, error or off", "info",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (!log::parse_level(v, c.log_level))
                     return "'" + v + "' is not one of debug, info, warn, error, off";
                   return std::nullopt;
                 }});
    s.push_back(
        integer("io_threads", "threads doing network I/O", &Config::io_threads, 1, 64, "threads"));
    s.push_back(integer("handler_threads",
                        "threads running request handlers (size for the database)",
                        &Config::handler_threads, 1, 256, "threads"));
    s.push_back(integer("handler_queue",
                        "requests that may wait for a handler thread before 503 + Retry-After",
                        &Config::handler_queue, 0, 1'000'000, "requests"));
    s.push_back(integer("db_pool", "database connections (0: one per handler thread)",
                        &Config::db_pool, 0, 1024, "connections"));
    s.push_back(integer("max_connections", "open client connections before new ones get 503",
                        &Config::max_connections, 1, 1'000'000, "connections"));
    s.push_back(integer("header_limit", "largest request head in bytes (431 beyond)",
                        &Config::header_limit, 1024, 1024 * 1024, "bytes"));
    s.push_back(integer("body_limit",
                        "largest request body in bytes unless a route sets its own (413 beyond)",
                        &Config::body_limit, 0, 1024LL * 1024 * 1024, "bytes"));
    s.push_back(integer("header_timeout", "seconds a client may take to send a request head (408)",
                        &Config::header_timeout, 1, 3600, "seconds"));
    s.push_back(integer("body_timeout", "seconds a client may take to send a request body (408)",
                        &Config::body_timeout, 1, 3600, "seconds"));
    s.push_back(integer("idle_timeout", "seconds an idle keep-alive connection stays open",
                        &Config::idle_timeout, 1, 3600, "seconds"));
    s.push_back(integer("shutdown_grace", "seconds in-flight requests get to finish on SIGTERM",
                        &Config::shutdown_grace, 0, 3600, "seconds"));
    s.push_back(boolean("demo", "load the demo shop into an empty database", &Config::demo));
    s.push_back(integer("demo_products", "products in the demo shop loaded on first start",
                        &Config::demo_products, 0, 1'000'000, "products"));
    s.push_back({"admin_token",
                 "bearer token for the staff API, 24+ characters (default: made once and kept in "
                 "<data_dir>/admin-token)",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.size() < 24) return "a staff token needs at least 24 characters";
                   for (char ch : v)
                     if (ch <= ' ' || ch > '~')
                       return "a staff token is printable ASCII without spaces";
                   c.admin_token = v;
                   return std::nullopt;
                 }});
    s.push_back({"media_signing_key",
                 "secret for signing upload URLs, 32+ characters; every node of a shop needs the "
                 "same one (default: made once and kept in <data_dir>/media-key)",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.size() < 32) return "a media signing key needs at least 32 characters";
                   c.media_signing_key = v;
                   return std::nullopt;
                 }});
    s.push_back(boolean("demo_images",
                        "render a product picture per garment kind and colour for the demo shop",
                        &Config::demo_images));
    s.push_back({"master_key",
                 "master keys sealing personal data and staff TOTP secrets, id:base64key[,…] "
                 "(the last seals; default: made once and kept in <data_dir>/master-keys)",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.find(':') == std::string::npos)
                     return "a master key is id:base64key (32 bytes), several separated by commas";
                   c.master_key = v;
                   return std::nullopt;
                 }});
    s.push_back({"password_hash",
                 "Argon2id cost of password hashes: interactive, moderate, or min (tests only)",
                 "interactive", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v != "interactive" && v != "moderate" && v != "min")
                     return "'" + v + "' is not interactive, moderate or min";
                   c.password_hash = v;
                   return std::nullopt;
                 }});
    s.push_back({"password_list",
                 "list of common passwords refused at sign-up (Debian package john-data)",
                 "/usr/share/john/password.lst",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.empty()) return "must not be empty";
                   c.password_list = v;
                   return std::nullopt;
                 }});
    s.push_back(integer("session_idle_days", "days an unused session stays signed in",
                        &Config::session_idle_days, 1, 365, "days"));
    s.push_back(integer("session_max_days", "days a session lives at most, used or not",
                        &Config::session_max_days, 1, 3650, "days"));
    s.push_back({"public_url", "the shop's public address, for links in emails",
                 "http://localhost:8080",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
                     return "'" + v + "' is not an http:// or https:// URL";
                   c.public_url = v;
                   return std::nullopt;
                 }});
    s.push_back({"mail_from", "sender of the shop's emails", "FFF <no-reply@localhost>",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.empty() || v.find_first_of("\r\n") != std::string::npos)
                     return "must be one line with an address";
                   c.mail_from = v;
                   return std::nullopt;
                 }});
    s.push_back(boolean("require_admin_totp",
                        "staff and admins signed in by cookie must pass two-factor (TOTP) before "
                        "using the staff API (API tokens are exempt)",
                        &Config::require_admin_totp));
    // --- jobs and events ---
    s.push_back(integer("job_workers", "threads running background jobs (mails, webhooks, stock)",
                        &Config::job_workers, 1, 64, "threads"));
    // --- cart and pricing ---
    s.push_back({"currency", "the shop currency: USD or VND (catalog, carts and orders)", "USD",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v != "USD" && v != "VND") return "'" + v + "' is not USD or VND";
                   c.currency = v;
                   return std::nullopt;
                 }});
    s.push_back({"prices_include_tax",
                 "catalog prices include VAT (default: true for VND, false for USD)", "",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v == "1" || v == "true" || v == "yes" || v == "on")
                     c.prices_include_tax = true;
                   else if (v == "0" || v == "false" || v == "no" || v == "off")
                     c.prices_include_tax = false;
                   else if (v.empty())
                     c.prices_include_tax.reset();
                   else
                     return "'" + v + "' is not a boolean (true/false, 1/0, yes/no, on/off)";
                   return std::nullopt;
                 }});
    s.push_back(integer("cart_max_quantity", "most units of one item a cart line may hold",
                        &Config::cart_max_quantity, 1, 1000, "units"));
    s.push_back(integer("cart_max_lines", "most different items a cart may hold",
                        &Config::cart_max_lines, 1, 500, "lines"));
    s.push_back(integer("cart_expiry_days", "days an untouched open cart is kept serving",
                        &Config::cart_expiry_days, 1, 3650, "days"));
    // --- orders and payments ---
    s.push_back({"payment_capture_mode",
                 "when card payments are captured: immediate (at checkout) or on_fulfilment (at "
                 "the first shipment)",
                 "immediate", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v != "immediate" && v != "on_fulfilment")
                     return "'" + v + "' is not immediate or on_fulfilment";
                   c.payment_capture_mode = v;
                   return std::nullopt;
                 }});
    s.push_back({"payment_webhook_secret",
                 "HMAC-SHA256 secret of payment provider webhooks, 32+ characters (default: made "
                 "once and kept in <data_dir>/payment-webhook-key)",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   if (v.size() < 32) return "a webhook secret needs at least 32 characters";
                   c.payment_webhook_secret = v;
                   return std::nullopt;
                 }});
    s.push_back(integer("payment_webhook_tolerance",
                        "seconds a payment webhook's timestamp may differ from the clock",
                        &Config::payment_webhook_tolerance, 1, 3600, "seconds"));
    s.push_back(integer("order_unpaid_minutes",
                        "minutes an order may wait for its payment before it is cancelled and its "
                        "stock released",
                        &Config::order_unpaid_minutes, 1, 10080, "minutes"));
    // --- notifications, SMTP and webhooks ---
    s.push_back({"smtp_url",
                 "SMTP server for the shop's mail, smtp://host:port (STARTTLS with smtp_starttls) "
                 "or smtps://host:port (default: none, mails are written as .eml files under "
                 "<data_dir>/mail)",
                 "", [](const std::string& v, Config& c) -> std::optional<std::string> {
                   bool smtp = v.rfind("smtp://", 0) == 0 && v.size() > 7;
                   bool smtps = v.rfind("smtps://", 0) == 0 && v.size() > 8;
                   if (!v.empty() && !smtp && !smtps)
                     return "'" + v + "' is not an smtp:// or smtps:// URL";
                   c.smtp_url = v;
                   return std::nullopt;
                 }});
    s.push_back({"smtp_user", "user name for SMTP AUTH (default: no AUTH)", "",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   c.smtp_user = v;
                   return std::nullopt;
                 }});
    s.push_back({"smtp_password", "password for SMTP AUTH (secret; never logged)", "",
                 [](const std::string& v, Config& c) -> std::optional<std::string> {
                   c.smtp_password = v;
                   return std::nullopt;
                 }});
    s.push_back(boolean("smtp_starttls", "require STARTTLS on smtp:// before AUTH and the message",
                        &Config::smtp_starttls));
    s.push_back(boolean("webhooks_allow_private",
                        "allow webhook endpoints on loopback, private and link-local addresses "
                        "(for tests; never in production)",
                        &Config::webhooks_allow_private));
    s.push_back(integer("webhook_failure_limit",
                        "consecutive failed deliveries after which a webhook endpoint is disabled",
                        &Config::webhook_failure_limit, 1, 1000, "deliveries"));
    s.push_back(boolean("test_routes",
                        "serve /_test/* routes used by the test suite (never in production)",
                        &Config::test_routes));
    return s;
  }();
  return all;
}

Result<Config> load_config(const std::map<std::string, std::string>& flags,
                           const std::string& config_file, char** environ_vars) {
  Config config;
  auto apply = [&](const Setting& s, const std::string& value,
                   const std::string& source) -> Result<void> {
    if (auto problem = s.apply(value, config))
      return Error::invalid("invalid_setting",
                            "setting " + s.key + " (from " + source + "): " + *problem);
    return {};
  };

  if (!config_file.empty()) {
    std::ifstream in(config_file);
    if (!in)
      return Error::invalid("invalid_setting", "config file " + config_file + " cannot be read");
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::string t = trim(line.substr(0, line.find('#')));
      if (t.empty()) continue;
      size_t eq = t.find('=');
      std::string where = config_file + ":" + std::to_string(number);
      if (eq == std::string::npos)
        return Error::invalid("invalid_setting",
                              where + ": expected `key = value`, got '" + t + "'");
      std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
      const Setting* found = nullptr;
      for (const auto& s : settings())
        if (s.key == key) found = &s;
      if (!found)
        return Error::invalid("invalid_setting", where + ": unknown setting '" + key + "'");
      if (auto r = apply(*found, value, where); !r) return r.error();
    }
  }

  for (const auto& s : settings()) {
    std::string name = s.env();
    for (char** e = environ_vars; e && *e; ++e) {
      std::string_view kv(*e);
      if (kv.size() > name.size() && kv.substr(0, name.size()) == name && kv[name.size()] == '=') {
        if (auto r = apply(s, std::string(kv.substr(name.size() + 1)), name); !r) return r.error();
      }
    }
  }

  for (const auto& s : settings()) {
    auto it = flags.find(s.key);
    if (it != flags.end())
      if (auto r = apply(s, it->second, s.flag()); !r) return r.error();
  }
  return config;
}

}  // namespace fff::app
