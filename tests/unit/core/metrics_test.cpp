#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace fff {
namespace {

TEST(Metrics, CountersRenderWithLabelsAndHelp) {
  MetricsRegistry r;
  r.counter("fff_things_total", "Things.", {{"kind", "a"}}).add(2);
  r.counter("fff_things_total", "Things.", {{"kind", "a"}}).add();
  r.counter("fff_things_total", "Things.", {{"kind", "b\"q"}}).add();
  std::string text = r.render();
  EXPECT_NE(text.find("# HELP fff_things_total Things.\n# TYPE fff_things_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("fff_things_total{kind=\"a\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fff_things_total{kind=\"b\\\"q\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  auto& h = r.histogram("fff_latency_seconds", "Latency.", {{"route", "/x"}}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string text = r.render();
  EXPECT_NE(text.find("fff_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("fff_latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("fff_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("fff_latency_seconds_count{route=\"/x\"} 3\n"), std::string::npos);
  EXPECT_NEAR(h.sum(), 5.55, 1e-6);
}

TEST(Metrics, CallbackGaugesAreReadAtScrape) {
  MetricsRegistry r;
  int depth = 3;
  r.gauge_callback("fff_queue_depth", "Depth.", [&] { return static_cast<double>(depth); });
  EXPECT_NE(r.render().find("fff_queue_depth 3\n"), std::string::npos);
  depth = 7;
  EXPECT_NE(r.render().find("fff_queue_depth 7\n"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) r.counter("fff_hits_total", "Hits.", {{"t", "x"}}).add();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.counter("fff_hits_total", "Hits.", {{"t", "x"}}).value(), 40000u);
}

TEST(Metrics, OneNameCannotHaveTwoTypes) {
  MetricsRegistry r;
  r.counter("fff_x", "X.");
  EXPECT_THROW(r.histogram("fff_x", "X."), std::logic_error);
}

}  // namespace
}  // namespace fff
