// modules/media/upload_signature: pre-signed upload URLs.
//
// Staff ask for an upload URL naming the content type and exact size; the URL carries those,
// an expiry and an HMAC-SHA256 over all three. Whoever holds the URL may PUT exactly that many
// bytes of that type until it expires, with no other credential: the signature is the
// authority, so the key never leaves the server and any change to the URL breaks it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fff::media {

// What an upload URL allows.
struct UploadGrant {
  std::string content_type;  // canonical: image/jpeg, image/png or image/webp
  int64_t bytes = 0;
  int64_t expires = 0;  // Unix seconds
};

class UploadSigner {
 public:
  // REQUIRES: `secret` is not empty. Any length: it is hashed to the 32-byte HMAC key.
  explicit UploadSigner(std::string_view secret);

  // Lower-case hex HMAC-SHA256 of the grant.
  std::string sign(const UploadGrant& grant) const;

  // Ok when `signature` was made by sign() for exactly this grant and `now` (Unix seconds) is
  // before its expiry. Errors: forbidden "upload_signature_invalid" (wrong, malformed or
  // missing signature: anything changed in the URL), forbidden "upload_expired" (a genuine
  // URL past its expiry; checked after the signature so an expiry cannot be forged).
  Result<void> verify(const UploadGrant& grant, std::string_view signature, int64_t now) const;

 private:
  std::array<unsigned char, 32> key_{};
};

// A fresh random secret, 64 hex digits (for <data_dir>/media-key).
std::string new_signing_secret();

}  // namespace fff::media
