// The upload-signing secret: made once per data dir, readable by the owner only, then kept.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/app.hpp"
#include "app/config.hpp"

namespace fff::app {
namespace {

namespace fs = std::filesystem;

std::string read_first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(MediaSigningKey, IsCreatedOnceOwnerOnlyAndKept) {
  fs::path dir = fs::temp_directory_path() / ("fff-media-key-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Config config;
  config.data_dir = dir.string();
  config.admin_token = std::string(24, 'x');
  {
    auto app = App::create(config);
    ASSERT_TRUE(app.ok()) << app.error().message;
  }
  fs::path key = dir / "media-key";
  ASSERT_TRUE(fs::exists(key));
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::string secret = read_first_line(key);
  EXPECT_EQ(secret.size(), 64u);
  {
    auto again = App::create(config);
    ASSERT_TRUE(again.ok());
  }
  EXPECT_EQ(read_first_line(key), secret);
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos)
      left.push_back(entry.path());
  EXPECT_TRUE(left.empty());
  fs::remove_all(dir);
}

TEST(MediaSigningKey, AConfiguredKeyWritesNoFile) {
  fs::path dir = fs::temp_directory_path() / ("fff-media-key-set-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Config config;
  config.data_dir = dir.string();
  config.admin_token = std::string(24, 'x');
  config.media_signing_key = std::string(32, 'k');
  auto app = App::create(config);
  ASSERT_TRUE(app.ok()) << app.error().message;
  EXPECT_FALSE(fs::exists(dir / "media-key"));
  fs::remove_all(dir);
}

TEST(MediaSigningKey, AShortConfiguredKeyIsRefusedNamingTheSetting) {
  auto config = load_config({{"media_signing_key", "too short"}}, "", nullptr);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("media_signing_key"), std::string::npos);
  EXPECT_NE(config.error().message.find("at least 32 characters"), std::string::npos);
}

TEST(MediaSigningKey, DemoImagesCanBeTurnedOff) {
  auto config = load_config({{"demo_images", "off"}}, "", nullptr);
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->demo_images);
  EXPECT_TRUE(Config{}.demo_images);
}

}  // namespace
}  // namespace fff::app
