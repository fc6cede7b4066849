// Password policy (length, common list, email) and Argon2id hashing with upgrades.
#include "modules/accounts/password.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace fff::accounts {
namespace {

TEST(PasswordPolicyTest, LoadsDebiansJohnList) {
  auto policy = PasswordPolicy::load(kDefaultPasswordList);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_GT(policy->size(), 3000u);
  EXPECT_FALSE(policy->check("1234567890", "").ok());
  EXPECT_FALSE(policy->check("BasketBall", "").ok());  // case-insensitive
  EXPECT_TRUE(policy->check("correct horse battery", "").ok());
}

TEST(PasswordPolicyTest, MissingListNamesThePackage) {
  auto policy = PasswordPolicy::load("/nonexistent/password.lst");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, "password_list_missing");
  EXPECT_NE(policy.error().message.find("john-data"), std::string::npos);
}

TEST(PasswordPolicyTest, NeedsTenCharactersCountedAsCharacters) {
  auto policy = PasswordPolicy::with_list({});
  auto short_one = policy.check("123456789", "");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().code, "weak_password");
  EXPECT_TRUE(policy.check("1234567890", "").ok());
  EXPECT_FALSE(policy.check("ááááá", "").ok());  // 10 bytes, 5 characters
  EXPECT_TRUE(policy.check("áááááááááá", "").ok());
}

TEST(PasswordPolicyTest, RefusesOverLongInvalidAndEmailPasswords) {
  auto policy = PasswordPolicy::with_list({});
  EXPECT_TRUE(policy.check(std::string(1024, 'x'), "").ok());
  EXPECT_FALSE(policy.check(std::string(1025, 'x'), "").ok());
  EXPECT_FALSE(policy.check("abcdefghij\xff", "").ok());
  EXPECT_FALSE(policy.check("Ann@Example.com", "ann@example.com").ok());
}

TEST(PasswordPolicyTest, ErrorsNeverQuoteThePassword) {
  auto policy = PasswordPolicy::with_list({"sekritsekrit"});
  auto r = policy.check("SekritSekrit", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("ekrit"), std::string::npos);
  EXPECT_EQ(r.error().fields.at(0).message.find("ekrit"), std::string::npos);
}

TEST(PasswordHasherTest, HashesWithArgon2idAndVerifies) {
  PasswordHasher hasher(HashCost::min);
  auto hash = hasher.hash("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(hasher.verify(*hash, "correct horse battery"));
  EXPECT_FALSE(hasher.verify(*hash, "correct horse batterY"));
  EXPECT_FALSE(hasher.verify("", "correct horse battery"));
  EXPECT_FALSE(hasher.verify_dummy("correct horse battery"));
}

TEST(PasswordHasherTest, SamePasswordHashesDifferently) {
  PasswordHasher hasher(HashCost::min);
  EXPECT_NE(*hasher.hash("correct horse battery"), *hasher.hash("correct horse battery"));
}

TEST(PasswordHasherTest, AHashOfAnotherCostNeedsRehash) {
  PasswordHasher cheap(HashCost::min);
  PasswordHasher interactive(HashCost::interactive);
  auto hash = cheap.hash("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(cheap.needs_rehash(*hash));
  EXPECT_TRUE(interactive.needs_rehash(*hash));
  EXPECT_TRUE(interactive.verify(*hash, "correct horse battery"));  // still readable
}

TEST(PasswordHasherTest, ParsesCostNames) {
  HashCost cost = HashCost::min;
  EXPECT_TRUE(parse_hash_cost("moderate", cost));
  EXPECT_EQ(cost, HashCost::moderate);
  EXPECT_FALSE(parse_hash_cost("fast", cost));
}

TEST(PasswordHasherTest, NoMoreHashesRunAtOnceThanTheGateAllows) {
  PasswordHasher hasher(HashCost::min, 2);
  auto encoded = hasher.hash("a password for the gate test");
  ASSERT_TRUE(encoded);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 6; ++i) {
        EXPECT_TRUE(hasher.verify(*encoded, "a password for the gate test"));
        EXPECT_FALSE(hasher.verify_dummy("anything at all"));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_GE(hasher.peak_at_once(), 1u);
  EXPECT_LE(hasher.peak_at_once(), 2u);
}

}  // namespace
}  // namespace fff::accounts
