// modules/catalog/store: the catalog's SQL. The only code that touches its tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/catalog/model.hpp"
#include "modules/catalog/staff.hpp"

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
  // The current slug of the active product that once had `former_slug`; nullopt when none.
  Result<std::optional<std::string>> current_slug_for(const std::string& former_slug);
  // Active products among `ids`, in no particular order (missing and inactive ones left out).
  Result<std::vector<Product>> active_by_ids(const std::vector<std::string>& ids);
  // Products in any status with an id above `after_id`, in id order: a keyset walk over the
  // catalog (the caller picks the active ones; asking SQL to would make SQLite walk a status
  // index and sort instead of reading the primary key in order).
  Result<std::vector<Product>> products_by_id_after(const std::string& after_id, int limit);
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

  // The in_stock mirror of one variant, and its product's. Returns the variant's product id and
  // whether anything changed (then a catalog.changed event is in the same transaction), or
  // nothing when there is no such variant.
  struct StockMirrorUpdate {
    std::string product_id;
    bool changed = false;
  };
  Result<std::optional<StockMirrorUpdate>> set_variant_in_stock(const std::string& variant_id,
                                                                bool in_stock);

  // Staff writes (staff_store.cpp). Writes take the caller's transaction so that a product, its
  // variants and images commit together, and so that an import can hold many products in one.
  // Reads that a write depends on take it too (they must see its uncommitted rows).
  Result<db::Transaction> begin();
  Result<void> insert_category(db::Transaction& tx, const Category& category);
  Result<void> update_category(db::Transaction& tx, const Category& category);
  Result<void> delete_category(db::Transaction& tx, const std::string& id);
  // Child categories plus products (any status) directly in the category.
  Result<int64_t> category_use(db::Transaction& tx, const std::string& id);
  Result<void> insert_brand(db::Transaction& tx, const Brand& brand);
  Result<void> update_brand(db::Transaction& tx, const Brand& brand);
  Result<void> delete_brand(db::Transaction& tx, const std::string& id);
  Result<int64_t> brand_use(db::Transaction& tx, const std::string& id);
  Result<void> insert_option_value(db::Transaction& tx, const OptionValue& value);
  Result<void> update_option_value(db::Transaction& tx, const OptionValue& value);

  // A product in any status, with its tags. `lock` holds its row until the transaction ends
  // (PostgreSQL; SQLite's single writer already serialises), so that check-then-write is safe.
  Result<std::optional<Product>> product_by_id(db::Transaction& tx, const std::string& id,
                                               bool lock = false);
  Result<std::optional<Product>> product_by_slug(db::Transaction& tx, const std::string& slug);
  Result<void> insert_product(db::Transaction& tx, const Product& product);
  Result<void> update_product(db::Transaction& tx, const Product& product);
  // Remembers that `product_id` was at `former_slug` (now at `new_slug`, which stops being a
  // redirect of any product).
  Result<void> record_former_slug(db::Transaction& tx, const std::string& product_id,
                                  const std::string& former_slug, const std::string& new_slug,
                                  const std::string& at);
  Result<void> replace_tags(db::Transaction& tx, const std::string& product_id,
                            const std::vector<std::string>& tags);
  // Recomputes what products keep copied from their variants and tags: the "from" price, the
  // facet words and the in-stock flag.
  Result<void> refresh_product(db::Transaction& tx, const std::string& product_id);
  Result<std::vector<Variant>> variants_in(db::Transaction& tx, const std::string& product_id);
  Result<std::optional<Variant>> variant_by_sku(db::Transaction& tx, const std::string& sku);
  Result<void> insert_variant(db::Transaction& tx, const Variant& variant);
  Result<void> update_variant(db::Transaction& tx, const Variant& variant);
  Result<void> delete_variant(db::Transaction& tx, const std::string& id);
  Result<std::vector<Image>> images_in(db::Transaction& tx, const std::string& product_id);
  Result<void> insert_image(db::Transaction& tx, const Image& image);
  Result<void> update_image(db::Transaction& tx, const Image& image);
  Result<void> delete_image(db::Transaction& tx, const std::string& id);
  // Every locale's translated fields of one entity.
  Result<std::map<std::string, std::map<std::string, std::string>>> all_translations(
      db::Transaction& tx, const std::string& entity, const std::string& id);
  Result<void> replace_translations(db::Transaction& tx, const std::string& entity,
                                    const std::string& id, const std::string& locale,
                                    const std::map<std::string, std::string>& fields);
  // Products in any status, newest first; `q` matches part of the title (any case) or slug,
  // or a whole SKU; `category_id` and `brand_id` match exactly. Returns the page and the total.
  Result<std::pair<std::vector<Product>, int64_t>> staff_list(
      const std::optional<std::string>& status, const std::string& q,
      const std::optional<std::string>& category_id, const std::optional<std::string>& brand_id,
      int limit, int64_t offset);
  // Every product (any status) in slug order, `limit` at a time after `after_slug` (export).
  Result<std::vector<Product>> products_after(const std::string& after_slug, int limit);
  // One product in any status with everything staff see, read without a transaction (a read
  // must not take SQLite's single writer). nullopt when there is no such product.
  Result<std::optional<ProductRecord>> product_record(const std::string& id);
  // By SKU when `sku` is not empty, else by id (which must be a UUID).
  Result<std::optional<Variant>> find_variant(const std::string& sku, const std::string& id);
  // Variants with their product, labels and picture, by id (store_variants.cpp).
  Result<std::vector<VariantView>> variant_views(const std::vector<std::string>& ids);

 private:
  db::Database& db_;
};

}  // namespace fff::catalog
