// TOTP: the RFC 6238 vectors, then enrolment, replay, the ±1 step window, recovery codes,
// the per-account limit on wrong codes and re-sealing — on every storage config.
#include "modules/staff/second_factor.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"
#include "modules/staff/totp.hpp"

namespace fff::staff {
namespace {

using testing::describe;

constexpr std::string_view kRfcKey = "12345678901234567890";

TEST(Totp, Rfc6238AppendixBVectorsSha1) {
  struct Vector {
    int64_t time;
    const char* code;
  };
  for (auto v : {Vector{59, "94287082"}, Vector{1111111109, "07081804"},
                 Vector{1111111111, "14050471"}, Vector{1234567890, "89005924"},
                 Vector{2000000000, "69279037"}, Vector{20000000000, "65353130"}})
    EXPECT_EQ(totp::hotp(kRfcKey, static_cast<uint64_t>(totp::step_at(v.time)), 8), v.code)
        << v.time;
}

TEST(Totp, SixDigitCodesKeepLeadingZeros) {
  // RFC 4226 appendix D, count 0..2 (six digits).
  EXPECT_EQ(totp::hotp(kRfcKey, 0), "755224");
  EXPECT_EQ(totp::hotp(kRfcKey, 1), "287082");
  EXPECT_EQ(totp::hotp(kRfcKey, 2), "359152");
  EXPECT_EQ(totp::hotp(kRfcKey, totp::step_at(1111111109), 6), "081804");
}

TEST(Totp, AcceptsOneStepEitherSideOnly) {
  int64_t now = 1000;
  EXPECT_EQ(totp::matching_step(kRfcKey, totp::hotp(kRfcKey, 999), now), 999);
  EXPECT_EQ(totp::matching_step(kRfcKey, totp::hotp(kRfcKey, 1000), now), 1000);
  EXPECT_EQ(totp::matching_step(kRfcKey, totp::hotp(kRfcKey, 1001), now), 1001);
  EXPECT_FALSE(totp::matching_step(kRfcKey, totp::hotp(kRfcKey, 998), now));
  EXPECT_FALSE(totp::matching_step(kRfcKey, totp::hotp(kRfcKey, 1002), now));
  EXPECT_FALSE(totp::matching_step(kRfcKey, "12345", now));
  EXPECT_FALSE(totp::matching_step(kRfcKey, "", now));
}

TEST(Totp, Base32AndUri) {
  EXPECT_EQ(totp::base32(kRfcKey), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(totp::base32("f"), "MY");
  EXPECT_EQ(totp::base32("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(totp::otpauth_uri("ann@example.com", "ABC"),
            "otpauth://totp/FFF:ann@example.com?secret=ABC&issuer=FFF&algorithm=SHA1&digits=6&"
            "period=30");
  EXPECT_EQ(totp::otpauth_uri("a b&c", "ABC").substr(0, 28), "otpauth://totp/FFF:a%20b%26c");
}

std::string base32_decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c - '2' + 26;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

class SecondFactorTest : public testing::StaffStorageTest {
 protected:
  void SetUp() override {
    StaffStorageTest::SetUp();
    service_ = std::make_unique<SecondFactorService>(*db_, clock_, *keys_, *kv_);
  }

  int64_t step() const {
    return totp::step_at(
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count());
  }
  std::string code(int64_t offset = 0) const { return totp::hotp(secret_, step() + offset); }

  // Enrols `account` and returns its recovery codes.
  std::vector<std::string> enrol(const std::string& account = "staff-1") {
    auto started = service_->start(account, "ann@example.com");
    EXPECT_TRUE(started.ok()) << describe(started);
    if (!started.ok()) return {};
    secret_ = base32_decode(started->secret);
    auto codes = service_->confirm(account, code());
    EXPECT_TRUE(codes.ok()) << describe(codes);
    clock_.advance(std::chrono::seconds(30));  // the next sign-in is a step later
    return codes.ok() ? *codes : std::vector<std::string>{};
  }

  std::unique_ptr<SecondFactorService> service_;
  std::string secret_;
};
INSTANTIATE_TEST_SUITE_P(, SecondFactorTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(SecondFactorTest, EnrolmentGivesASecretAndAnOtpauthUri) {
  auto started = service_->start("staff-1", "ann@example.com");
  ASSERT_TRUE(started.ok()) << describe(started);
  EXPECT_EQ(started->secret.size(), 32u);  // 20 bytes in base32
  EXPECT_EQ(started->uri, "otpauth://totp/FFF:ann@example.com?secret=" + started->secret +
                              "&issuer=FFF&algorithm=SHA1&digits=6&period=30");
  auto enabled = service_->enabled("staff-1");
  ASSERT_TRUE(enabled.ok());
  EXPECT_FALSE(*enabled) << "not before the first code";
}

TEST_P(SecondFactorTest, SecretIsSealedAtRestWithItsKeyId) {
  auto started = service_->start("staff-1", "ann");
  ASSERT_TRUE(started.ok());
  auto rows = db_->query("SELECT secret_sealed, key_id FROM staff_second_factors");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0].text(1), "k1");
  EXPECT_EQ(crypto::KeyRing::key_id_of(rows->rows[0].text(0)), "k1");
  auto opened = keys_->open(rows->rows[0].text(0));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, base32_decode(started->secret));
}

TEST_P(SecondFactorTest, ConfirmEnablesAndReturnsTenRecoveryCodes) {
  auto codes = enrol();
  EXPECT_EQ(codes.size(), 10u);
  auto enabled = service_->enabled("staff-1");
  ASSERT_TRUE(enabled.ok());
  EXPECT_TRUE(*enabled);
  auto stored = db_->query("SELECT code_hash FROM staff_recovery_codes");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->rows.size(), 10u);
  for (const auto& row : stored->rows)
    for (const auto& c : codes) EXPECT_EQ(row.text(0).find(c), std::string::npos);
  EXPECT_EQ(service_->start("staff-1", "ann").error().code, "second_factor_enabled");
}

TEST_P(SecondFactorTest, WrongCodeDoesNotEnable) {
  auto started = service_->start("staff-1", "ann");
  ASSERT_TRUE(started.ok());
  secret_ = base32_decode(started->secret);
  auto r = service_->confirm("staff-1", code(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "second_factor_invalid");
  EXPECT_EQ(r.error().kind, ErrorKind::unprocessable);
  EXPECT_FALSE(*service_->enabled("staff-1"));
  EXPECT_EQ(service_->confirm("nobody", "123456").error().code, "second_factor_not_started");
}

TEST_P(SecondFactorTest, CurrentCodeVerifiesOnceOnly) {
  enrol();
  std::string now = code();
  EXPECT_TRUE(service_->verify("staff-1", now, "").ok());
  auto replay = service_->verify("staff-1", now, "");
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, "second_factor_invalid");
  EXPECT_EQ(replay.error().kind, ErrorKind::unauthenticated);
  // An older step than the last one used is refused too.
  EXPECT_FALSE(service_->verify("staff-1", code(-1), "").ok());
  EXPECT_TRUE(service_->verify("staff-1", code(1), "").ok());
}

TEST_P(SecondFactorTest, TheConfirmingCodeCannotBeReplayedToSignIn) {
  auto started = service_->start("staff-1", "ann");
  ASSERT_TRUE(started.ok());
  secret_ = base32_decode(started->secret);
  std::string first = code();
  ASSERT_TRUE(service_->confirm("staff-1", first).ok());
  EXPECT_FALSE(service_->verify("staff-1", first, "").ok());
}

TEST_P(SecondFactorTest, ClockSkewOfOneStepIsAllowedTwoIsNot) {
  enrol();
  EXPECT_FALSE(service_->verify("staff-1", code(2), "").ok());
  EXPECT_TRUE(service_->verify("staff-1", code(1), "").ok());
}

TEST_P(SecondFactorTest, RecoveryCodeWorksOnceAndOthersStayValid) {
  auto codes = enrol();
  ASSERT_EQ(codes.size(), 10u);
  EXPECT_TRUE(service_->verify("staff-1", "", codes[0]).ok());
  auto again = service_->verify("staff-1", "", codes[0]);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "second_factor_invalid");
  // Typed in capitals without the dash, a code still counts.
  std::string typed;
  for (char c : codes[1])
    if (c != '-') typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(service_->verify("staff-1", "", typed).ok());
  EXPECT_FALSE(service_->verify("staff-1", "", "aaaaa-bbbbb").ok());
  EXPECT_FALSE(service_->verify("staff-2", "", codes[2]).ok()) << "codes belong to one account";
}

TEST_P(SecondFactorTest, FiveWrongCodesBlockTheAccountForAWhile) {
  enrol();
  for (int i = 0; i < 5; ++i) {
    auto r = service_->verify("staff-1", "000000", "");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "second_factor_invalid") << i;
  }
  auto blocked = service_->verify("staff-1", code(), "");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, ErrorKind::rate_limited);
  EXPECT_EQ(blocked.error().code, "too_many_attempts");
  EXPECT_GT(service_->retry_after("staff-1").count(), 0);
  EXPECT_TRUE(service_->enabled("staff-2").ok());
  EXPECT_EQ(service_->retry_after("staff-2").count(), 0) << "other accounts are not blocked";
}

TEST_P(SecondFactorTest, DisableNeedsAValidCode) {
  enrol();
  auto wrong = service_->disable("staff-1", "000000", "");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "second_factor_invalid");
  EXPECT_TRUE(*service_->enabled("staff-1"));
  ASSERT_TRUE(service_->disable("staff-1", code(), "").ok());
  EXPECT_FALSE(*service_->enabled("staff-1"));
  EXPECT_EQ(service_->verify("staff-1", code(1), "").error().code, "second_factor_not_enabled");
  auto left = db_->query("SELECT COUNT(*) FROM staff_recovery_codes");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->rows[0].int64(0), 0);
}

TEST_P(SecondFactorTest, ResealMovesSecretsToTheActiveKeyInBatches) {
  enrol("staff-1");
  std::string first_secret = secret_;
  enrol("staff-2");
  enrol("staff-3");
  auto both = crypto::KeyRing::parse(std::string(testing::kKeyOne) + "," + testing::kKeyTwo);
  ASSERT_TRUE(both.ok());
  SecondFactorService rotated(*db_, clock_, *both, *kv_);
  auto first = rotated.reseal(2);
  ASSERT_TRUE(first.ok()) << describe(first);
  EXPECT_EQ(*first, 2u);
  auto second = rotated.reseal(2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 1u);
  auto none = rotated.reseal(2);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  auto keys = db_->query("SELECT DISTINCT key_id FROM staff_second_factors");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->rows.size(), 1u);
  EXPECT_EQ(keys->rows[0].text(0), "k2");
  secret_ = first_secret;
  EXPECT_TRUE(rotated.verify("staff-1", code(1), "").ok()) << "the same secret, sealed anew";
}

TEST_P(SecondFactorTest, ResealFailsOnASecretUnderAnUnknownKey) {
  enrol();
  auto other = crypto::KeyRing::parse(testing::kKeyTwo);
  ASSERT_TRUE(other.ok());
  SecondFactorService wrong(*db_, clock_, *other, *kv_);
  auto r = wrong.reseal(10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "master_key_unknown");
}

}  // namespace
}  // namespace fff::staff
