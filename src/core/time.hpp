// core/time: UTC timestamps with microsecond precision, ISO 8601 on the wire and in storage
// ("2026-11-25T23:08:53.123456Z"; fixed width, so text order is time order).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace fff {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The wall clock, behind an interface so tests can hold time still. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
  static const Clock& system();
};

std::string to_iso8601(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|+00:00|±HH:MM)" and also a space instead of 'T'
// (PostgreSQL's text output). Returns nullopt for anything else or an impossible date.
std::optional<Timestamp> parse_iso8601(std::string_view text);

inline Timestamp now_utc() {
  return Clock::system().now();
}

}  // namespace fff
