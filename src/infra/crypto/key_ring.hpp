// infra/crypto/key_ring: personal data (phone numbers, addresses) sealed at rest.
//
// Values are sealed with libsodium's secretbox (XSalsa20-Poly1305) under a master key. A sealed
// value reads "pii1.<key id>.<base64 of nonce ‖ box>": it names the key that sealed it, so that
// keys can rotate while values sealed under older ones stay readable until `fff keys rotate`
// re-seals them. Stores keep the key id in a column of its own as well, so that rotation can
// find what still needs re-sealing with an index rather than a scan.
//
// Keys come from FFF_MASTER_KEY (one or more "id:base64key" separated by commas) or from a key
// file (one "id:base64key" per line, owner-only). The last key is the active one: everything is
// sealed under it. Key ids are short [a-z0-9] names ("k1", "k2").
//
// Thread-safety: a KeyRing is immutable after load; seal() and open() may run concurrently.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace fff::crypto {

class KeyRing {
 public:
  static constexpr size_t kKeyBytes = 32;

  // Parses "id:base64key" entries separated by commas or newlines; blank lines and lines
  // starting with '#' are skipped. Errors: invalid "master_key_invalid" (the message names the
  // entry by position, never its key), invalid "master_key_missing" for no entry at all.
  static Result<KeyRing> parse(std::string_view text);
  // From `env_value` when it is not empty; else from `key_file`; else, when `create` is true, a
  // new file holding one fresh key "k1" (created exclusively, owner-only, so two processes
  // starting at once agree). Errors as parse(), plus unavailable "master_key_unreadable".
  static Result<KeyRing> load(const std::string& env_value, const std::filesystem::path& key_file,
                              bool create);
  // Appends a fresh key to `key_file` (creating it when missing) and returns its id — the next
  // "kN" after the highest there. The caller reloads the ring to use it.
  static Result<std::string> add_key(const std::filesystem::path& key_file);

  // Seals `plaintext` under the active key with a fresh random nonce.
  std::string seal(std::string_view plaintext) const;
  // The plaintext of a value seal() made. Errors: unavailable "master_key_unknown" when the key
  // it names is not in the ring (a key removed too early); internal "sealed_value_corrupt" when
  // it does not decrypt (tampered or truncated).
  Result<std::string> open(std::string_view sealed) const;

  const std::string& active_key_id() const { return keys_.back().id; }
  // The key id a sealed value names, or empty when it is not a sealed value.
  static std::string_view key_id_of(std::string_view sealed);
  std::vector<std::string> key_ids() const;

 private:
  struct Key {
    std::string id;
    std::string bytes;  // kKeyBytes
  };
  std::vector<Key> keys_;
};

}  // namespace fff::crypto
