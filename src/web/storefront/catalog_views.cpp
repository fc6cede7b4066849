#include "web/storefront/catalog_views.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <functional>

#include "core/money.hpp"
#include "modules/media/model.hpp"

namespace fff::web::catalog_views {

namespace {

constexpr auto kTreeTtl = std::chrono::seconds(5);
constexpr size_t kMaxFilterValues = 20;
constexpr size_t kMaxFilterValueLength = 64;
constexpr size_t kMaxQueryBytes = 200;
constexpr int kMaxPage = 500;

bool valid_code(std::string_view v) {
  if (v.empty() || v.size() > kMaxFilterValueLength) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::optional<int64_t> price_param(const std::string& text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  auto m = Money::parse(text, catalog::CatalogService::kShopCurrency);
  if (!m || m->minor() < 0) return std::nullopt;
  return m->minor();
}

std::string major_text(int64_t minor) {
  std::string d = Money(minor, catalog::CatalogService::kShopCurrency).decimal();
  if (auto dot = d.find('.'); dot != std::string::npos) {
    while (!d.empty() && d.back() == '0') d.pop_back();
    if (!d.empty() && d.back() == '.') d.pop_back();
  }
  return d;
}

void add_entry(CategoryIndex& idx, const catalog::CategoryNode& node, int parent, int top) {
  int me = static_cast<int>(idx.nodes.size());
  CategoryEntry e;
  e.slug = node.category.slug;
  e.name = node.category.name;
  e.parent = parent;
  e.top = top < 0 ? me : top;
  e.count = node.product_count;
  if (parent < 0) {
    e.short_slug = e.slug;
    e.url = "/c/" + e.slug;
  } else {
    const std::string& top_slug = idx.nodes[static_cast<size_t>(e.top)].slug;
    e.short_slug = e.slug;
    if (e.slug.size() > top_slug.size() + 1 && e.slug.starts_with(top_slug + "-"))
      e.short_slug = e.slug.substr(top_slug.size() + 1);
    e.url = "/c/" + top_slug + "/" + e.short_slug;
  }
  idx.nodes.push_back(std::move(e));
  if (parent >= 0)
    idx.nodes[static_cast<size_t>(parent)].children.push_back(me);
  else
    idx.roots.push_back(me);
  for (const auto& child : node.children) add_entry(idx, child, me, idx.nodes[me].top);
}

}  // namespace

const CategoryEntry* CategoryIndex::by_slug(std::string_view slug) const {
  int i = index_of(slug);
  return i < 0 ? nullptr : &nodes[static_cast<size_t>(i)];
}

int CategoryIndex::index_of(std::string_view slug) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].slug == slug) return static_cast<int>(i);
  return -1;
}

std::shared_ptr<const CategoryIndex> CategoryCache::get(catalog::CatalogService& catalog,
                                                        const std::string& locale) {
  uint64_t version = catalog.version();
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = by_locale_.find(locale);
    if (it != by_locale_.end() && it->second->version == version &&
        now - it->second->loaded < kTreeTtl)
      return it->second;
  }
  auto tree = catalog.category_tree(locale);
  if (!tree) {
    std::lock_guard lock(mutex_);
    auto it = by_locale_.find(locale);
    return it == by_locale_.end() ? nullptr : it->second;  // stale beats nothing
  }
  auto idx = std::make_shared<CategoryIndex>();
  idx->version = version;
  idx->loaded = now;
  for (const auto& root : *tree) add_entry(*idx, root, -1, -1);
  for (int r : idx->roots) {
    const auto& root = idx->nodes[static_cast<size_t>(r)];
    if (root.count == 0) continue;
    json::array children;
    for (int c : root.children) {
      const auto& child = idx->nodes[static_cast<size_t>(c)];
      if (child.count == 0) continue;
      children.push_back(json::object{
          {"name", child.name}, {"slug", child.slug}, {"url", child.url}, {"href", child.url}});
    }
    bool has_children = !children.empty();
    idx->nav.push_back(json::object{{"name", root.name},
                                    {"slug", root.slug},
                                    {"url", root.url},
                                    {"href", root.url},
                                    {"current", false},
                                    {"has_children", has_children},
                                    {"children", std::move(children)}});
  }
  std::lock_guard lock(mutex_);
  by_locale_[locale] = idx;
  return idx;
}

// --- images and cards ---

std::string image_url(const std::string& media_key, int width) {
  return "/media/" + media_key + "/w" + std::to_string(width) + ".webp";
}

std::string image_srcset(const std::string& media_key) {
  std::string out;
  for (int w : media::kStandardWidths) {
    if (!out.empty()) out += ", ";
    out += image_url(media_key, w) + " " + std::to_string(w) + "w";
  }
  return out;
}

json::object image_view(const catalog::Image& image, std::string_view sizes, bool eager) {
  json::object o{{"src", image_url(image.media_key, kImageWidth)},
                 {"srcset", image_srcset(image.media_key)},
                 {"sizes", sizes},
                 {"alt", image.alt},
                 {"width", kImageWidth},
                 {"height", kImageHeight},
                 {"loading", eager ? "eager" : "lazy"}};
  o["eager"] = eager;
  return o;
}

ColourMap colour_map(const catalog::Facets& facets) {
  ColourMap out;
  for (const auto& c : facets.colours) out[c.value] = {c.label, c.swatch_hex.value_or("")};
  return out;
}

std::string money(int64_t minor) {
  return Site::money(Money(minor, catalog::CatalogService::kShopCurrency));
}

std::string short_money(int64_t minor) {
  std::string s = money(minor);
  int digits = minor_digits(catalog::CatalogService::kShopCurrency);
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  if (digits > 0 && minor % unit == 0) {
    // "$25.00" → "$25"; the decimal separator is the character before the last `digits` zeros.
    std::string zeros(static_cast<size_t>(digits), '0');
    auto pos = s.rfind(zeros);
    if (pos != std::string::npos && pos > 0 && (s[pos - 1] == '.' || s[pos - 1] == ','))
      s.erase(pos - 1, static_cast<size_t>(digits) + 1);
  }
  return s;
}

json::object card_view(const Site& site, const std::string& locale,
                       const catalog::ProductSummary& s, const ColourMap& colours, bool eager) {
  const auto& p = s.product;
  int64_t cheapest = -1;
  std::optional<int64_t> compare_at;
  bool in_stock = false;
  std::vector<std::string> seen;
  for (const auto& v : s.variants) {
    if (cheapest < 0 || v.price_minor < cheapest) {
      cheapest = v.price_minor;
      compare_at = v.compare_at_minor;
    }
    in_stock = in_stock || v.in_stock;
    if (std::find(seen.begin(), seen.end(), v.colour) == seen.end()) seen.push_back(v.colour);
  }
  if (cheapest < 0) cheapest = p.price.minor();
  json::object card{
      {"url", "/p/" + p.slug},    {"title", p.title},      {"brand", s.brand ? s.brand->name : ""},
      {"price", money(cheapest)}, {"sold_out", !in_stock}, {"has_brand", s.brand.has_value()},
      {"compare_at", ""},         {"on_sale", false},      {"has_image", false},
      {"has_swatches", false},    {"colour_count", ""},    {"swatches", json::array{}}};
  if (compare_at && *compare_at > cheapest) {
    card["compare_at"] = money(*compare_at);
    card["on_sale"] = true;
  }
  if (!s.images.empty()) {
    catalog::Image image = s.images.front();
    if (image.alt.empty()) image.alt = p.title;
    card["image"] = image_view(image, kCardSizes, eager);
    card["has_image"] = true;
  }
  json::array dots;
  constexpr size_t kMaxDots = 5;
  for (size_t i = 0; i < seen.size() && i < kMaxDots; ++i) {
    auto it = colours.find(seen[i]);
    if (it == colours.end() || it->second.second.empty()) continue;
    dots.push_back(json::object{{"label", it->second.first}, {"hex", it->second.second}});
  }
  if (!dots.empty()) {
    card["swatches"] = std::move(dots);
    card["has_swatches"] = true;
    card["colour_count"] =
        site.t(locale, seen.size() == 1 ? "catalog_one_colour" : "catalog_n_colours",
               {{"n", std::to_string(seen.size())}});
  }
  return card;
}

json::array card_views(const Site& site, const std::string& locale,
                       const catalog::ProductPage& page, int eager_count,
                       const std::string& skip_id) {
  ColourMap colours = colour_map(page.facets);
  json::array out;
  int i = 0;
  for (const auto& item : page.items) {
    if (!skip_id.empty() && item->product.id == skip_id) continue;
    json::object card = card_view(site, locale, *item, colours, i < eager_count);
    // fetchpriority=high for the first row on a phone only: more would compete with each other
    if (i >= 2 && card["has_image"].as_bool()) card["image"].as_object()["eager"] = false;
    out.push_back(std::move(card));
    ++i;
  }
  return out;
}

json::object grid_view(json::array cards, bool listing) {
  return json::object{{"products", std::move(cards)}, {"listing", listing}};
}

std::string absolute_url(const Site& site, std::string_view path) {
  std::string base = site.options().public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

std::string json_ld(const json::object& value) {
  std::string text = json::serialize(value);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

std::string url_encode(std::string_view text) {
  return http::percent_encode(text, {}, true);
}

// --- listings ---

ListingQuery parse_listing(std::string_view raw_query, bool search) {
  Form form = Form::parse(raw_query);
  ListingQuery q;
  auto codes = [&](std::string_view key, std::string_view alias) {
    std::vector<std::string> out;
    auto add_all = [&](std::string_view k) {
      for (auto& raw : form.all(k)) {
        // "m,l" and repeated keys both work
        size_t start = 0;
        while (start <= raw.size()) {
          size_t comma = raw.find(',', start);
          std::string v = lower(
              raw.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
          if (valid_code(v)) out.push_back(v);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
    };
    add_all(key);
    if (!alias.empty()) add_all(alias);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.size() > kMaxFilterValues) out.resize(kMaxFilterValues);
    return out;
  };
  q.sizes = codes("size", "");
  q.colours = codes("color", "colour");
  q.brands = codes("brand", "");
  q.min_minor = price_param(form.get("min"));
  q.max_minor = price_param(form.get("max"));
  if (q.min_minor && q.max_minor && *q.min_minor > *q.max_minor)
    std::swap(q.min_minor, q.max_minor);
  if (q.min_minor && *q.min_minor == 0) q.min_minor.reset();
  std::string sort = form.get("sort");
  if (sort == "price_asc" || sort == "price_desc" || sort == "popular" ||
      (search && sort == "newest"))
    q.sort = sort;
  std::string page = form.get("page");
  int n = 1;
  if (!page.empty()) {
    auto [ptr, ec] = std::from_chars(page.data(), page.data() + page.size(), n);
    if (ec != std::errc() || ptr != page.data() + page.size() || n < 1) n = 1;
  }
  q.page = std::min(n, kMaxPage);
  if (search) {
    q.q = form.get("q");
    if (q.q.size() > kMaxQueryBytes) q.q.resize(kMaxQueryBytes);
  }
  return q;
}

std::string query_string(const ListingQuery& q) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& v : q.brands) pairs.emplace_back("brand", v);
  for (const auto& v : q.colours) pairs.emplace_back("color", v);
  if (q.max_minor) pairs.emplace_back("max", major_text(*q.max_minor));
  if (q.min_minor) pairs.emplace_back("min", major_text(*q.min_minor));
  if (q.page > 1) pairs.emplace_back("page", std::to_string(q.page));
  if (!q.q.empty()) pairs.emplace_back("q", q.q);
  for (const auto& v : q.sizes) pairs.emplace_back("size", v);
  if (!q.sort.empty()) pairs.emplace_back("sort", q.sort);
  std::string out;
  for (const auto& [k, v] : pairs) {
    out += out.empty() ? "?" : "&";
    out += k + "=" + url_encode(v);
  }
  return out;
}

catalog::ProductFilter to_filter(const ListingQuery& q) {
  catalog::ProductFilter f;
  f.sizes = q.sizes;
  f.colours = q.colours;
  f.brands = q.brands;
  f.price_min_minor = q.min_minor;
  f.price_max_minor = q.max_minor;
  return f;
}

catalog::ProductSort to_sort(const ListingQuery& q, bool search) {
  if (q.sort == "price_asc") return catalog::ProductSort::price_asc;
  if (q.sort == "price_desc") return catalog::ProductSort::price_desc;
  if (q.sort == "popular") return catalog::ProductSort::best_selling;
  if (q.sort == "newest") return catalog::ProductSort::newest;
  return search ? catalog::ProductSort::relevance : catalog::ProductSort::newest;
}

bool has_filters(const ListingQuery& q) {
  return !q.sizes.empty() || !q.colours.empty() || !q.brands.empty() || q.min_minor || q.max_minor;
}

namespace {

std::vector<std::string> toggled(std::vector<std::string> list, const std::string& value) {
  auto it = std::find(list.begin(), list.end(), value);
  if (it == list.end()) {
    list.push_back(value);
    std::sort(list.begin(), list.end());
  } else {
    list.erase(it);
  }
  return list;
}

std::string label_of(const std::vector<catalog::FacetValue>& values, const std::string& code) {
  for (const auto& v : values)
    if (v.value == code) return v.label;
  return code;
}

std::string range_label(const Site& site, const std::string& locale, std::optional<int64_t> lo,
                        std::optional<int64_t> hi) {
  if (lo && hi) return short_money(*lo) + " – " + short_money(*hi);
  if (lo) return site.t(locale, "catalog_price_from", {{"price", short_money(*lo)}});
  if (hi) return site.t(locale, "catalog_price_up_to", {{"price", short_money(*hi)}});
  return "";
}

}  // namespace

void add_listing_views(const Site& site, const std::string& locale, const std::string& base_path,
                       const ListingQuery& query, const catalog::ProductPage& page, bool search,
                       json::object& data) {
  const auto& f = page.facets;
  auto link = [&](ListingQuery changed) {
    changed.page = 1;
    return base_path + query_string(changed);
  };
  // facets
  json::array groups;
  auto option_group = [&](const char* key, const char* title_key,
                          const std::vector<catalog::FacetValue>& values,
                          std::vector<std::string> ListingQuery::*member, bool swatches) {
    json::array out;
    for (const auto& v : values) {
      bool active = std::find((query.*member).begin(), (query.*member).end(), v.value) !=
                    (query.*member).end();
      if (v.count == 0 && !active) continue;
      ListingQuery next = query;
      next.*member = toggled(query.*member, v.value);
      json::object o{
          {"label", v.label}, {"count", v.count}, {"url", link(next)}, {"active", active}};
      o["hex"] = swatches && v.swatch_hex ? *v.swatch_hex : "";
      o["has_hex"] = swatches && v.swatch_hex.has_value();
      out.push_back(std::move(o));
    }
    if (out.empty()) return;
    groups.push_back(json::object{{"key", key},
                                  {"title", site.t(locale, title_key)},
                                  {"is_colour", swatches},
                                  {"is_size", std::string_view(key) == "size"},
                                  {"values", std::move(out)}});
  };
  option_group("size", "catalog_filter_size", f.sizes, &ListingQuery::sizes, false);
  option_group("color", "catalog_filter_colour", f.colours, &ListingQuery::colours, true);
  option_group("brand", "catalog_filter_brand", f.brands, &ListingQuery::brands, false);
  {
    json::array out;
    for (const auto& r : f.price_ranges) {
      auto dash = r.value.find('-');
      if (dash == std::string::npos) continue;
      std::optional<int64_t> lo, hi;
      int64_t n = 0;
      std::string a = r.value.substr(0, dash), b = r.value.substr(dash + 1);
      if (!a.empty() && std::from_chars(a.data(), a.data() + a.size(), n).ec == std::errc() &&
          n > 0)
        lo = n;
      if (!b.empty() && std::from_chars(b.data(), b.data() + b.size(), n).ec == std::errc()) hi = n;
      bool active = query.min_minor == lo && query.max_minor == hi;
      if (r.count == 0 && !active) continue;
      ListingQuery next = query;
      if (active) {
        next.min_minor.reset();
        next.max_minor.reset();
      } else {
        next.min_minor = lo;
        next.max_minor = hi;
      }
      out.push_back(json::object{{"label", range_label(site, locale, lo, hi)},
                                 {"count", r.count},
                                 {"url", link(next)},
                                 {"active", active}});
    }
    if (!out.empty())
      groups.push_back(json::object{{"key", "price"},
                                    {"title", site.t(locale, "catalog_filter_price")},
                                    {"is_colour", false},
                                    {"is_size", false},
                                    {"values", std::move(out)}});
  }
  data["facets"] = std::move(groups);

  // active-filter chips
  json::array chips;
  auto chip = [&](const std::string& label, ListingQuery next) {
    chips.push_back(json::object{
        {"label", label},
        {"url", link(std::move(next))},
        {"remove_label", site.t(locale, "catalog_remove_filter", {{"filter", label}})}});
  };
  for (const auto& v : query.sizes) {
    ListingQuery next = query;
    next.sizes = toggled(query.sizes, v);
    chip(site.t(locale, "catalog_filter_size") + ": " + label_of(f.sizes, v), next);
  }
  for (const auto& v : query.colours) {
    ListingQuery next = query;
    next.colours = toggled(query.colours, v);
    chip(label_of(f.colours, v), next);
  }
  for (const auto& v : query.brands) {
    ListingQuery next = query;
    next.brands = toggled(query.brands, v);
    chip(label_of(f.brands, v), next);
  }
  if (query.min_minor || query.max_minor) {
    ListingQuery next = query;
    next.min_minor.reset();
    next.max_minor.reset();
    chip(range_label(site, locale, query.min_minor, query.max_minor), next);
  }
  bool any = !chips.empty();
  data["has_chips"] = any;
  data["chips"] = std::move(chips);
  if (any) {
    ListingQuery cleared;
    cleared.q = query.q;
    cleared.sort = query.sort;
    data["clear_url"] = base_path + query_string(cleared);
  }

  // sort form: the current filters ride along as hidden fields
  json::array hidden;
  auto keep = [&](const char* k, const std::string& v) {
    hidden.push_back(json::object{{"name", k}, {"value", v}});
  };
  for (const auto& v : query.brands) keep("brand", v);
  for (const auto& v : query.colours) keep("color", v);
  if (query.max_minor) keep("max", major_text(*query.max_minor));
  if (query.min_minor) keep("min", major_text(*query.min_minor));
  if (!query.q.empty()) keep("q", query.q);
  for (const auto& v : query.sizes) keep("size", v);
  data["sort_hidden"] = std::move(hidden);
  json::array sorts;
  auto sort_option = [&](const char* value, const char* key) {
    bool selected = query.sort == value || (query.sort.empty() && std::string_view(value).empty());
    sorts.push_back(
        json::object{{"value", value}, {"label", site.t(locale, key)}, {"selected", selected}});
  };
  if (search) {
    sort_option("", "catalog_sort_relevance");
    sort_option("newest", "catalog_sort_newest");
  } else {
    sort_option("", "catalog_sort_newest");
  }
  sort_option("popular", "catalog_sort_popular");
  sort_option("price_asc", "catalog_sort_price_asc");
  sort_option("price_desc", "catalog_sort_price_desc");
  data["sorts"] = std::move(sorts);
  data["sort_action"] = base_path;

  // pagination
  int64_t pages = page.per_page > 0 ? (page.total + page.per_page - 1) / page.per_page : 1;
  data["total"] = page.total;
  data["total_label"] =
      site.t(locale, page.total == 1 ? "catalog_one_product" : "catalog_n_products",
             {{"n", std::to_string(page.total)}});
  if (pages > 1) {
    auto page_url = [&](int64_t n) {
      ListingQuery next = query;
      next.page = static_cast<int>(n);
      return base_path + query_string(next);
    };
    json::array items;
    int64_t current = query.page;
    int64_t last_shown = 0;
    for (int64_t n = 1; n <= pages; ++n) {
      bool show = n == 1 || n == pages || (n >= current - 2 && n <= current + 2);
      if (!show) continue;
      if (last_shown && n > last_shown + 1)
        items.push_back(json::object{{"gap", true}, {"current", false}});
      items.push_back(
          json::object{{"n", n},
                       {"gap", false},
                       {"url", page_url(n)},
                       {"current", n == current},
                       {"label", site.t(locale, "catalog_page_n", {{"n", std::to_string(n)}})}});
      last_shown = n;
    }
    json::object pager{
        {"items", std::move(items)}, {"has_prev", current > 1}, {"has_next", current < pages}};
    if (current > 1) pager["prev_url"] = page_url(std::min(current - 1, pages));
    if (current < pages) pager["next_url"] = page_url(current + 1);
    data["pagination"] = std::move(pager);
  }
}

}  // namespace fff::web::catalog_views
