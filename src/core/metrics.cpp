#include "core/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace fff {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string s = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) s += ',';
    s += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  return s + "}";
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Adds one label to a rendered label set: `{a="1"}` + le → `{a="1",le="0.1"}`.
std::string with_label(const std::string& rendered, const std::string& name,
                       const std::string& value) {
  std::string extra = name + "=\"" + value + "\"";
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0)
    sum_nanos_.fetch_add(static_cast<uint64_t>(value * 1e9), std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::cumulative_counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return b;
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, Type type,
                                                 const std::string& help) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return it->second;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto s = f->second.counters.find(key);
      if (s != f->second.counters.end()) return *s->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = family(name, Type::counter, help).counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::string key = render_labels(labels);
  std::unique_lock lock(mutex_);
  auto& slot = family(name, Type::gauge, help).gauges[key];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const Labels& labels,
                                      const std::vector<double>& upper_bounds) {
  std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    auto f = families_.find(name);
    if (f != families_.end()) {
      auto s = f->second.histograms.find(key);
      if (s != f->second.histograms.end()) return *s->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = family(name, Type::histogram, help).histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

void MetricsRegistry::gauge_callback(const std::string& name, const std::string& help,
                                     std::function<double()> read) {
  std::unique_lock lock(mutex_);
  family(name, Type::gauge, help).callback = std::move(read);
}

std::string MetricsRegistry::render() const {
  std::shared_lock lock(mutex_);
  std::string out;
  out.reserve(4096);
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::counter ? "counter"
                       : f.type == Type::gauge ? "gauge"
                                               : "histogram";
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, c] : f.counters)
      out += name + labels + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges)
      out += name + labels + " " + std::to_string(g->value()) + "\n";
    if (f.callback) out += name + " " + format_number(f.callback()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      auto counts = h->cumulative_counts();
      const auto& bounds = h->upper_bounds();
      for (size_t i = 0; i < bounds.size(); ++i)
        out += name + "_bucket" + with_label(labels, "le", format_number(bounds[i])) + " " +
               std::to_string(counts[i]) + "\n";
      out += name + "_bucket" + with_label(labels, "le", "+Inf") + " " +
             std::to_string(counts.back()) + "\n";
      out += name + "_sum" + labels + " " + format_number(h->sum()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(counts.back()) + "\n";
    }
  }
  return out;
}

}  // namespace fff
