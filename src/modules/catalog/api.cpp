#include "modules/catalog/api.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

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

Result<ProductSort> sort_param(const http::Request& req) {
  auto raw = req.query_param("sort");
  if (!raw || *raw == "newest") return ProductSort::newest;
  if (*raw == "price_asc") return ProductSort::price_asc;
  if (*raw == "price_desc") return ProductSort::price_desc;
  if (*raw == "best_selling") return ProductSort::best_selling;
  return bad_parameter("sort", "must be one of newest, price_asc, price_desc, best_selling");
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

  router.add("GET", "/api/v1/products", [&service](const http::Request& req) {
    auto page = int_param(req, "page", 1, 1, 1'000'000);
    if (!page) return http::problem(page.error(), req.request_id);
    auto per_page =
        int_param(req, "per_page", CatalogService::kDefaultPerPage, 1, CatalogService::kMaxPerPage);
    if (!per_page) return http::problem(per_page.error(), req.request_id);
    auto sort = sort_param(req);
    if (!sort) return http::problem(sort.error(), req.request_id);
    auto filter = filter_params(req);
    if (!filter) return http::problem(filter.error(), req.request_id);
    auto locale = locale_param(req);
    if (!locale) return http::problem(locale.error(), req.request_id);

    auto result = service.list_products(*filter, *sort, *page, *per_page, *locale);
    if (!result) return http::problem(result.error(), req.request_id);
    json::array items;
    items.reserve(result->items.size());
    for (const auto& s : result->items) items.push_back(product_core(s));
    return http::json_response({{"items", std::move(items)},
                                {"page", result->page},
                                {"per_page", result->per_page},
                                {"total", result->total},
                                {"facets", facets_json(result->facets)}});
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
