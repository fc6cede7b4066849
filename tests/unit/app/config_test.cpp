#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fff::app {
namespace {

// A fake process environment: owns the strings, hands out a NULL-terminated char** view.
class Environment {
 public:
  explicit Environment(std::vector<std::string> vars) : vars_(std::move(vars)) {
    for (auto& v : vars_) pointers_.push_back(v.data());
    pointers_.push_back(nullptr);
  }
  char** get() { return pointers_.data(); }

 private:
  std::vector<std::string> vars_;
  std::vector<char*> pointers_;
};

class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("fff-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(Config, DefaultsMatchTheDocumentation) {
  Environment env({});
  auto c = load_config({}, "", env.get());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->effective_database_url(), "sqlite:./data/fff.db");
  EXPECT_EQ(c->header_limit, 8192u);
  EXPECT_TRUE(c->demo);
  EXPECT_FALSE(c->test_routes);
}

TEST(Config, FlagsBeatEnvironmentWhichBeatsTheFile) {
  ConfigFile file("# shop settings\nlisten = 127.0.0.1:9000\nheader_timeout = 5\nidle_timeout=7\n");
  Environment env({"FFF_HEADER_TIMEOUT=6", "FFF_LISTEN=0.0.0.0:9100", "UNRELATED=1"});
  auto c = load_config({{"listen", "[::1]:9200"}}, file.path(), env.get());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 9200);
  EXPECT_EQ(c->header_timeout, 6);  // environment over file
  EXPECT_EQ(c->idle_timeout, 7);    // file over default
}

TEST(Config, BadEnvironmentValueNamesTheSettingAndItsSource) {
  Environment env({"FFF_HEADER_TIMEOUT=soon"});
  auto c = load_config({}, "", env.get());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "invalid_setting");
  EXPECT_NE(c.error().message.find("header_timeout"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("FFF_HEADER_TIMEOUT"), std::string::npos);
  EXPECT_NE(c.error().message.find("'soon'"), std::string::npos);
}

TEST(Config, BadFlagValueNamesTheFlag) {
  Environment env({});
  auto c = load_config({{"listen", "localhost"}}, "", env.get());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("--listen"), std::string::npos) << c.error().message;
  auto port = load_config({{"listen", "127.0.0.1:70000"}}, "", env.get());
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("port"), std::string::npos);
}

TEST(Config, RefusesOutOfRangeNumbersAndBadBooleans) {
  Environment env({});
  EXPECT_FALSE(load_config({{"handler_threads", "0"}}, "", env.get()));
  EXPECT_FALSE(load_config({{"handler_threads", "4x"}}, "", env.get()));
  EXPECT_FALSE(load_config({{"header_limit", "-1"}}, "", env.get()));
  EXPECT_FALSE(load_config({{"demo", "maybe"}}, "", env.get()));
  EXPECT_FALSE(load_config({{"log_level", "verbose"}}, "", env.get()));
  EXPECT_FALSE(load_config({{"database_url", "mysql://x"}}, "", env.get()));
  auto ok = load_config({{"demo", "off"}, {"database_url", "postgres://u@h/db"}}, "", env.get());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_FALSE(ok->demo);
  EXPECT_EQ(ok->effective_database_url(), "postgres://u@h/db");
}

TEST(Config, FileErrorsNameTheLine) {
  Environment env({});
  ConfigFile unknown("listen = 127.0.0.1:1\nlistne = 127.0.0.1:2\n");
  auto c = load_config({}, unknown.path(), env.get());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find(":2"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("listne"), std::string::npos);

  ConfigFile garbage("just words\n");
  EXPECT_FALSE(load_config({}, garbage.path(), env.get()));
  EXPECT_FALSE(load_config({}, "/nonexistent/fff.conf", env.get()));
}

TEST(Config, EverySettingHasAFlagAnEnvironmentNameAndHelp) {
  for (const auto& s : settings()) {
    EXPECT_FALSE(s.help.empty()) << s.key;
    EXPECT_EQ(s.flag().rfind("--", 0), 0u);
    EXPECT_EQ(s.env().rfind("FFF_", 0), 0u);
    EXPECT_EQ(s.flag().find('_'), std::string::npos) << s.flag();
  }
}

}  // namespace
}  // namespace fff::app
