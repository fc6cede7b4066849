#include "core/id.hpp"

#include <sys/random.h>

#include <chrono>
#include <stdexcept>

namespace fff {
namespace {

// Random bytes from the kernel CSPRNG, drawn in blocks to keep syscalls off the hot path.
class RandomPool {
 public:
  void fill(uint8_t* out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (pos_ == buf_.size()) refill();
      out[i] = buf_[pos_++];
    }
  }

 private:
  void refill() {
    size_t got = 0;
    while (got < buf_.size()) {
      ssize_t r = getrandom(buf_.data() + got, buf_.size() - got, 0);
      if (r < 0) throw std::runtime_error("getrandom failed");
      got += static_cast<size_t>(r);
    }
    pos_ = 0;
  }
  std::array<uint8_t, 512> buf_{};
  size_t pos_ = buf_.size();
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::v7() {
  thread_local RandomPool pool;
  // Monotonicity within a millisecond (RFC 9562 method 1): rand_a (12 bits) is a counter
  // started at a random value below 2048 so it has room to grow before it would overflow.
  thread_local uint64_t last_ms = 0;
  thread_local uint16_t counter = 0;

  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  Uuid id;
  uint8_t rnd[10];
  pool.fill(rnd, sizeof rnd);
  if (ms > last_ms) {
    last_ms = ms;
    counter = static_cast<uint16_t>(((rnd[0] << 8) | rnd[1]) & 0x07ff);
  } else {
    ms = last_ms;              // clock went back or same millisecond: keep ordering
    if (++counter > 0x0fff) {  // counter exhausted: borrow the next millisecond
      ++last_ms;
      ms = last_ms;
      counter = 0;
    }
  }
  for (int i = 0; i < 6; ++i) id.bytes_[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  id.bytes_[6] = static_cast<uint8_t>(0x70 | ((counter >> 8) & 0x0f));
  id.bytes_[7] = static_cast<uint8_t>(counter & 0xff);
  id.bytes_[8] = static_cast<uint8_t>(0x80 | (rnd[2] & 0x3f));
  for (int i = 9; i < 16; ++i) id.bytes_[i] = rnd[i - 6];
  return id;
}

bool Uuid::parse(std::string_view text, Uuid& out) {
  if (text.size() != 36) return false;
  size_t b = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.bytes_[b++] = static_cast<uint8_t>((hi << 4) | lo);
    i += 2;
  }
  return true;
}

std::string Uuid::str() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(digits[bytes_[i] >> 4]);
    s.push_back(digits[bytes_[i] & 0x0f]);
  }
  return s;
}

uint64_t Uuid::unix_ms() const {
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | bytes_[i];
  return ms;
}

}  // namespace fff
