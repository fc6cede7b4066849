#include "modules/catalog/api.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::catalog {
namespace {

namespace json = boost::json;

// Widths the media store renders (media::kStandardWidths); a client builds srcset from them.
constexpr int kImageWidths[] = {320, 640, 960, 1280};
// A list filter takes at most this many comma-separated values of at most this length.
constexpr size_t kMaxFilterValues = 20;
constexpr size_t kMaxFilterValueLength = 64;

Error bad_parameter(const std::string& name, const std::string& message) {
  return Error::invalid("invalid_parameter", name + " " + message, {{name, message}});
}

json::object money_json(int64_t minor) {
  Money m(minor, CatalogService::kShopCurrency);
  return {{"amount", m.decimal()}, {"currency", currency_code(m.currency())}};
}

json::value opt_money_json(const std::optional<int64_t>& minor) {
  if (!minor) return nullptr;
  return money_json(*minor);
}

json::value opt_string(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::string(*s);
}

// The media store serves /media/<key>/w<width>.webp for every standard width; an image
// narrower than a width answers with its widest rendition, so every URL here resolves.
json::object image_json(const Image& image) {
  std::string base = "/media/" + image.media_key + "/w";
  std::string srcset;
  json::array widths;
  for (int w : kImageWidths) {
    if (!srcset.empty()) srcset += ", ";
    srcset += base + std::to_string(w) + ".webp " + std::to_string(w) + "w";
    widths.push_back(w);
  }
  return {{"id", image.id},
          {"colour", opt_string(image.colour)},
          {"alt", image.alt},
          {"position", image.position},
          {"url", base + std::to_string(kImageWidths[1]) + ".webp"},
          {"url_template", base + "{width}.webp"},
          {"widths", std::move(widths)},
          {"srcset", srcset}};
}

json::value category_ref(const std::optional<Category>& c) {
  if (!c) return nullptr;
  return json::object{{"slug", c->slug}, {"name", c->name}};
}

json::value brand_ref(const std::optional<Brand>& b) {
  if (!b) return nullptr;
  return json::object{{"slug", b->slug}, {"name", b->name}};
}

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(json::string(v));
  return out;
}

// The fields a product card and the product page share.
json::object product_core(const ProductSummary& s) {
  const Product& p = s.product;
  std::optional<int64_t> compare_at;  // the strike-through price of the cheapest variant
  int64_t cheapest = -1;
  bool any_in_stock = false;
  json::array colours;
  std::vector<std::string> seen;
  for (const auto& v : s.variants) {
    if (cheapest < 0 || v.price_minor < cheapest) {
      cheapest = v.price_minor;
      compare_at = v.compare_at_minor;
    }
    any_in_stock = any_in_stock || v.in_stock;
    if (std::find(seen.begin(), seen.end(), v.colour) == seen.end()) seen.push_back(v.colour);
  }
  json::value image = nullptr;
  if (!s.images.empty()) image = image_json(s.images.front());
  return {{"id", p.id},
          {"slug", p.slug},
          {"title", p.title},
          {"brand", brand_ref(s.brand)},
          {"category", category_ref(s.category)},
          {"price", money_json(p.price.minor())},
          {"compare_at_price", opt_money_json(compare_at)},
          {"colours", string_array(seen)},
          {"tags", string_array(p.tags)},
          {"in_stock", any_in_stock},
          {"sales_count", p.sales_count},
          {"image", std::move(image)},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

json::object facet_value_json(const FacetValue& f) {
  json::object o{{"value", f.value}, {"label", f.label}, {"count", f.count}};
  if (f.swatch_hex) o["swatch_hex"] = *f.swatch_hex;
  if (f.parent) o["parent"] = *f.parent;
  return o;
}

json::array facet_json(const std::vector<FacetValue>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(facet_value_json(v));
  return out;
}

json::object facets_json(const Facets& f) {
  json::array ranges;
  for (const auto& r : f.price_ranges) {
    // value "2500-5000" in minor units -> decimal bounds in the shop currency
    auto dash = r.value.find('-');
    int64_t lower = std::stoll(r.value.substr(0, dash));
    std::string upper_text = r.value.substr(dash + 1);
    json::value upper = nullptr;
    if (!upper_text.empty())
      upper = json::string(Money(std::stoll(upper_text), CatalogService::kShopCurrency).decimal());
    ranges.push_back(json::object{{"min", Money(lower, CatalogService::kShopCurrency).decimal()},
                                  {"max", std::move(upper)},
                                  {"count", r.count}});
  }
  return {{"category", facet_json(f.categories)},
          {"brand", facet_json(f.brands)},
          {"colour", facet_json(f.colours)},
          {"size", facet_json(f.sizes)},
          {"tag", facet_json(f.tags)},
          {"in_stock", json::object{{"count", f.in_stock}}},
          {"price", json::object{{"min", opt_money_json(f.price_min_minor)},
                                 {"max", opt_money_json(f.price_max_minor)},
                                 {"ranges", std::move(ranges)}}}};
}

// JSON string text for `v`, quotes included (RFC 8259 escaping).
void append_json_string(std::string& out, std::string_view v) {
  out.push_back('"');
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// A facet's values as JSON text: the same members as facet_value_json, written directly because
// a listing has a hundred or more of them and building a JSON object for each costs more than
// the rest of the page.
void append_facet_values(std::string& out, const std::vector<FacetValue>& values) {
  out.push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    const FacetValue& f = values[i];
    if (i) out.push_back(',');
    out += "{\"value\":";
    append_json_string(out, f.value);
    out += ",\"label\":";
    append_json_string(out, f.label);
    out += ",\"count\":" + std::to_string(f.count);
    if (f.swatch_hex) {
      out += ",\"swatch_hex\":";
      append_json_string(out, *f.swatch_hex);
    }
    if (f.parent) {
      out += ",\"parent\":";
      append_json_string(out, *f.parent);
    }
    out.push_back('}');
  }
  out.push_back(']');
}

// facets_json(f) as text, member for member.
void append_facets(std::string& out, const Facets& f) {
  out += "{\"category\":";
  append_facet_values(out, f.categories);
  out += ",\"brand\":";
  append_facet_values(out, f.brands);
  out += ",\"colour\":";
  append_facet_values(out, f.colours);
  out += ",\"size\":";
  append_facet_values(out, f.sizes);
  out += ",\"tag\":";
  append_facet_values(out, f.tags);
  Facets rest;  // the few remaining members, through the JSON library
  rest.in_stock = f.in_stock;
  rest.price_ranges = f.price_ranges;
  rest.price_min_minor = f.price_min_minor;
  rest.price_max_minor = f.price_max_minor;
  json::object tail = facets_json(rest);
  out += ",\"in_stock\":" + json::serialize(tail["in_stock"]);
  out += ",\"price\":" + json::serialize(tail["price"]);
  out.push_back('}');
}

// Reads an optional integer query parameter within [lo, hi].
Result<int> int_param(const http::Request& req, const char* name, int fallback, int lo, int hi) {
  auto raw = req.query_param(name);
  if (!raw) return fallback;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < lo || v > hi)
    return bad_parameter(
        name, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

// A comma-separated list of slugs or codes ("red,navy"). Values are bounded in number and
// length and limited to the slug alphabet, so nothing odd reaches SQL (which binds them anyway).
Result<std::vector<std::string>> list_param(const http::Request& req, const char* name) {
  std::vector<std::string> out;
  auto raw = req.query_param(name);
  if (!raw) return out;
  size_t start = 0;
  while (start <= raw->size()) {
    size_t comma = raw->find(',', start);
    if (comma == std::string::npos) comma = raw->size();
    std::string value = raw->substr(start, comma - start);
    if (value.empty() || value.size() > kMaxFilterValueLength)
      return bad_parameter(name, "must be a comma-separated list of values of 1 to " +
                                     std::to_string(kMaxFilterValueLength) + " characters");
    for (char c : value)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            (c >= 'A' && c <= 'Z')))
        return bad_parameter(name, "values may use only letters, digits, '-' and '_'");
    out.push_back(std::move(value));
    if (out.size() > kMaxFilterValues)
      return bad_parameter(name, "takes at most " + std::to_string(kMaxFilterValues) + " values");
    start = comma + 1;
  }
  return out;
}

Result<std::optional<int64_t>> price_param(const http::Request& req, const char* name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<int64_t>{};
  auto money = Money::parse(*raw, CatalogService::kShopCurrency);
  if (!money || money->minor() < 0 || money->minor() > 1'000'000'000'00)
    return bad_parameter(name, "must be a decimal amount in " +
                                   std::string(currency_code(CatalogService::kShopCurrency)) +
                                   " such as 49.90, not negative");
  return std::optional<int64_t>{money->minor()};
}

Result<bool> bool_param(const http::Request& req, const char* name) {
  auto raw = req.query_param(name);
  if (!raw) return false;
  if (*raw == "true" || *raw == "1") return true;
  if (*raw == "false" || *raw == "0") return false;
  return bad_parameter(name, "must be true or false");
}

// "en", "vi", "pt-BR".
Result<std::string> locale_param(const http::Request& req) {
  auto raw = req.query_param("locale");
  if (!raw) return std::string("en");
  const std::string& l = *raw;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  bool ok = (l.size() == 2 || (l.size() == 5 && l[2] == '-')) && lower(l[0]) && lower(l[1]) &&
            (l.size() == 2 || (upper(l[3]) && upper(l[4])));
  if (!ok) return bad_parameter("locale", "must be a language code such as en or vi");
  return l;
}

// The list sorts newest first by default; search by relevance, which only search offers.
Result<ProductSort> sort_param(const http::Request& req, bool searching) {
  auto raw = req.query_param("sort");
  if (!raw) return searching ? ProductSort::relevance : ProductSort::newest;
  if (*raw == "newest") return ProductSort::newest;
  if (*raw == "price_asc") return ProductSort::price_asc;
  if (*raw == "price_desc") return ProductSort::price_desc;
  if (*raw == "best_selling") return ProductSort::best_selling;
  if (searching && *raw == "relevance") return ProductSort::relevance;
  return bad_parameter("sort", searching
                                   ? "must be one of relevance, newest, price_asc, price_desc, "
                                     "best_selling"
                                   : "must be one of newest, price_asc, price_desc, best_selling");
}

// Parses every parameter of the list; the first bad one is the error.
Result<ProductFilter> filter_params(const http::Request& req) {
  ProductFilter f;
  struct ListParam {
    const char* name;
    std::vector<std::string>* target;
  };
  for (auto [name, target] :
       {ListParam{"category", &f.categories}, ListParam{"brand", &f.brands},
        ListParam{"colour", &f.colours}, ListParam{"size", &f.sizes}, ListParam{"tag", &f.tags}}) {
    auto values = list_param(req, name);
    if (!values) return values.error();
    *target = std::move(*values);
  }
  auto min = price_param(req, "price_min");
  if (!min) return min.error();
  auto max = price_param(req, "price_max");
  if (!max) return max.error();
  if (*min && *max && **min > **max)
    return bad_parameter("price_max", "must not be below price_min");
  f.price_min_minor = *min;
  f.price_max_minor = *max;
  auto in_stock = bool_param(req, "in_stock");
  if (!in_stock) return in_stock.error();
  f.in_stock = *in_stock;
  return f;
}

// What the list and search read from the query string.
struct ListRequest {
  ProductFilter filter;
  ProductSort sort = ProductSort::newest;
  int page = 1;
  int per_page = CatalogService::kDefaultPerPage;
  std::string locale;
};

Result<ListRequest> list_request(const http::Request& req, bool searching) {
  ListRequest out;
  auto page = int_param(req, "page", 1, 1, 1'000'000);
  if (!page) return page.error();
  auto per_page =
      int_param(req, "per_page", CatalogService::kDefaultPerPage, 1, CatalogService::kMaxPerPage);
  if (!per_page) return per_page.error();
  auto sort = sort_param(req, searching);
  if (!sort) return sort.error();
  auto filter = filter_params(req);
  if (!filter) return filter.error();
  auto locale = locale_param(req);
  if (!locale) return locale.error();
  out.filter = std::move(*filter);
  out.sort = *sort;
  out.page = *page;
  out.per_page = *per_page;
  out.locale = std::move(*locale);
  return out;
}

// Product cards as JSON text, by product and locale, for the catalog version they were made
// from: a listing page is mostly cards, and the same products are listed again and again. Any
// catalog change makes every entry out of date (they are remade as they are next shown).
// Thread-safety: internally locked.
class CardJsonCache {
 public:
  std::optional<std::string> find(const std::string& key, uint64_t version) {
    std::lock_guard lock(mutex_);
    auto it = cards_.find(key);
    if (it == cards_.end() || it->second.first != version) return std::nullopt;
    return it->second.second;
  }
  void insert(std::string key, uint64_t version, std::string json) {
    std::lock_guard lock(mutex_);
    if (cards_.size() >= kCapacity) cards_.clear();  // crude but bounded
    cards_.insert_or_assign(std::move(key), std::make_pair(version, std::move(json)));
  }

 private:
  static constexpr size_t kCapacity = 20000;
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> cards_;
};

// The list's JSON body, written as text so that cached cards are copied in as they are.
// `version` is the catalog version read before `result` was: cards made now are kept for it.
// `extra` holds more members for the top-level object (search's), already serialised.
std::string page_body(const ProductPage& result, CardJsonCache& cache, uint64_t version,
                      const std::string& locale, const json::object& extra = {}) {
  std::string body;
  body.reserve(64 * 1024);  // a 24-card page with facets is about 30 KB
  body += "{\"items\":[";
  for (size_t i = 0; i < result.items.size(); ++i) {
    if (i) body.push_back(',');
    const ProductSummary& s = *result.items[i];
    std::string key = s.product.id + '/' + locale;
    if (auto card = cache.find(key, version)) {
      body += *card;
    } else {
      std::string made = json::serialize(product_core(s));
      body += made;
      cache.insert(std::move(key), version, std::move(made));
    }
  }
  body += "],\"page\":" + std::to_string(result.page);
  body += ",\"per_page\":" + std::to_string(result.per_page);
  body += ",\"total\":" + std::to_string(result.total);
  body += ",\"facets\":";
  append_facets(body, result.facets);
  for (const auto& [name, value] : extra) {
    body += ',' + json::serialize(json::string(name)) + ':' + json::serialize(value);
  }
  body.push_back('}');
  return body;
}

http::Response json_text(std::string body) {
  http::Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// Longest search text read from the query string; the index searches at most its first 200
// bytes and 12 words, so more is refused rather than silently ignored at this size.
constexpr size_t kMaxSearchTextBytes = 1000;
constexpr int kDefaultSuggestions = 8;

json::object availability_json(int64_t available) {
  if (available <= 0) return {{"status", "sold_out"}, {"label", "Sold out"}};
  if (available <= kLowStockThreshold)
    return {{"status", "low_stock"},
            {"quantity", available},
            {"label", "Only " + std::to_string(available) + " left"}};
  return {{"status", "in_stock"}, {"label", "In stock"}};
}

json::object option_json(const OptionValue& o) {
  json::object out{{"code", o.code}, {"label", o.label}};
  if (o.swatch_hex) out["swatch_hex"] = *o.swatch_hex;
  return out;
}

json::array category_tree_json(const std::vector<CategoryNode>& nodes) {
  json::array out;
  for (const auto& n : nodes)
    out.push_back(json::object{{"id", n.category.id},
                               {"slug", n.category.slug},
                               {"name", n.category.name},
                               {"product_count", n.product_count},
                               {"children", category_tree_json(n.children)}});
  return out;
}

}  // namespace

void add_routes(http::Router& router, CatalogService& service, AvailabilityLookup availability) {
  router.add("GET", "/api/v1/categories", [&service](const http::Request& req) {
    auto locale = locale_param(req);
    if (!locale) return http::problem(locale.error(), req.request_id);
    auto tree = service.category_tree(*locale);
    if (!tree) return http::problem(tree.error(), req.request_id);
    return http::json_response({{"items", category_tree_json(*tree)}});
  });

  auto cards = std::make_shared<CardJsonCache>();
  router.add("GET", "/api/v1/products", [&service, cards](const http::Request& req) {
    auto r = list_request(req, false);
    if (!r) return http::problem(r.error(), req.request_id);
    uint64_t version = service.version();
    auto result = service.list_products(r->filter, r->sort, r->page, r->per_page, r->locale);
    if (!result) return http::problem(result.error(), req.request_id);
    return json_text(page_body(*result, *cards, version, r->locale));
  });

  router.add("GET", "/api/v1/search", [&service, cards](const http::Request& req) {
    auto r = list_request(req, true);
    if (!r) return http::problem(r.error(), req.request_id);
    std::string text = req.query_param("q").value_or("");
    if (text.size() > kMaxSearchTextBytes)
      return http::problem(
          bad_parameter("q", "must be at most " + std::to_string(kMaxSearchTextBytes) + " bytes"),
          req.request_id);
    uint64_t version = service.version();
    auto result =
        service.search_products(text, r->filter, r->sort, r->page, r->per_page, r->locale);
    if (!result) return http::problem(result.error(), req.request_id);
    json::object extra{
        {"query", text},
        {"did_you_mean", opt_string(result->did_you_mean)},
        {"corrected", result->corrected},
        {"filters_from_query", json::object{{"colour", string_array(result->colours_from_text)},
                                            {"size", string_array(result->sizes_from_text)}}}};
    return json_text(page_body(*result, *cards, version, r->locale, extra));
  });

  router.add("GET", "/api/v1/search/suggest", [&service](const http::Request& req) {
    std::string text = req.query_param("q").value_or("");
    if (text.size() > kMaxSearchTextBytes)
      return http::problem(
          bad_parameter("q", "must be at most " + std::to_string(kMaxSearchTextBytes) + " bytes"),
          req.request_id);
    auto limit = int_param(req, "limit", kDefaultSuggestions, 1, 20);
    if (!limit) return http::problem(limit.error(), req.request_id);
    auto found = service.suggest(text, static_cast<size_t>(*limit));
    if (!found) return http::problem(found.error(), req.request_id);
    return http::json_response({{"query", text}, {"items", string_array(*found)}});
  });

  router.add("GET", "/api/v1/products/{slug}", [&service, availability](const http::Request& req) {
    auto locale = locale_param(req);
    if (!locale) return http::problem(locale.error(), req.request_id);
    auto detail = service.product_by_slug(std::string(req.param("slug")), *locale);
    if (!detail) return http::problem(detail.error(), req.request_id);
    const ProductSummary& s = detail->summary;

    std::map<std::string, int64_t> units;
    if (availability) {
      std::vector<std::string> ids;
      for (const auto& v : s.variants) ids.push_back(v.id);
      auto found = availability(ids);
      if (!found) return http::problem(found.error(), req.request_id);
      units = std::move(*found);
    }
    int64_t product_units = 0;
    json::array variants;
    for (const auto& v : s.variants) {
      int64_t n = 0;
      if (availability) {
        if (auto it = units.find(v.id); it != units.end()) n = it->second;
      } else {
        n = v.in_stock ? kLowStockThreshold + 1 : 0;
      }
      product_units += std::max<int64_t>(n, 0);
      variants.push_back(json::object{
          {"id", v.id},
          {"sku", v.sku},
          {"size", v.size},
          {"colour", v.colour},
          {"price", money_json(v.price_minor)},
          {"compare_at_price", opt_money_json(v.compare_at_minor)},
          {"barcode", opt_string(v.barcode)},
          {"weight_grams", v.weight_grams ? json::value(*v.weight_grams) : json::value(nullptr)},
          {"availability", availability_json(n)}});
    }
    json::array images;
    for (const auto& i : s.images) images.push_back(image_json(i));
    json::array breadcrumbs;
    for (const auto& c : detail->breadcrumbs)
      breadcrumbs.push_back(json::object{{"slug", c.slug}, {"name", c.name}});
    json::array colours, sizes;
    for (const auto& o : detail->colours) colours.push_back(option_json(o));
    for (const auto& o : detail->sizes) sizes.push_back(option_json(o));

    json::object out = product_core(s);
    const Product& p = s.product;
    out["description"] = p.description;
    out["status"] = p.status;
    out["attributes"] = json::object{
        {"material", p.material}, {"fit", p.fit}, {"gender", p.gender}, {"season", p.season}};
    out["seo"] = json::object{{"title", p.seo_title.empty() ? p.title : p.seo_title},
                              {"description", p.seo_description}};
    out["options"] = json::object{{"colour", std::move(colours)}, {"size", std::move(sizes)}};
    out["variants"] = std::move(variants);
    out["images"] = std::move(images);
    out["breadcrumbs"] = std::move(breadcrumbs);
    out["availability"] = availability_json(product_units);
    out["in_stock"] = product_units > 0;
    return http::json_response(out);
  });
}

}  // namespace fff::catalog
