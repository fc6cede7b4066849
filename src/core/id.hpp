// core/id: UUIDv7 identifiers (RFC 9562): time-ordered, so indexes stay append-mostly, and
// 74 random bits, so they cannot be guessed. Rendered lower-case 8-4-4-4-12.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace fff {

class Uuid {
 public:
  // A new UUIDv7. Ids made by one thread in the same millisecond still sort in creation order.
  // Thread-safe.
  static Uuid v7();
  // Parses the canonical 36-character form (any case). Returns false on anything else.
  static bool parse(std::string_view text, Uuid& out);

  std::string str() const;
  uint64_t unix_ms() const;  // the timestamp embedded in a v7 id
  int version() const { return bytes_[6] >> 4; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

// Shorthand for the common case: a fresh id as text.
inline std::string new_id() {
  return Uuid::v7().str();
}
inline bool is_uuid(std::string_view text) {
  Uuid u;
  return Uuid::parse(text, u);
}

}  // namespace fff
