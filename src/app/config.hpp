// app/config: every setting of `fff`, from defaults < config file < environment (FFF_*) <
// command-line flags, validated at start with a message naming the bad setting and its source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"

namespace fff::app {

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string data_dir = "./data";
  std::string database_url;  // empty: SQLite at <data_dir>/fff.db
  std::string redis_url;     // empty: shared state in this process's memory
  std::string kv_prefix;     // put before every shared-state key (several shops on one Redis)
  // The perimeter (infra/http/perimeter.hpp).
  std::vector<std::string> trusted_proxies;
  int rate_limit_global = 3000;   // requests per client address per minute; 0: off
  int rate_limit_sensitive = 20;  // per address and per account on sign-in, tokens…; 0: off
  bool csrf = true;
  // Secret behind CSRF tokens; empty: App keeps a generated one in <data_dir>/session-key.
  std::string session_secret;
  log::Level log_level = log::Level::info;
  int io_threads = 1;
  int handler_threads = 4;
  size_t handler_queue = 256;
  int db_pool = 0;  // 0: as many as handler threads
  size_t max_connections = 1024;
  size_t header_limit = 8 * 1024;
  size_t body_limit = 1024 * 1024;
  int header_timeout = 10;  // seconds
  int body_timeout = 30;
  int idle_timeout = 30;
  int shutdown_grace = 10;
  bool demo = true;
  int64_t demo_products = 2000;
  bool test_routes = false;
  std::string admin_token;  // empty: App keeps a generated one in <data_dir>/admin-token
  // Secret for signing upload URLs; empty: App keeps a generated one in <data_dir>/media-key.
  std::string media_signing_key;
  bool demo_images = true;
  // Master keys sealing personal data, "id:base64key[,…]"; empty: <data_dir>/master-keys.
  std::string master_key;
  std::string password_hash = "interactive";  // Argon2id cost: min | interactive | moderate
  std::string password_list = "/usr/share/john/password.lst";  // common passwords refused
  int session_idle_days = 14;
  int session_max_days = 90;
  std::string public_url = "http://localhost:8080";  // the shop's address, for links in mails
  std::string mail_from = "FFF <no-reply@localhost>";
  // Staff signed in by cookie must pass the second factor (TOTP) before the staff API serves them.
  bool require_admin_totp = false;
  // --- jobs and events (wire_events.cpp) ---
  int job_workers = 2;  // threads running jobs in `fff serve` and `fff worker`
  // --- cart and pricing (wire_cart.cpp) ---
  std::string currency = "USD";  // the shop currency: USD or VND
  // Catalog prices include VAT; unset: true for VND (prices shown with tax), false for USD.
  std::optional<bool> prices_include_tax;
  int64_t cart_max_quantity = 20;  // per cart line
  int64_t cart_max_lines = 50;
  int cart_expiry_days = 30;  // open carts untouched this long are no longer served
  // --- orders and payments (wire_orders.cpp) ---
  std::string payment_capture_mode = "immediate";  // or on_fulfilment (at the first shipment)
  // HMAC-SHA256 key of payment provider webhooks; empty: kept in <data_dir>/payment-webhook-key.
  std::string payment_webhook_secret;
  int payment_webhook_tolerance = 300;  // seconds a webhook's timestamp may be off
  int order_unpaid_minutes = 30;        // pending_payment orders are cancelled after this
  // --- notifications, SMTP and webhooks (wire_notifications.cpp) ---
  std::string smtp_url;       // smtp://host:port or smtps://…; empty: .eml files in data/mail
  std::string smtp_user;      // AUTH user; empty: no AUTH
  std::string smtp_password;  // secret
  bool smtp_starttls = false;
  bool webhooks_allow_private = false;  // endpoints on loopback/private addresses (tests only)
  int webhook_failure_limit = 10;       // consecutive failed deliveries before an endpoint is off

  std::string effective_database_url() const;
};

// One setting: its key (config file), flag (--key-with-dashes), environment variable
// (FFF_KEY), help text and how to apply a textual value.
struct Setting {
  std::string key;
  std::string help;
  std::string default_text;
  // Returns an explanation when `value` is not acceptable.
  std::function<std::optional<std::string>(const std::string& value, Config& config)> apply;

  std::string flag() const;
  std::string env() const;
};

const std::vector<Setting>& settings();

// Loads configuration. `flags` maps setting keys to values given on the command line;
// `config_file` (may be empty) is read as `key = value` lines with '#' comments; `environ`
// is the process environment (FFF_* variables are read from it). Error: invalid_setting with a
// message such as "setting header_timeout (from FFF_HEADER_TIMEOUT): 'x' is not ...".
Result<Config> load_config(const std::map<std::string, std::string>& flags,
                           const std::string& config_file, char** environ_vars);

}  // namespace fff::app
