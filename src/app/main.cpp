// fff: the whole shop in one binary. Subcommands: serve, worker, migrate, seed, reindex, keys,
// routes, version.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "app/app.hpp"
#include "app/config.hpp"
#include "app/version.hpp"
#include "core/log.hpp"
#include "infra/crypto/key_ring.hpp"

extern char** environ;

namespace {

using fff::app::Config;

// Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage.
int fail_config(const fff::Error& e) {
  std::cerr << "fff: " << e.message << "\n";
  return 2;
}

// "seeding [##########..........]  52%  1040/2000 products" on one line of stderr.
// When stderr is not a terminal (a log file, CI) the bar would be one line per chunk; there
// only every tenth and the last are printed, each on its own line.
class ProgressBar {
 public:
  ProgressBar(std::string what, std::string unit = "products")
      : what_(std::move(what)), unit_(std::move(unit)) {}
  ~ProgressBar() {
    if (drawn_ && terminal_) std::cerr << "\n";
  }
  void operator()(int64_t done, int64_t total) {
    drawn_ = true;
    int64_t percent = total > 0 ? std::min<int64_t>(done * 100 / total, 100) : 100;
    if (!terminal_) {
      int64_t tenth = percent / 10;
      if (tenth == last_tenth_ && done != total) return;
      last_tenth_ = tenth;
      std::cerr << what_ << " " << percent << "%  " << done << "/" << total << " " << unit_ << "\n";
      return;
    }
    constexpr int64_t kWidth = 30;
    std::string bar(static_cast<size_t>(percent * kWidth / 100), '#');
    bar.append(static_cast<size_t>(kWidth) - bar.size(), '.');
    std::cerr << "\r" << what_ << " [" << bar << "] " << percent << "%  " << done << "/" << total
              << " " << unit_ << std::flush;
    if (done >= total) {  // finished: the next bar starts on its own line
      std::cerr << "\n";
      drawn_ = false;
    }
  }

 private:
  std::string what_;
  std::string unit_;
  bool terminal_ = ::isatty(STDERR_FILENO) == 1;
  bool drawn_ = false;
  int64_t last_tenth_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "fff: a fashion shop in one binary (storefront, admin, API) on SQLite or PostgreSQL"};
  cli.require_subcommand(1);
  auto* serve = cli.add_subcommand(
      "serve", "Serve the shop over HTTP (migrates and loads the demo shop first)");
  bool no_workers = false;
  serve->add_flag("--no-workers", no_workers,
                  "Serve HTTP only: leave events and jobs to `fff worker` processes");
  auto* worker = cli.add_subcommand(
      "worker", "Run background jobs (mails, webhooks, stock, schedules) without serving HTTP");
  bool drain = false;
  worker->add_flag("--drain", drain, "Run the jobs that are due, then exit");
  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations, then exit");
  auto* seed = cli.add_subcommand(
      "seed", "Write the demo fashion catalog and its stock into the database, then exit");
  bool seed_demo = false;
  int64_t seed_products = 2000;
  uint64_t seed_value = 1;
  seed->add_flag("--demo", seed_demo,
                 "Generate the demo shop (the only kind of seed so far; required)")
      ->required();
  seed->add_option("--products", seed_products, "How many products (default 2000)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  seed->add_option("--seed", seed_value,
                   "Generator seed: the same seed and size give the same catalog (default 1)");
  auto* reindex = cli.add_subcommand(
      "reindex", "Rebuild the search index (<data_dir>/search) from the database, then exit");
  auto* keys = cli.add_subcommand("keys", "Manage the master keys that seal personal data");
  keys->require_subcommand(1);
  auto* keys_add = keys->add_subcommand(
      "add", "Append a new master key to <data_dir>/master-keys; it seals from the next start");
  auto* keys_rotate = keys->add_subcommand(
      "rotate",
      "Re-seal every value sealed under an older master key with the active one, in batches "
      "(run again to resume after an interruption)");
  size_t rotate_batch = 500;
  keys_rotate->add_option("--batch", rotate_batch, "Values per batch (default 500)")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  auto* staff = cli.add_subcommand("staff", "Manage staff accounts of the admin console");
  staff->require_subcommand(1);
  auto* staff_add = staff->add_subcommand(
      "add",
      "Create a staff account that signs in at /admin; the password is read from the first line "
      "of stdin (or env FFF_STAFF_PASSWORD)");
  std::string staff_email, staff_name, staff_role = "admin";
  std::vector<std::string> staff_scopes;
  staff_add->add_option("--email", staff_email, "Email address to sign in with")->required();
  staff_add->add_option("--name", staff_name, "Full name shown in the admin")->required();
  staff_add->add_option("--role", staff_role, "admin (everything) or staff (default admin)")
      ->check(CLI::IsMember({"admin", "staff"}));
  staff_add
      ->add_option("--scopes", staff_scopes,
                   "For role staff: catalog, orders and/or support (comma-separated)")
      ->delimiter(',');
  auto* routes =
      cli.add_subcommand("routes", "List the public HTTP routes, one `METHOD /path` per line");
  auto* version =
      cli.add_subcommand("version", "Print the version and the commit it was built from");

  std::string config_file;
  std::map<std::string, std::string> values;  // stable storage for CLI11 to write into
  std::vector<std::pair<std::string, CLI::Option*>> given;
  for (auto* sub :
       {serve, worker, migrate, seed, reindex, routes, keys_add, keys_rotate, staff_add}) {
    sub->add_option("--config", config_file,
                    "Config file of `key = value` lines, keys as below without dashes "
                    "(env FFF_CONFIG)");
    for (const auto& s : fff::app::settings()) {
      if (sub == seed && s.key == "demo") continue;  // `seed --demo` is the seed's own flag
      auto* opt =
          sub->add_option(s.flag(), values[s.key],
                          s.help + " (env " + s.env() + "; default " + s.default_text + ")");
      given.emplace_back(s.key, opt);
    }
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (*version) {
    std::cout << "fff " << fff::app::kVersion << " (" << fff::app::kCommit << ")\n";
    return 0;
  }

  std::map<std::string, std::string> flags;
  for (const auto& [key, opt] : given)
    if (opt->count() > 0) flags[key] = values[key];
  if (config_file.empty())
    if (const char* env = std::getenv("FFF_CONFIG")) config_file = env;
  auto config = fff::app::load_config(flags, config_file, environ);
  if (!config) return fail_config(config.error());
  fff::log::init(config->log_level);

  if (*routes) {
    // Routes do not depend on data: wire the app against a throwaway SQLite file, so listing
    // them never touches the configured database.
    char dir_template[] = "/tmp/fff-routes-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (!dir) {
      std::cerr << "fff: cannot create a temporary directory\n";
      return 1;
    }
    Config c = *config;
    c.database_url = std::string("sqlite:") + dir + "/routes.db";
    c.data_dir = dir;  // keys and secrets made on the way land there, not in the real data dir
    c.test_routes = false;
    c.admin_token = std::string(24, 'x');  // never create a token file just to list routes
    c.media_signing_key = std::string(32, 'x');
    c.master_key = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // no key file either
    int rc = 0;
    {
      auto app = fff::app::App::create(c);
      if (app) {
        for (const auto* r : (*app)->router().routes())
          std::cout << r->method << " " << r->pattern << (r->options.page ? "  (page)" : "")
                    << "\n";
      } else {
        rc = fail_config(app.error());
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return rc;
  }

  if (*keys_add) {
    // Two steps on purpose: every serving node must hold the new key (restarted with it) before
    // anything is sealed under it, or a node still on the old ring could not open those values.
    if (!config->master_key.empty()) {
      std::cerr << "fff: the master keys come from FFF_MASTER_KEY (or --master-key); add the new "
                   "key there as `id:base64key` at the end, restart every node, then run `fff "
                   "keys rotate`\n";
      return 2;
    }
    auto file = std::filesystem::path(config->data_dir) / "master-keys";
    auto id = fff::crypto::KeyRing::add_key(file);
    if (!id) {
      std::cerr << "fff: " << id.error().message << "\n";
      return 1;
    }
    std::cout << "added master key " << *id << " to " << file.string()
              << "; restart every node (so each seals with it), then run `fff keys rotate`\n";
    return 0;
  }

  auto app = fff::app::App::create(*config);
  if (!app) {
    fff::log::error("cannot open the database",
                    {{"code", app.error().code}, {"error", app.error().message}});
    return 1;
  }
  if (auto m = (*app)->migrate(); !m) {
    fff::log::error("migration failed", {{"code", m.error().code}, {"error", m.error().message}});
    return 1;
  }
  if (*migrate) {
    fff::log::info("migrations applied", {});
    return 0;
  }
  if (*worker) return (*app)->work(drain);
  if (*staff_add) {
    std::string password;
    if (const char* env = std::getenv("FFF_STAFF_PASSWORD"); env && *env) {
      password = env;
    } else {
      if (::isatty(STDIN_FILENO) == 1) std::cerr << "password for " << staff_email << ": ";
      std::getline(std::cin, password);
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    auto made = (*app)->add_staff(staff_email, staff_name, password, staff_role, staff_scopes);
    if (!made) {
      std::cerr << "fff: " << made.error().message;
      for (const auto& f : made.error().fields)
        std::cerr << " (" << f.field << ": " << f.message << ")";
      std::cerr << "\n";
      return 1;
    }
    std::cout << "staff account " << *made << " created for " << staff_email << " (" << staff_role
              << "); sign in at " << config->public_url << "/admin\n";
    return 0;
  }
  if (*seed) {
    fff::app::DemoShopOptions options;
    options.products = seed_products;
    options.seed = seed_value;
    ProgressBar bar("seeding");
    options.progress = [&bar](int64_t done, int64_t total) { bar(done, total); };
    options.images = config->demo_images;
    ProgressBar pictures("drawing", "images");
    options.image_progress = [&pictures](int64_t done, int64_t total) { pictures(done, total); };
    auto report = (*app)->seed_demo_shop(options);
    if (!report) {
      fff::log::error("seed failed",
                      {{"code", report.error().code}, {"error", report.error().message}});
      return 1;
    }
    std::cout << "seeded " << report->products_added << " new products (" << seed_products
              << " generated, " << report->variants << " variants, " << report->images
              << " images, seed " << seed_value << ") in " << report->seconds << " s\n";
    return 0;
  }
  if (*keys_rotate) {
    auto started = std::chrono::steady_clock::now();
    auto total = (*app)->secrets_to_reseal();
    if (!total) {
      fff::log::error("key rotation failed",
                      {{"code", total.error().code}, {"error", total.error().message}});
      return 1;
    }
    size_t done = 0;
    {
      ProgressBar bar("re-sealing", "values");
      bar(0, static_cast<int64_t>(*total));
      for (;;) {
        auto batch = (*app)->reseal_secrets(rotate_batch);
        if (!batch) {
          fff::log::error("key rotation stopped; run it again to resume",
                          {{"code", batch.error().code}, {"error", batch.error().message}});
          return 1;
        }
        if (*batch == 0) break;
        done += *batch;
        // Values sealed meanwhile by serving nodes still on an old key add to the work.
        bar(static_cast<int64_t>(done), static_cast<int64_t>(std::max(*total, done)));
      }
      if (done < *total) bar(static_cast<int64_t>(*total), static_cast<int64_t>(*total));
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    std::cout << "re-sealed " << done << " values under master key " << (*app)->active_master_key()
              << " in " << took.count() << " s\n";
    return 0;
  }
  if (*reindex) {
    auto started = std::chrono::steady_clock::now();
    {
      ProgressBar bar("indexing");
      auto built = (*app)->open_search(
          [&bar](uint64_t done, uint64_t total) {
            bar(static_cast<int64_t>(done), static_cast<int64_t>(total));
          },
          true);
      if (!built) {
        fff::log::error("reindex failed",
                        {{"code", built.error().code}, {"error", built.error().message}});
        return 1;
      }
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    std::cout << "search index rebuilt in " << took.count() << " s\n";
    return 0;
  }
  if (config->demo) {
    if (auto d = (*app)->load_demo_shop(); !d) {
      fff::log::error("demo shop failed to load",
                      {{"code", d.error().code}, {"error", d.error().message}});
      return 1;
    }
  }
  {
    ProgressBar bar("indexing");
    if (auto s = (*app)->open_search([&bar](uint64_t done, uint64_t total) {
          bar(static_cast<int64_t>(done), static_cast<int64_t>(total));
        });
        !s) {
      fff::log::error("search index failed to open",
                      {{"code", s.error().code}, {"error", s.error().message}});
      return 1;
    }
  }
  return (*app)->serve(!no_workers);
}
