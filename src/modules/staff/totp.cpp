#include "modules/staff/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <stdexcept>

namespace fff::staff::totp {

std::string hotp(std::string_view key, uint64_t counter, int digits) {
  unsigned char message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message, sizeof message, mac,
            &mac_size) ||
      mac_size != 20)
    throw std::runtime_error("HMAC-SHA1 failed");
  int offset = mac[19] & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                    static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string text = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - text.size(), '0') + text;
}

std::optional<int64_t> matching_step(std::string_view key, std::string_view code,
                                     int64_t now_step) {
  if (code.size() != static_cast<size_t>(kDigits)) return std::nullopt;
  std::optional<int64_t> found;
  // All three are computed whatever matches, so timing says nothing about which one did.
  for (int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    if (step < 0) continue;
    std::string expected = hotp(key, static_cast<uint64_t>(step));
    if (sodium_memcmp(expected.data(), code.data(), expected.size()) == 0 && !found) found = step;
  }
  return found;
}

std::string base32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

namespace {
std::string uri_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '@') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}
}  // namespace

std::string otpauth_uri(std::string_view account_label, std::string_view secret_base32) {
  return "otpauth://totp/FFF:" + uri_escape(account_label) +
         "?secret=" + std::string(secret_base32) + "&issuer=FFF&algorithm=SHA1&digits=6&period=30";
}

}  // namespace fff::staff::totp
