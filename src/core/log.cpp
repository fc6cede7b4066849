#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

namespace fff::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::shared_ptr<spdlog::logger> g_logger;
std::once_flag g_once;

spdlog::level::level_enum to_spdlog(Level l) {
  switch (l) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

spdlog::logger& logger() {
  std::call_once(g_once, [] {
    g_logger =
        std::make_shared<spdlog::logger>("fff", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    // The message (%v) carries the rest of the object, already escaped.
    g_logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%^%l%$",%v})",
                          spdlog::pattern_time_type::utc);
    g_logger->set_level(to_spdlog(static_cast<Level>(g_level.load())));
    g_logger->flush_on(spdlog::level::trace);  // one line per event, visible at once
  });
  return *g_logger;
}

}  // namespace

bool parse_level(std::string_view t, Level& out) {
  if (t == "debug")
    out = Level::debug;
  else if (t == "info")
    out = Level::info;
  else if (t == "warn" || t == "warning")
    out = Level::warn;
  else if (t == "error")
    out = Level::error;
  else if (t == "off")
    out = Level::off;
  else
    return false;
  return true;
}

void init(Level level) {
  g_level.store(static_cast<int>(level));
  logger().set_level(to_spdlog(level));
}

bool enabled(Level level) {
  return level != Level::off && static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void append_json_escaped(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(128);
  line += "\"msg\":\"";
  append_json_escaped(line, msg);
  line += '"';
  for (const auto& f : fields) {
    line += ",\"";
    append_json_escaped(line, f.key);
    line += "\":";
    if (auto s = std::get_if<std::string_view>(&f.value)) {
      line += '"';
      append_json_escaped(line, *s);
      line += '"';
    } else if (auto i = std::get_if<int64_t>(&f.value)) {
      line += std::to_string(*i);
    } else if (auto d = std::get_if<double>(&f.value)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", *d);
      line += buf;
    } else {
      line += std::get<bool>(f.value) ? "true" : "false";
    }
  }
  logger().log(to_spdlog(level), "{}", line);
}

}  // namespace fff::log
