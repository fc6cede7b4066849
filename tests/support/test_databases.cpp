#include "test_databases.hpp"

#include <libpq-fe.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <stdexcept>

namespace fff::testing {
namespace {

struct ConnectionCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};

// Runs one command on the maintenance database; returns libpq's error text, empty on success.
std::string run_admin(const std::string& server_url, const std::string& sql) {
  std::unique_ptr<PGconn, ConnectionCloser> conn(PQconnectdb(server_url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) return PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, ResultClearer> r(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return PQresultErrorMessage(r.get());
  return {};
}

// The same server URL naming another database: the path after the authority is replaced.
std::string with_database(const std::string& url, const std::string& name) {
  size_t authority = url.find("://");
  if (authority == std::string::npos) {
    throw std::runtime_error("FFF_TEST_POSTGRES_URL must be a postgresql:// URL, got " + url);
  }
  authority += 3;
  size_t query = url.find('?', authority);
  size_t path = url.find('/', authority);
  size_t end = query == std::string::npos ? url.size() : query;
  if (path == std::string::npos || path > end)
    return url.substr(0, end) + "/" + name + url.substr(end);
  return url.substr(0, path + 1) + name + url.substr(end);
}

std::string random_suffix() {
  std::random_device device;
  std::mt19937_64 bits((static_cast<uint64_t>(device()) << 32) ^ device());
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(bits()));
  return out;
}

}  // namespace

std::vector<std::string> storage_configs() {
  return {"sqlite", "postgres"};
}

ScratchDatabase::ScratchDatabase(const std::string& config) : config_(config) {
  if (config == "sqlite") {
    std::string pattern = (std::filesystem::temp_directory_path() / "fff-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    temp_dir_ = pattern;
    url_ = "sqlite:" + temp_dir_ + "/fff.db";
    return;
  }
  if (config != "postgres") throw std::runtime_error("unknown storage config: " + config);

  const char* server = std::getenv("FFF_TEST_POSTGRES_URL");
  if (!server || !*server) {
    throw std::runtime_error(
        "FFF_TEST_POSTGRES_URL is not set; run `make test`, which starts PostgreSQL");
  }
  server_url_ = server;
  database_ = "fff_t_" + random_suffix();
  // Concurrent test processes can collide on the template database; a short retry covers it.
  std::string error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    error = run_admin(server_url_, "CREATE DATABASE " + database_);
    if (error.empty()) break;
  }
  if (!error.empty()) {
    throw std::runtime_error("cannot create scratch database on " + server_url_ + ": " + error);
  }
  url_ = with_database(server_url_, database_);
}

ScratchDatabase::~ScratchDatabase() {
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
  if (!database_.empty()) {
    std::string error =
        run_admin(server_url_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    if (!error.empty())
      std::cerr << "could not drop scratch database " << database_ << ": " << error;
  }
}

}  // namespace fff::testing
