#include "infra/crypto/key_ring.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace fff::crypto {
namespace {

// 32 bytes, "AAAA…" in URL-safe base64 without padding.
const std::string kKeyA = "k1:" + std::string(43, 'A');
const std::string kKeyB = "k2:" + std::string(42, 'B') + "A";

std::filesystem::path scratch_file(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("fff-keyring-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir / "master-keys";
}

TEST(KeyRingTest, SealedValueOpensToThePlaintextAndHidesIt) {
  auto ring = KeyRing::parse(kKeyA);
  ASSERT_TRUE(ring) << ring.error().message;
  std::string sealed = ring->seal("+84 912 345 678");
  EXPECT_EQ(sealed.find("912"), std::string::npos);
  EXPECT_EQ(KeyRing::key_id_of(sealed), "k1");
  auto plain = ring->open(sealed);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "+84 912 345 678");
}

TEST(KeyRingTest, SealingTwiceGivesDifferentValues) {
  auto ring = KeyRing::parse(kKeyA);
  ASSERT_TRUE(ring);
  EXPECT_NE(ring->seal("same"), ring->seal("same"));
}

TEST(KeyRingTest, TheLastKeySealsAndOlderKeysStillOpen) {
  auto old_ring = KeyRing::parse(kKeyA);
  auto ring = KeyRing::parse(kKeyA + "," + kKeyB);
  ASSERT_TRUE(old_ring && ring);
  std::string old_value = old_ring->seal("10 Trang Tien");
  EXPECT_EQ(ring->active_key_id(), "k2");
  EXPECT_EQ(KeyRing::key_id_of(ring->seal("x")), "k2");
  auto plain = ring->open(old_value);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "10 Trang Tien");
}

TEST(KeyRingTest, AValueUnderAnUnknownKeyIsRefusedByName) {
  auto ring_b = KeyRing::parse(kKeyB);
  auto ring_a = KeyRing::parse(kKeyA);
  ASSERT_TRUE(ring_a && ring_b);
  auto opened = ring_a->open(ring_b->seal("x"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "master_key_unknown");
}

TEST(KeyRingTest, ATamperedValueDoesNotOpen) {
  auto ring = KeyRing::parse(kKeyA);
  ASSERT_TRUE(ring);
  std::string sealed = ring->seal("secret");
  sealed[sealed.size() - 3] = sealed[sealed.size() - 3] == 'A' ? 'B' : 'A';
  auto opened = ring->open(sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "sealed_value_corrupt");
  EXPECT_FALSE(ring->open("pii1.k1.short"));
  EXPECT_FALSE(ring->open("plain text"));
}

TEST(KeyRingTest, BadKeyTextIsRefusedWithoutEchoingTheKey) {
  for (const std::string& text : {"k1:" + std::string(40, 'Z'), std::string("nocolon"),
                                  "K!:" + std::string(43, 'A'), kKeyA + "," + kKeyA}) {
    auto ring = KeyRing::parse(text);
    ASSERT_FALSE(ring) << text;
    EXPECT_EQ(ring.error().code, "master_key_invalid");
    EXPECT_EQ(ring.error().message.find("ZZZZ"), std::string::npos);
  }
  auto empty = KeyRing::parse("\n# nothing\n");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "master_key_missing");
}

TEST(KeyRingTest, LoadCreatesAnOwnerOnlyKeyFileOnceAndReusesIt) {
  auto file = scratch_file("create");
  auto first = KeyRing::load("", file, true);
  ASSERT_TRUE(first) << first.error().message;
  auto perms = std::filesystem::status(file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
  auto second = KeyRing::load("", file, true);
  ASSERT_TRUE(second);
  auto opened = second->open(first->seal("kept"));
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "kept");
  std::filesystem::remove_all(file.parent_path());
}

TEST(KeyRingTest, LoadWithoutCreateNeedsAKey) {
  auto loaded = KeyRing::load("", scratch_file("absent"), false);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, "master_key_unreadable");
}

TEST(KeyRingTest, TheEnvironmentWinsOverTheFile) {
  auto file = scratch_file("env");
  ASSERT_TRUE(KeyRing::load("", file, true));
  auto ring = KeyRing::load(kKeyB, file, true);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->key_ids(), std::vector<std::string>{"k2"});
  std::filesystem::remove_all(file.parent_path());
}

TEST(KeyRingTest, AddKeyAppendsTheNextIdWhichBecomesActive) {
  auto file = scratch_file("add");
  auto first = KeyRing::load("", file, true);
  ASSERT_TRUE(first);
  std::string old_value = first->seal("before rotation");
  auto id = KeyRing::add_key(file);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, "k2");
  auto ring = KeyRing::load("", file, false);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->active_key_id(), "k2");
  auto opened = ring->open(old_value);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "before rotation");
  std::filesystem::remove_all(file.parent_path());
}

}  // namespace
}  // namespace fff::crypto
