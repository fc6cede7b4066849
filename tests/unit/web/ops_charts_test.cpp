// The dashboard's server-drawn SVG charts: accessible (role, title, desc), escaped, scaled to a
// round axis.
#include "web/admin/ops_charts.hpp"

#include <gtest/gtest.h>

namespace fff::web::admin {
namespace {

Chart sample() {
  return Chart{"c1",
               "Revenue <by> day",
               "Two days & more",
               {{"Nov 1", 1200, "$12.00"}, {"Nov 2", 0, "$0.00"}}};
}

TEST(OpsCharts, ALineChartIsAnImageWithItsTitleAndDescription) {
  std::string svg = line_chart_svg(sample(), [](int64_t v) { return std::to_string(v); });
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("aria-labelledby=\"c1-title c1-desc\""), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"c1-title\">Revenue &lt;by&gt; day</title>"), std::string::npos);
  EXPECT_NE(svg.find("<desc id=\"c1-desc\">Two days &amp; more</desc>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("Nov 1: $12.00"), std::string::npos);  // each point says its value
  EXPECT_EQ(svg.find("style="), std::string::npos);         // the CSP forbids inline styles
}

TEST(OpsCharts, ABarChartHasOneBarPerPointAndEscapesLabels) {
  Chart c{"c2", "Top", "d", {{"<script>", 5, "5 units"}, {"Tee", 1, "1 unit"}}};
  std::string svg = bar_chart_svg(c);
  size_t bars = 0;
  for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
    ++bars;
  EXPECT_EQ(bars, 2u);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
}

TEST(OpsCharts, AnEmptyChartIsAFrameWithoutALine) {
  Chart c{"c3", "Nothing", "No sales", {}};
  std::string svg = line_chart_svg(c, [](int64_t v) { return std::to_string(v); });
  EXPECT_EQ(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(OpsCharts, TheAxisTopIsARoundNumberAtLeastTheMaximum) {
  EXPECT_EQ(nice_ceiling(0), 1);
  EXPECT_EQ(nice_ceiling(1), 1);
  EXPECT_EQ(nice_ceiling(11), 20);
  EXPECT_EQ(nice_ceiling(2400), 2500);
  EXPECT_EQ(nice_ceiling(60050), 80000);
  EXPECT_EQ(nice_ceiling(100000), 100000);
}

}  // namespace
}  // namespace fff::web::admin
