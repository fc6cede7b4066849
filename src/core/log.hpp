// core/log: structured logs as JSON lines on stdout, one object per event:
//   {"ts":"2026-11-25T23:08:53.123456Z","level":"info","msg":"request","status":200,...}
// Field values are escaped here; callers never build JSON by hand. Secrets, cookies and
// authorization headers must never be passed as fields. Thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace fff::log {

enum class Level { debug, info, warn, error, off };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}

  std::string_view key;
  std::variant<std::string_view, int64_t, double, bool> value;
};

// Parses "debug", "info", "warn", "error" or "off".
bool parse_level(std::string_view text, Level& out);
// Sets up the process-wide logger. Safe to call more than once (tests do).
void init(Level level);
bool enabled(Level level);

void write(Level level, std::string_view msg, std::initializer_list<Field> fields);
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::error, m, f);
}

// Appends `text` to `out` as the inside of a JSON string (quotes not included).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace fff::log
