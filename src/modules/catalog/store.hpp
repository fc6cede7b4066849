// modules/catalog/store: the catalog's SQL. The only code that touches its tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/catalog/model.hpp"

namespace fff::catalog {

// A product filter with slugs already resolved to ids (the service does that against the small
// category and brand tables, so unknown slugs never reach SQL).
struct ResolvedFilter {
  std::vector<std::string> category_ids;  // descendants already included
  std::vector<std::string> brand_ids;
  std::vector<std::string> colours;
  std::vector<std::string> sizes;
  std::vector<std::string> tags;
  std::optional<int64_t> price_min_minor;
  std::optional<int64_t> price_max_minor;
  bool in_stock = false;
};

// Raw facet counts: ids for categories and brands, codes for the rest.
struct FacetCounts {
  int64_t total = 0;
  std::map<std::string, int64_t> categories;  // category id -> products directly in it
  std::map<std::string, int64_t> brands;
  std::map<std::string, int64_t> colours;
  std::map<std::string, int64_t> sizes;
  std::map<std::string, int64_t> tags;
  std::map<std::string, int64_t> price_bands;  // band label -> products
  int64_t in_stock = 0;
  std::optional<int64_t> price_min_minor;
  std::optional<int64_t> price_max_minor;
};

// Price bands of the price facet, in minor units: [lower, upper); the last is open-ended.
struct PriceBand {
  int64_t lower;
  std::optional<int64_t> upper;
  std::string label() const;  // "2500-5000", "20000-"
};
const std::vector<PriceBand>& price_bands();

class ProductStore {
 public:
  explicit ProductStore(db::Database& database) : db_(database) {}

  // Products in any status; zero means the catalog is empty (first start).
  Result<int64_t> count_all();

  Result<std::vector<Category>> categories();
  Result<std::vector<Brand>> brands();
  Result<std::vector<OptionValue>> option_values();
  // Active products per category id (not rolled up).
  Result<std::map<std::string, int64_t>> active_counts_by_category();

  Result<FacetCounts> facet_counts(const ResolvedFilter& filter);
  Result<std::vector<Product>> list_active(const ResolvedFilter& filter, ProductSort sort,
                                           int limit, int64_t offset);
  Result<std::optional<Product>> find_active_by_slug(const std::string& slug);
  // Active products among `ids`, in no particular order (missing and inactive ones left out).
  Result<std::vector<Product>> active_by_ids(const std::vector<std::string>& ids);
  // Active products with an id above `after_id`, in id order: a keyset walk over the catalog.
  Result<std::vector<Product>> active_after(const std::string& after_id, int limit);
  Result<int64_t> count_active();

  // Batch loads for a page of products, each one query, ordered by product then position.
  Result<std::vector<Variant>> variants_of(const std::vector<std::string>& product_ids);
  Result<std::vector<Image>> images_of(const std::vector<std::string>& product_ids);
  Result<std::map<std::string, std::vector<std::string>>> tags_of(
      const std::vector<std::string>& product_ids);
  // field -> value for each entity id, in one locale.
  Result<std::map<std::string, std::map<std::string, std::string>>> translations(
      const std::string& entity, const std::vector<std::string>& ids, const std::string& locale);

  // Writes the whole batch in one transaction with multi-row inserts. Rows whose id (or slug,
  // sku, option code) exists already are left alone, so loading the same batch twice — or from
  // two nodes at once — is harmless. Returns how many products were inserted.
  Result<int64_t> insert_batch(const CatalogBatch& batch);

  // The in_stock mirror of one variant. Returns false when no such variant exists.
  // Returns the variant's product id, or nothing when there is no such variant.
  Result<std::optional<std::string>> set_variant_in_stock(const std::string& variant_id,
                                                          bool in_stock);

 private:
  db::Database& db_;
};

}  // namespace fff::catalog
