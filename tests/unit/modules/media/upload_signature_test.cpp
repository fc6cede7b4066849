// Media: pre-signed upload URLs are bound to type, size and expiry, and cannot be forged.
#include "modules/media/upload_signature.hpp"

#include <gtest/gtest.h>

namespace fff::media {
namespace {

constexpr int64_t kNow = 1'800'000'000;

UploadGrant grant() {
  return {"image/png", 12345, kNow + 900};
}

TEST(UploadSignature, AcceptsTheUrlItSigned) {
  UploadSigner signer("a secret long enough for anyone");
  EXPECT_TRUE(signer.verify(grant(), signer.sign(grant()), kNow).ok());
}

TEST(UploadSignature, SignaturesAreHexSha256) {
  std::string s = UploadSigner("k").sign(grant());
  EXPECT_EQ(s.size(), 64u);
  EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(UploadSignature, RefusesAnExpiredUrl) {
  UploadSigner signer("k");
  auto r = signer.verify(grant(), signer.sign(grant()), kNow + 900);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(r.error().code, "upload_expired");
}

TEST(UploadSignature, RefusesAnyChangedField) {
  UploadSigner signer("k");
  std::string signature = signer.sign(grant());
  UploadGrant other_type = grant(), other_size = grant(), later = grant();
  other_type.content_type = "image/jpeg";
  other_size.bytes += 1;
  later.expires += 3600;  // stretching the expiry is tampering too
  for (const auto& g : {other_type, other_size, later}) {
    auto r = signer.verify(g, signature, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "upload_signature_invalid");
  }
}

TEST(UploadSignature, RefusesMalformedSignatures) {
  UploadSigner signer("k");
  std::string good = signer.sign(grant());
  std::string flipped = good;
  flipped[10] = flipped[10] == 'a' ? 'b' : 'a';
  for (const std::string& bad : {std::string(), std::string("zz"), good.substr(0, 62), good + "00",
                                 flipped, std::string(64, 'g')}) {
    auto r = signer.verify(grant(), bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "upload_signature_invalid");
  }
}

TEST(UploadSignature, AnotherKeysSignatureDoesNotVerify) {
  auto r = UploadSigner("key one").verify(grant(), UploadSigner("key two").sign(grant()), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "upload_signature_invalid");
}

TEST(UploadSignature, NewSecretsDiffer) {
  std::string a = new_signing_secret(), b = new_signing_secret();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace fff::media
