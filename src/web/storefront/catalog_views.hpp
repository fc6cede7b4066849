// web/storefront/catalog_views: what the catalog pages share — the cached category tree, image
// and product card view models, listing queries (filters, sort, page) and their canonical form.
// Internal to catalog_*.cpp.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/catalog/model.hpp"
#include "web/storefront/catalog_pages.hpp"

namespace fff::web::catalog_views {

namespace json = boost::json;

// One category as the pages link it.
struct CategoryEntry {
  std::string slug, name, url;
  std::string short_slug;  // the URL segment under its top category
  int parent = -1;         // index in CategoryIndex::nodes
  int top = -1;            // the root it belongs to (itself for a root)
  std::vector<int> children;
  int64_t count = 0;
};

// The category tree of one locale, flattened, with the `nav` filler's data made once.
struct CategoryIndex {
  uint64_t version = 0;
  std::chrono::steady_clock::time_point loaded;
  std::vector<CategoryEntry> nodes;
  std::vector<int> roots;
  json::array nav;
  const CategoryEntry* by_slug(std::string_view slug) const;
  int index_of(std::string_view slug) const;
};

// Category trees per locale, re-read when the catalog's version moves (or after a few seconds,
// for changes made by another node).
class CategoryCache {
 public:
  std::shared_ptr<const CategoryIndex> get(catalog::CatalogService& catalog,
                                           const std::string& locale);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const CategoryIndex>> by_locale_;
};

struct Shared {
  Site& site;
  catalog::CatalogService& catalog;
  catalog::AvailabilityLookup availability;
  CategoryCache categories;
  // The sitemap, made at most once per catalog version.
  std::mutex sitemap_mutex;
  uint64_t sitemap_version = ~uint64_t{0};
  std::chrono::steady_clock::time_point sitemap_made;
  std::string sitemap;
};

// --- images and cards ---
inline constexpr int kImageWidth = 640;  // the intrinsic size we declare: 4:5 portrait
inline constexpr int kImageHeight = 800;
std::string image_url(const std::string& media_key, int width);
std::string image_srcset(const std::string& media_key);
// {src, srcset, sizes, alt, width, height, loading, fetchpriority}
json::object image_view(const catalog::Image& image, std::string_view sizes, bool eager);
inline constexpr std::string_view kCardSizes =
    "(min-width: 1200px) 270px, (min-width: 992px) 22vw, (min-width: 768px) 30vw, 46vw";

// Colour code → (label, swatch hex) from a listing's facets.
using ColourMap = std::map<std::string, std::pair<std::string, std::string>>;
ColourMap colour_map(const catalog::Facets& facets);
// A product card's view model (_product_card.mustache).
json::object card_view(const Site& site, const std::string& locale,
                       const catalog::ProductSummary& product, const ColourMap& colours,
                       bool eager);
json::array card_views(const Site& site, const std::string& locale,
                       const catalog::ProductPage& page, int eager_count,
                       const std::string& skip_id = "");

// {"products": cards, "listing": listing} for _product_grid.mustache.
json::object grid_view(json::array cards, bool listing);

std::string money(int64_t minor);
// "$25", "$25.50": no ".00" for whole amounts (filters and chips).
std::string short_money(int64_t minor);
std::string absolute_url(const Site& site, std::string_view path);
// JSON for a <script type="application/ld+json"> block: '<' escaped so no "</script>" appears.
std::string json_ld(const json::object& value);
std::string url_encode(std::string_view text);

// --- listings ---
struct ListingQuery {
  std::string q;  // search only
  std::vector<std::string> sizes, colours, brands;
  std::optional<int64_t> min_minor, max_minor;
  std::string sort;  // "" = the page's default
  int page = 1;
};
// Parses a query string leniently: unknown keys and bad values are dropped, lists sorted and
// deduplicated, the default sort forgotten.
ListingQuery parse_listing(std::string_view raw_query, bool search);
// "?brand=a&color=navy&page=2" (keys sorted, values sorted, defaults left out) or "".
std::string query_string(const ListingQuery& q);
catalog::ProductFilter to_filter(const ListingQuery& q);
catalog::ProductSort to_sort(const ListingQuery& q, bool search);
bool has_filters(const ListingQuery& q);

// Filters, chips, sort form and pagination for the listing templates, under `base_path`.
void add_listing_views(const Site& site, const std::string& locale, const std::string& base_path,
                       const ListingQuery& query, const catalog::ProductPage& page, bool search,
                       json::object& data);

// --- the pages (catalog_pages.cpp, catalog_listing.cpp, catalog_product.cpp) ---
http::Response home_page(Shared& shared, const http::Request& req);
http::Response category_page(Shared& shared, const http::Request& req);
http::Response search_page(Shared& shared, const http::Request& req);
http::Response product_page(Shared& shared, const http::Request& req);
// The breadcrumb trail as BreadcrumbList JSON-LD; `trail` is [(name, path)] from Home on.
std::string breadcrumb_json_ld(const Site& site,
                               const std::vector<std::pair<std::string, std::string>>& trail);
json::array breadcrumb_view(const std::vector<std::pair<std::string, std::string>>& trail);

}  // namespace fff::web::catalog_views
