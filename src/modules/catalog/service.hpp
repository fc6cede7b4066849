// modules/catalog/service: the catalog's rules; the module's only door for other code.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "modules/catalog/model.hpp"
#include "modules/catalog/store.hpp"

namespace fff::catalog {

struct CatalogReference;  // categories, brands and option values (service.cpp)

// What a committed write changed, for those who keep copies of the catalog (the search index,
// caches). `everything` means "re-read it all" (a bulk load, a category or brand rename).
struct CatalogChange {
  std::vector<std::string> product_ids;
  bool everything = false;
};
using CatalogChangeListener = std::function<void(const CatalogChange&)>;

// Thread-safety: safe to use from many threads at once.
class CatalogService {
 public:
  static constexpr int kMaxPerPage = 100;
  static constexpr int kDefaultPerPage = 24;
  // The shop's currency: list prices, filters and facets are in it.
  static constexpr Currency kShopCurrency = Currency::USD;

  CatalogService(db::Database& database, const Clock& clock) : store_(database), clock_(clock) {}

  // One page of active products matching `filter`, in `sort` order, with the total and facet
  // counts over the whole result set. Unknown slugs or codes in the filter match nothing (an
  // empty page, not an error). `locale` other than "en" overlays translated text where present.
  // REQUIRES: page >= 1 and 1 <= per_page <= kMaxPerPage (validated at the API boundary).
  Result<ProductPage> list_products(const ProductFilter& filter, ProductSort sort, int page,
                                    int per_page, const std::string& locale = "en");
  // Error: not_found / product_not_found when no active product has the slug.
  Result<ProductDetail> product_by_slug(const std::string& slug, const std::string& locale = "en");
  // The category tree, roots first, each node counting the active products in it and below.
  Result<std::vector<CategoryNode>> category_tree(const std::string& locale = "en");

  // True when the catalog holds no product in any status (a fresh database).
  Result<bool> is_empty();
  // Loads a whole catalog batch in one transaction; rows that exist already are kept.
  // Error: unprocessable / invalid_product naming the field for a bad slug, title or price.
  // Returns how many products were added.
  Result<int64_t> load_batch(const CatalogBatch& batch);
  // Keeps the list's "in stock" filter in step with inventory. Error: not_found /
  // variant_not_found.
  Result<void> set_variant_in_stock(const std::string& variant_id, bool in_stock);

  // Registers a listener called after every committed change, on the writer's thread; it must
  // be quick (queue the work) and must not call back into writes. Register before serving.
  void on_change(CatalogChangeListener listener) { listeners_.push_back(std::move(listener)); }

  // How long the small reference tables (categories, brands, option values) are reused before
  // being read again. Changes made through this service are seen at once; changes by another
  // node within this time.
  static constexpr std::chrono::milliseconds kReferenceTtl{1000};

 private:
  // The reference tables, English; shared by concurrent requests and never mutated.
  Result<std::shared_ptr<const CatalogReference>> reference();
  void forget_reference();
  // Facet counts and total for a filter, reused for kFacetTtl: every page and sort of one
  // filter shares them, and they are the costly part of a listing. Changes made through this
  // service drop them at once; changes by another node show within the TTL.
  Result<FacetCounts> facet_counts(const ResolvedFilter& filter);
  void forget_facets();
  // Drops this service's caches and tells the listeners. Every write calls it after commit.
  void changed(const CatalogChange& change);

  ProductStore store_;
  std::vector<CatalogChangeListener> listeners_;
  const Clock& clock_;
  std::mutex reference_mutex_;
  std::shared_ptr<const CatalogReference> reference_;
  std::chrono::steady_clock::time_point reference_loaded_;

  static constexpr std::chrono::milliseconds kFacetTtl{500};
  static constexpr size_t kMaxCachedFilters = 1024;
  struct CachedFacets {
    std::shared_ptr<const FacetCounts> counts;
    std::chrono::steady_clock::time_point loaded;
  };
  std::mutex facets_mutex_;
  std::unordered_map<std::string, CachedFacets> facets_;  // key: the filter, serialised
};

// A slug is 1–120 characters of a-z, 0-9 and single hyphens, not at either end.
bool valid_slug(const std::string& slug);

}  // namespace fff::catalog
