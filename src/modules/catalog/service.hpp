// modules/catalog/service: the catalog's rules; the module's only door for other code.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "modules/catalog/model.hpp"
#include "modules/catalog/staff.hpp"
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
  // The shop's currency (setting `currency`: USD or VND): list prices, filters and facets are
  // in it. One per process, set once at start-up before serving (App::create); it reads like
  // the constant it used to be (service_variants.cpp).
  struct ShopCurrency {
    operator Currency() const;  // NOLINT(google-explicit-constructor): a drop-in constant
  };
  static constexpr ShopCurrency kShopCurrency{};
  static void set_shop_currency(Currency currency);

  CatalogService(db::Database& database, const Clock& clock);
  ~CatalogService();
  CatalogService(const CatalogService&) = delete;
  CatalogService& operator=(const CatalogService&) = delete;

  // One page of active products matching `filter`, in `sort` order, with the total and facet
  // counts over the whole result set. Unknown slugs or codes in the filter match nothing (an
  // empty page, not an error). `locale` other than "en" overlays translated text where present.
  // REQUIRES: page >= 1 and 1 <= per_page <= kMaxPerPage (validated at the API boundary).
  Result<ProductPage> list_products(const ProductFilter& filter, ProductSort sort, int page,
                                    int per_page, const std::string& locale = "en");
  // Error: not_found / product_not_found when no active product has the slug.
  Result<ProductDetail> product_by_slug(const std::string& slug, const std::string& locale = "en");
  // Where a renamed product lives now: the current slug of the active product that once had
  // `former_slug` (nullopt when there is none), for 301s from old links.
  Result<std::optional<std::string>> current_slug_for(const std::string& former_slug);
  // The category tree, roots first, each node counting the active products in it and below.
  Result<std::vector<CategoryNode>> category_tree(const std::string& locale = "en");

  // --- Search (service_search.cpp) ---
  // The catalog keeps a search index (infra/search, Xapian) of its active products. Once it is
  // open, listings, facets and search are answered from it; without it (or while it cannot be
  // read) listings fall back to SQL and search answers 503 search_unavailable.
  using IndexProgress = std::function<void(uint64_t done, uint64_t expected)>;
  // Opens the index under `dir`; rebuilds it from the database when it is missing, damaged or
  // out of step with the catalog (another count of active products), then keeps it current in
  // the background: a write returns once its change is searchable (see kIndexWait).
  // Call once, before serving.
  // `rebuild` rebuilds whatever state the index is in (`fff reindex`).
  Result<void> open_search(const std::filesystem::path& dir, const IndexProgress& progress = {},
                           bool rebuild = false);
  // Rebuilds the open index from the database (`fff reindex`); searches are served from the old
  // index until the new one replaces it. Returns the products indexed.
  Result<uint64_t> reindex(const IndexProgress& progress = {});
  // Products matching `text` (stemmed, typo-tolerant, with synonyms; colour and size words act
  // as filters) and `filter`, with facets and a "did you mean". Errors: invalid
  // invalid_parameter naming page/per_page beyond the result window; unavailable
  // search_unavailable when there is no index.
  Result<ProductPage> search_products(const std::string& text, const ProductFilter& filter,
                                      ProductSort sort, int page, int per_page,
                                      const std::string& locale = "en");
  // Completions of the last word of `prefix` for a search box, most frequent first.
  Result<std::vector<std::string>> suggest(const std::string& prefix, size_t limit);
  // How long the index updater gathers changes before writing them: changes arriving together
  // are written and committed together (a commit costs an fsync and new facet bitmaps).
  static constexpr std::chrono::milliseconds kIndexDelay{20};
  // How long a write waits for its change to reach the index (read-your-writes) at most. A
  // commit takes milliseconds on a quiet machine; the bound is generous because a busy one
  // (a rebuild, a backup, a sanitizer build) can stretch it past a second, and a staff write
  // that returns before its change is searchable looks like a lost edit.
  static constexpr std::chrono::milliseconds kIndexWait{5000};

  // True when the catalog holds no product in any status (a fresh database).
  Result<bool> is_empty();
  // Loads a whole catalog batch in one transaction; rows that exist already are kept.
  // Error: unprocessable / invalid_product naming the field for a bad slug, title or price.
  // Returns how many products were added.
  Result<int64_t> load_batch(const CatalogBatch& batch);
  // Keeps the list's "in stock" filter in step with inventory. Error: not_found /
  // variant_not_found.
  Result<void> set_variant_in_stock(const std::string& variant_id, bool in_stock);

  // Bumped by every change made through this service: a copy of catalog data taken while it
  // read N is current as long as it still reads N.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // Registers a listener called after every committed change, on the writer's thread; it must
  // be quick (queue the work) and must not call back into writes. Register before serving.
  void on_change(CatalogChangeListener listener) { listeners_.push_back(std::move(listener)); }
  // Registers a listener called after the search index committed changes (on the index updater's
  // thread, up to about a second after the write). Whatever was made from search results while
  // the index lagged — a cached "no results" page — is stale only now. Register before serving.
  void on_indexed(std::function<void()> listener) {
    index_listeners_.push_back(std::move(listener));
  }
  // Every committed write also publishes kChangedTopic to the outbox in its transaction, with
  // data {"product_ids": […], "everything": bool}, so other nodes keep their caches and search
  // index current: they hand the event to apply_remote_change().
  static constexpr const char* kChangedTopic = "catalog.changed";
  static CatalogChange change_from_event(const std::string& data);
  void apply_remote_change(const CatalogChange& change) { changed(change); }

  // How long the small reference tables (categories, brands, option values) are reused before
  // being read again. Changes made through this service are seen at once; changes by another
  // node within this time.
  static constexpr std::chrono::milliseconds kReferenceTtl{1000};

  // Staff writes (staff_service.cpp), for the admin API. Each write is one transaction and tells
  // the listeners after it commits. Validation failures are unprocessable errors listing every
  // bad field (the code is the first one's: invalid_price, unknown_category, …); duplicate slugs
  // and SKUs are conflicts slug_taken / sku_taken; unknown ids are not_found.
  Result<std::vector<Category>> staff_categories();
  Result<Category> create_category(const CategoryInput& input);
  // Error: unprocessable / category_cycle when moving a category under itself or a descendant.
  Result<Category> update_category(const std::string& id, const CategoryInput& input);
  // Error: conflict / category_not_empty while it has subcategories or products.
  Result<void> delete_category(const std::string& id);
  Result<std::vector<Brand>> staff_brands();
  Result<Brand> create_brand(const BrandInput& input);
  Result<Brand> update_brand(const std::string& id, const BrandInput& input);
  // Error: conflict / brand_in_use while any product names it.
  Result<void> delete_brand(const std::string& id);
  Result<std::vector<OptionValue>> staff_option_values();
  Result<OptionValue> create_option_value(const std::string& option, const OptionValueInput& input);
  Result<OptionValue> update_option_value(const std::string& option, const std::string& code,
                                          const OptionValueInput& input);

  Result<StaffProductPage> staff_products(const StaffProductQuery& query);
  Result<ProductRecord> staff_product(const std::string& id);
  // The product with its variants and images, all or nothing.
  Result<ProductRecord> create_product(const ProductInput& input);
  // Changes the given fields. `expected_updated_at`, when given, must equal the stored
  // updated_at (the client's last read), else conflict / edit_conflict and nothing changes.
  Result<ProductRecord> update_product(const std::string& id, const ProductInput& input,
                                       const std::optional<std::string>& expected_updated_at = {});
  Result<Variant> add_variant(const std::string& product_id, const VariantInput& input);
  Result<Variant> update_variant(const std::string& product_id, const std::string& variant_id,
                                 const VariantInput& input);
  // Error: conflict / last_variant when it is the only variant of an active product.
  Result<void> delete_variant(const std::string& product_id, const std::string& variant_id);
  Result<Image> add_image(const std::string& product_id, const ImageInput& input);
  Result<Image> update_image(const std::string& product_id, const std::string& image_id,
                             const ImageInput& input);
  Result<void> remove_image(const std::string& product_id, const std::string& image_id);
  // Positions the product's images in the given order. `image_ids` must name each image once.
  Result<std::vector<Image>> reorder_images(const std::string& product_id,
                                            const std::vector<std::string>& image_ids);
  // Creates or updates products by slug and their variants by SKU (staff_import.cpp).
  // all_or_nothing: one transaction; any row error writes nothing. best_effort: each product
  // is its own transaction and the failures are reported.
  Result<ImportReport> import_products(const std::vector<ImportProduct>& products, ImportMode mode);
  // Every product in slug order, with variants, images and tags, `limit` at a time after
  // `after_slug` ("" for the first batch).
  Result<std::vector<ProductRecord>> export_batch(const std::string& after_slug, int limit);
  // The variant with this SKU (when `sku` is given) or id, in any product status.
  Result<std::optional<Variant>> find_variant(const std::string& sku,
                                              const std::string& variant_id);
  // Variants as cart lines show them, by id, in any product status; unknown ids are absent
  // (service_variants.cpp).
  Result<std::vector<VariantView>> variant_views(const std::vector<std::string>& variant_ids);

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
  // Writes the change's kChangedTopic event in `tx`; commit_change() also commits and calls
  // changed().
  Result<void> publish_change(db::Transaction& tx, const CatalogChange& change);
  Result<void> commit_change(db::Transaction& tx, const CatalogChange& change);

  // Products as a listing shows them (brand, category, variants, images, tags; English), by id,
  // so a page of results costs no queries for products shown recently. Dropped per product on
  // every change made through this service.
  Result<std::vector<std::shared_ptr<const ProductSummary>>> cards(
      const std::vector<std::string>& ids, const CatalogReference& ref);
  static constexpr size_t kMaxCachedCards = 20000;
  std::mutex cards_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const ProductSummary>> cards_;
  uint64_t cards_generation_ = 0;  // bumped by every drop, so a load racing a change is not kept

  struct SearchState;  // the index and the thread keeping it current (service_search.cpp)
  std::unique_ptr<SearchState> search_;
  // A page from the index, or nullopt when there is no index to ask.
  Result<std::optional<ProductPage>> page_from_index(const std::string& text,
                                                     const ProductFilter& filter, ProductSort sort,
                                                     int page, int per_page,
                                                     const std::string& locale);
  void index_changes();  // the updater thread's loop
  void stop_indexing();
  void queue_index_change(const CatalogChange& change);
  // Shared by the SQL and the index listings (service.cpp).
  Result<std::shared_ptr<const CatalogReference>> localized_reference(
      std::shared_ptr<const CatalogReference> english, const std::string& locale);
  Result<void> attach_page_children(std::vector<ProductSummary>& items,
                                    const CatalogReference& ref);
  Result<void> translate_page(std::vector<ProductSummary>& items, const std::string& locale);
  static std::vector<FacetValue> option_facet_values(const CatalogReference& ref,
                                                     const std::string& option,
                                                     const std::map<std::string, int64_t>& counts);

  ProductStore store_;
  std::vector<CatalogChangeListener> listeners_;
  std::vector<std::function<void()>> index_listeners_;
  std::atomic<uint64_t> version_{0};
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
