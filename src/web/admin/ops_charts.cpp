#include "web/admin/ops_charts.hpp"

#include <algorithm>
#include <cstdio>

namespace fff::web::admin {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string open_svg(const Chart& c, int width, int height, const char* kind) {
  std::string id = escape_xml(c.id);
  return "<svg class=\"ops-chart ops-chart-" + std::string(kind) +
         "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id + "-desc\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) +
         "\" preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">"
         "<title id=\"" +
         id + "-title\">" + escape_xml(c.title) + "</title><desc id=\"" + id + "-desc\">" +
         escape_xml(c.description) + "</desc>";
}

// Cuts a label to `max` characters (UTF-8 aware: never inside a character) with an ellipsis.
std::string shorten(const std::string& s, size_t max) {
  size_t chars = 0, i = 0;
  while (i < s.size()) {
    if (chars == max) return s.substr(0, i) + "…";
    unsigned char ch = static_cast<unsigned char>(s[i]);
    i += ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
    ++chars;
  }
  return s;
}

}  // namespace

std::string escape_xml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

int64_t nice_ceiling(int64_t value) {
  if (value <= 0) return 1;
  int64_t power = 1;
  while (power <= value / 10) power *= 10;
  for (int64_t m : {power, 2 * power, power * 5 / 2, 4 * power, 5 * power, 6 * power, 8 * power})
    if (m >= value) return m;
  return 10 * power;
}

std::string line_chart_svg(const Chart& c, const std::function<std::string(int64_t)>& axis_label) {
  constexpr int kWidth = 720, kHeight = 260, kLeft = 72, kRight = 16, kTop = 16, kBottom = 32;
  constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
  std::string svg = open_svg(c, kWidth, kHeight, "line");
  int64_t max = 0;
  for (const auto& p : c.points) max = std::max(max, p.value);
  int64_t top = nice_ceiling(max);
  // Grid: five lines from zero to the top, labelled.
  for (int i = 0; i <= 4; ++i) {
    double y = kTop + kPlotH - kPlotH * i / 4.0;
    svg += "<line class=\"ops-chart-grid\" x1=\"" + std::to_string(kLeft) + "\" x2=\"" +
           std::to_string(kWidth - kRight) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) + "\"/>";
    svg += "<text class=\"ops-chart-axis\" x=\"" + std::to_string(kLeft - 8) + "\" y=\"" +
           num(y + 4) + "\" text-anchor=\"end\">" + escape_xml(axis_label(top * i / 4)) + "</text>";
  }
  size_t n = c.points.size();
  if (n == 0) return svg + "</svg>";
  auto x_of = [&](size_t i) { return n == 1 ? kLeft + kPlotW / 2 : kLeft + kPlotW * i / (n - 1); };
  auto y_of = [&](int64_t v) {
    return kTop + kPlotH - kPlotH * static_cast<double>(v) / static_cast<double>(top);
  };
  std::string line, area = "M" + num(x_of(0)) + " " + num(kTop + kPlotH);
  for (size_t i = 0; i < n; ++i) {
    std::string xy = num(x_of(i)) + " " + num(y_of(c.points[i].value));
    line += (i ? " " : "") + xy;
    area += " L" + xy;
  }
  area += " L" + num(x_of(n - 1)) + " " + num(kTop + kPlotH) + " Z";
  svg += "<path class=\"ops-chart-area\" d=\"" + area + "\"/>";
  svg += "<polyline class=\"ops-chart-line\" fill=\"none\" points=\"" + line + "\"/>";
  // Labels on about seven days at most, always the last.
  size_t every = std::max<size_t>(1, (n + 6) / 7);
  for (size_t i = 0; i < n; ++i) {
    const auto& p = c.points[i];
    svg += "<circle class=\"ops-chart-dot\" cx=\"" + num(x_of(i)) + "\" cy=\"" +
           num(y_of(p.value)) + "\" r=\"3\"><title>" + escape_xml(p.label + ": " + p.value_label) +
           "</title></circle>";
    if ((n - 1 - i) % every == 0)
      svg += "<text class=\"ops-chart-axis\" x=\"" + num(x_of(i)) + "\" y=\"" +
             std::to_string(kHeight - 10) + "\" text-anchor=\"middle\">" + escape_xml(p.label) +
             "</text>";
  }
  return svg + "</svg>";
}

std::string bar_chart_svg(const Chart& c) {
  constexpr int kWidth = 520, kRow = 34, kTop = 8, kLabelW = 180, kValueW = 80;
  constexpr double kBarW = kWidth - kLabelW - kValueW;
  int rows = std::max<int>(1, static_cast<int>(c.points.size()));
  int height = kTop * 2 + rows * kRow;
  std::string svg = open_svg(c, kWidth, height, "bar");
  int64_t max = 0;
  for (const auto& p : c.points) max = std::max(max, p.value);
  if (max <= 0) max = 1;
  for (size_t i = 0; i < c.points.size(); ++i) {
    const auto& p = c.points[i];
    double y = kTop + static_cast<double>(i) * kRow;
    double w = std::max(2.0, kBarW * static_cast<double>(p.value) / static_cast<double>(max));
    svg += "<g class=\"ops-chart-row\"><title>" + escape_xml(p.label + ": " + p.value_label) +
           "</title>";
    svg += "<text class=\"ops-chart-label\" x=\"" + std::to_string(kLabelW - 10) + "\" y=\"" +
           num(y + kRow / 2.0 + 4) + "\" text-anchor=\"end\">" + escape_xml(shorten(p.label, 22)) +
           "</text>";
    svg += "<rect class=\"ops-chart-bar\" x=\"" + std::to_string(kLabelW) + "\" y=\"" + num(y + 6) +
           "\" width=\"" + num(w) + "\" height=\"" + std::to_string(kRow - 12) + "\" rx=\"3\"/>";
    svg += "<text class=\"ops-chart-value\" x=\"" + num(kLabelW + w + 8) + "\" y=\"" +
           num(y + kRow / 2.0 + 4) + "\">" + escape_xml(p.value_label) + "</text></g>";
  }
  return svg + "</svg>";
}

}  // namespace fff::web::admin
