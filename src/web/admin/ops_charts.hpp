// web/admin/ops_charts: charts for the admin dashboard, drawn on the server as inline SVG (no
// chart library, no script): a line chart of a series over days and a horizontal bar chart.
// Each is an accessible image — role="img" with <title> and <desc> tied by aria-labelledby —
// and the page shows the same numbers in a table beside it. Colours come from classes styled in
// web/static/admin/ops.css (no inline styles: the CSP forbids them). Every text is escaped here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fff::web::admin {

struct ChartPoint {
  std::string label;        // x label ("Nov 26") or the bar's name
  int64_t value = 0;        // plotted value (minor units, counts)
  std::string value_label;  // the value as people read it ("$1,234.50")
};

struct Chart {
  std::string id;           // unique on the page: ids of <title>/<desc> derive from it
  std::string title;        // "Revenue by day"
  std::string description;  // one sentence summing the data up, for screen readers
  std::vector<ChartPoint> points;
};

// A line (with a soft area under it) over the points in order; y from zero to a rounded maximum
// with labelled grid lines, formatted by `axis_label(value)`. Empty points: an empty frame.
std::string line_chart_svg(const Chart& chart,
                           const std::function<std::string(int64_t)>& axis_label);
// One horizontal bar per point, largest first as given, with its label and value label.
std::string bar_chart_svg(const Chart& chart);

// Escapes text for HTML/SVG content and attributes.
std::string escape_xml(const std::string& text);
// A "nice" upper bound for an axis: 1, 2, 2.5, 4, 5, 6 or 8 times a power of ten, at least
// `value` (so that quarters of it are round numbers too).
int64_t nice_ceiling(int64_t value);

}  // namespace fff::web::admin
