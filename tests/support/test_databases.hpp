// tests/support: what unit and API tests share. Here: a throw-away database per test, for each
// storage configuration fff supports, so every storage test runs on SQLite and on PostgreSQL.
#pragma once

#include <string>
#include <vector>

namespace fff::testing {

// The storage configurations every storage test runs under: {"sqlite", "postgres"}.
std::vector<std::string> storage_configs();

// A database that exists for the life of this object.
//   "sqlite":   a file in a fresh temporary directory, removed afterwards.
//   "postgres": CREATE DATABASE fff_t_<random> on the server named by FFF_TEST_POSTGRES_URL
//               (e.g. postgresql://postgres@127.0.0.1:54329/postgres), dropped WITH (FORCE)
//               afterwards.
// Throws std::runtime_error when the database cannot be made, including when
// FFF_TEST_POSTGRES_URL is unset: a storage test must fail, never skip, without PostgreSQL.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& config);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // The URL to pass to fff::db::Database::open.
  const std::string& url() const { return url_; }

 private:
  std::string config_;
  std::string url_;
  std::string temp_dir_;    // sqlite
  std::string server_url_;  // postgres: the maintenance database the scratch one was made from
  std::string database_;    // postgres
};

}  // namespace fff::testing
