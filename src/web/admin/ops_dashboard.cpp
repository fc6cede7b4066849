// The admin dashboard (/admin): how the shop is doing over today, 7 or 30 days against the
// period before, revenue by day and top products as SVG charts with their numbers in tables,
// low stock and recent orders. What a staff member sees follows what they may read.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "core/time.hpp"
#include "web/admin/ops_charts.hpp"
#include "web/admin/ops_common.hpp"

namespace fff::web::admin::ops {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;
using std::chrono::days;

struct Period {
  const char* key;
  const char* label;     // "Last 7 days"
  const char* previous;  // "previous 7 days"
  int chart_days;        // days the revenue chart shows
};
constexpr Period kPeriods[] = {
    {"today", "Today", "yesterday, same time", 7},
    {"7d", "Last 7 days", "previous 7 days", 7},
    {"30d", "Last 30 days", "previous 30 days", 30},
};

const Period& period_of(const Request& req) {
  auto key = req.query_param("period").value_or("7d");
  for (const auto& p : kPeriods)
    if (key == p.key) return p;
  return kPeriods[1];
}

struct Windows {
  orders::SalesWindow current, previous, chart;
};

Windows windows_for(const Period& period, Timestamp now, const std::string& currency) {
  auto iso = [](Timestamp t) { return to_iso8601(t); };
  Timestamp from = std::string_view(period.key) == "today"
                       ? Timestamp(std::chrono::floor<days>(now))
                   : std::string_view(period.key) == "7d" ? now - days(7)
                                                          : now - days(30);
  auto span = now - from;
  Timestamp chart_from = Timestamp(std::chrono::floor<days>(now) - days(period.chart_days - 1));
  if (std::string_view(period.key) == "today")
    return {{iso(from), iso(now), currency},
            {iso(from - days(1)), iso(now - days(1)), currency},
            {iso(chart_from), iso(now), currency}};
  return {{iso(from), iso(now), currency},
          {iso(from - span), iso(from), currency},
          {iso(chart_from), iso(now), currency}};
}

// {"text": "▲ 12.5%", "cls": "admin-change-up", "sr": "up 12.5% vs previous 7 days"}.
json::object change(int64_t current, int64_t previous, const Period& period) {
  std::string against = std::string(" vs ") + period.previous;
  if (previous == 0) {
    if (current == 0) return {{"text", "—"}, {"cls", "admin-muted"}, {"sr", "no change"}};
    return {{"text", "▲ new"}, {"cls", "admin-change-up"}, {"sr", "up from none" + against}};
  }
  double pct = (static_cast<double>(current) - static_cast<double>(previous)) * 100.0 /
               static_cast<double>(previous);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", pct < 0 ? -pct : pct);
  if (current == previous)
    return {{"text", "0.0%"}, {"cls", "admin-muted"}, {"sr", "no change" + against}};
  bool up = current > previous;
  return {{"text", std::string(up ? "▲ " : "▼ ") + buf},
          {"cls", up ? "admin-change-up" : "admin-change-down"},
          {"sr", std::string(up ? "up " : "down ") + buf + against}};
}

json::object card(const std::string& label, const std::string& value, json::object delta,
                  const std::string& id) {
  return {{"label", label}, {"value", value}, {"change", std::move(delta)}, {"id", id}};
}

// "Nov 26" for a chart axis.
std::string short_day(const std::string& day) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (day.size() < 10) return day;
  int month = std::atoi(day.substr(5, 2).c_str());
  if (month < 1 || month > 12) return day;
  return std::string(kMonths[month - 1]) + " " +
         std::to_string(std::atoi(day.substr(8, 2).c_str()));
}

// Whole major units on the axis: "$1,200" rather than "$1,200.00".
std::string axis_money(int64_t minor, Currency currency) {
  int64_t scale = 1;
  for (int i = 0; i < minor_digits(currency); ++i) scale *= 10;
  std::string s = Site::money(Money(minor / scale * scale, currency));
  if (scale > 1 && s.size() > 3 && s.ends_with(".00")) s.resize(s.size() - 3);
  return s;
}

Result<json::object> sales_section(Pages& p, const Period& period) {
  std::string currency(currency_code(p.currency()));
  Windows w = windows_for(period, Clock::system().now(), currency);
  auto& a = *p.s.analytics;
  auto now = a.figures(w.current);
  if (!now) return now.error();
  auto before = a.figures(w.previous);
  if (!before) return before.error();
  json::array cards;
  cards.push_back(card("Revenue", p.money(now->revenue_minor),
                       change(now->revenue_minor, before->revenue_minor, period), "revenue"));
  cards.push_back(card("Orders", std::to_string(now->orders),
                       change(now->orders, before->orders, period), "orders"));
  cards.push_back(card("Average order value", p.money(now->average_order_minor()),
                       change(now->average_order_minor(), before->average_order_minor(), period),
                       "aov"));
  cards.push_back(card("Units sold", std::to_string(now->units),
                       change(now->units, before->units, period), "units"));

  auto days_sold = a.by_day(w.chart);
  if (!days_sold) return days_sold.error();
  Chart revenue{"chart-revenue", "Revenue by day", "", {}};
  json::array revenue_rows;
  int64_t total = 0, best = -1;
  std::string best_day;
  for (const auto& d : *days_sold) {
    revenue.points.push_back({short_day(d.day), d.revenue_minor, p.money(d.revenue_minor)});
    revenue_rows.push_back(
        json::object{{"day", d.day}, {"revenue", p.money(d.revenue_minor)}, {"orders", d.orders}});
    total += d.revenue_minor;
    if (d.revenue_minor > best) best = d.revenue_minor, best_day = d.day;
  }
  revenue.title = "Revenue by day, last " + std::to_string(days_sold->size()) + " days";
  revenue.description =
      "Line chart of revenue per day from " + (days_sold->empty() ? "" : days_sold->front().day) +
      " to " + (days_sold->empty() ? "" : days_sold->back().day) + ": " + p.money(total) +
      " in all" + (best > 0 ? ", highest on " + best_day + " with " + p.money(best) : "") +
      ". The values are in the table that follows.";

  auto top = a.top_products(w.current, 5);
  if (!top) return top.error();
  Chart products{
      "chart-top-products", "Top products by units sold, " + std::string(period.label), "", {}};
  json::array product_rows;
  for (const auto& t : *top) {
    products.points.push_back(
        {t.product_name, t.units, std::to_string(t.units) + (t.units == 1 ? " unit" : " units")});
    product_rows.push_back(json::object{{"name", t.product_name},
                                        {"href", "/p/" + t.product_slug},
                                        {"units", t.units},
                                        {"revenue", p.money(t.revenue_minor)}});
  }
  products.description = top->empty() ? "No products sold in this period."
                                      : "Bar chart of the " + std::to_string(top->size()) +
                                            " best-selling products by units; first is " +
                                            top->front().product_name + " with " +
                                            std::to_string(top->front().units) +
                                            " units. The values are in the table that follows.";

  return json::object{
      {"cards", std::move(cards)},
      {"revenue_chart",
       line_chart_svg(revenue, [c = p.currency()](int64_t v) { return axis_money(v, c); })},
      {"revenue_title", revenue.title},
      {"revenue_rows", std::move(revenue_rows)},
      {"top_chart", top->empty() ? std::string() : bar_chart_svg(products)},
      {"top_title", products.title},
      {"top_rows", std::move(product_rows)},
      {"top_empty", top->empty()},
      {"previous", period.previous}};
}

Result<json::object> stock_section(Pages& p) {
  auto threshold = p.s.inventory.low_stock_threshold();
  if (!threshold) return threshold.error();
  auto low = p.s.inventory.low_stock(6);
  if (!low) return low.error();
  std::vector<std::string> ids;
  for (const auto& l : *low) ids.push_back(l.variant_id);
  auto views = variant_views(p, ids);
  json::array rows;
  for (const auto& l : *low) {
    auto v = views.find(l.variant_id);
    int64_t available = l.available();
    rows.push_back(json::object{
        {"sku", v != views.end() ? v->second.sku : l.variant_id},
        {"product", v != views.end() ? v->second.product_title : ""},
        {"variant", v != views.end() ? variant_label(v->second) : ""},
        {"available", available},
        {"href", "/admin/inventory/" + l.variant_id},
        {"badge", available <= 0
                      ? json::object{{"label", "Out of stock"}, {"cls", "admin-badge-danger"}}
                      : json::object{{"label", "Low"}, {"cls", "admin-badge-warning"}}}});
  }
  return json::object{
      {"threshold", *threshold}, {"rows", std::move(rows)}, {"empty", low->empty()}};
}

Result<json::array> recent_orders(Pages& p) {
  orders::OrderFilter f;
  f.limit = 8;
  auto page = p.s.orders.list(f);
  if (!page) return page.error();
  json::array rows;
  for (const auto& o : page->items) {
    int64_t units = 0;
    for (const auto& l : o.lines) units += l.quantity;
    auto currency = parse_currency(o.currency).value_or(p.currency());
    rows.push_back(json::object{{"number", o.number},
                                {"href", "/admin/orders/" + o.number},
                                {"created", when(o.created_at)},
                                {"customer", o.customer_name.empty() ? o.email : o.customer_name},
                                {"units", units},
                                {"total", Site::money(Money(o.total_minor, currency))},
                                {"status", order_status_badge(to_string(o.status))}});
  }
  return rows;
}

}  // namespace

void add_dashboard_page(http::Router& router, const std::shared_ptr<Pages>& p) {
  p->admin.add_page(router, "GET", "/admin", "", [p](const Request& req, const StaffContext& ctx) {
    const Period& period = period_of(req);
    json::array periods;
    for (const auto& each : kPeriods)
      periods.push_back(json::object{{"label", each.label},
                                     {"href", std::string("/admin?period=") + each.key},
                                     {"current", &each == &period}});
    json::object d{{"period", period.label}, {"periods", std::move(periods)}};
    bool sales = ctx.can("orders:read");
    bool stock = ctx.can("inventory:read");
    d["show_sales"] = sales;
    d["show_stock"] = stock;
    d["show_nothing"] = !sales && !stock;
    if (sales) {
      auto section = sales_section(*p, period);
      if (!section) throw std::runtime_error("dashboard sales: " + section.error().message);
      d["sales"] = std::move(*section);
      auto recent = recent_orders(*p);
      if (!recent) throw std::runtime_error("dashboard orders: " + recent.error().message);
      d["recent"] = std::move(*recent);
      d["recent_empty"] = d["recent"].as_array().empty();
    }
    if (stock) {
      auto section = stock_section(*p);
      if (!section) throw std::runtime_error("dashboard stock: " + section.error().message);
      d["stock"] = std::move(*section);
    }
    return p->admin.render(req, ctx, 200, "ops_dashboard", std::move(d),
                           page_for("Dashboard", "dashboard"));
  });
}

}  // namespace fff::web::admin::ops
