#include "modules/media/upload_signature.hpp"

#include <sodium.h>

#include <stdexcept>

namespace fff::media {
namespace {

// The signed text. A version prefix lets the format change without old URLs verifying under
// new rules; newlines separate fields that can never contain one.
std::string message(const UploadGrant& grant) {
  return "fff-upload-v1\n" + grant.content_type + "\n" + std::to_string(grant.bytes) + "\n" +
         std::to_string(grant.expires);
}

std::string to_hex(const unsigned char* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

}  // namespace

UploadSigner::UploadSigner(std::string_view secret) {
  ensure_sodium();
  crypto_hash_sha256(key_.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
}

std::string UploadSigner::sign(const UploadGrant& grant) const {
  std::string text = message(grant);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                         key_.data());
  return to_hex(mac, sizeof mac);
}

Result<void> UploadSigner::verify(const UploadGrant& grant, std::string_view signature,
                                  int64_t now) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  size_t length = 0;
  const char* end = nullptr;
  bool well_formed = signature.size() == 2 * sizeof mac &&
                     sodium_hex2bin(mac, sizeof mac, signature.data(), signature.size(), nullptr,
                                    &length, &end) == 0 &&
                     length == sizeof mac;
  std::string text = message(grant);
  // crypto_auth_hmacsha256_verify compares in constant time.
  if (!well_formed ||
      crypto_auth_hmacsha256_verify(mac, reinterpret_cast<const unsigned char*>(text.data()),
                                    text.size(), key_.data()) != 0)
    return Error::forbidden("upload_signature_invalid",
                            "the upload URL's signature does not match its content type, size "
                            "and expiry; ask for a new upload URL");
  if (now >= grant.expires)
    return Error::forbidden("upload_expired", "the upload URL expired; ask for a new upload URL");
  return {};
}

std::string new_signing_secret() {
  ensure_sodium();
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  return to_hex(secret, sizeof secret);
}

}  // namespace fff::media
