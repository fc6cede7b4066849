// The catalog's search index: how products become index documents, how the index is kept in
// step with committed changes, and how listings and searches are answered from it.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/log.hpp"
#include "infra/search/catalog_index.hpp"
#include "modules/catalog/reference.hpp"
#include "modules/catalog/service.hpp"

namespace fff::catalog {

struct CatalogService::SearchState {
  std::unique_ptr<search::CatalogIndex> index;

  std::mutex mutex;
  std::condition_variable wake;
  std::set<std::string> pending;  // product ids changed since the last write to the index
  bool everything = false;        // rebuild instead
  bool stopping = false;
  uint64_t queued = 0;   // changes queued so far (a sequence number per queue_index_change)
  uint64_t applied = 0;  // changes up to this number are in the index (committed)
  std::condition_variable applied_changed;
  std::atomic<bool> rebuilding{false};  // the updater is rebuilding the whole index
  std::thread updater;
};

namespace {

constexpr int kIndexBatch = 500;  // products read per query while indexing
constexpr auto kRetryDelay = std::chrono::seconds(1);

// Index documents for `products`: two queries for their variants and tags, whatever their number.
Result<std::vector<search::SearchDocument>> documents_for(ProductStore& store,
                                                          const CatalogReference& ref,
                                                          const std::vector<Product>& products) {
  std::vector<std::string> ids;
  ids.reserve(products.size());
  for (const auto& p : products) ids.push_back(p.id);
  auto variants = store.variants_of(ids);
  if (!variants) return variants.error();
  auto tags = store.tags_of(ids);
  if (!tags) return tags.error();
  std::unordered_map<std::string, std::vector<const Variant*>> by_product;
  for (const auto& v : *variants) by_product[v.product_id].push_back(&v);

  std::vector<search::SearchDocument> out;
  out.reserve(products.size());
  for (const auto& p : products) {
    search::SearchDocument d;
    d.id = p.id;
    d.slug = p.slug;
    d.title = p.title;
    d.description = p.description;
    if (p.brand_id)
      if (const Brand* b = ref.brand_by_id(*p.brand_id)) {
        d.brand_slug = b->slug;
        d.brand_name = b->name;
      }
    if (p.category_id)
      for (const auto& c : ref.path_to(*p.category_id)) {
        d.category_path.push_back(c.slug);
        d.category_names.push_back(c.name);
      }
    if (auto t = tags->find(p.id); t != tags->end()) d.tags = t->second;
    for (const auto& [key, value] : {std::pair{"material", &p.material},
                                     {"fit", &p.fit},
                                     {"gender", &p.gender},
                                     {"season", &p.season}})
      if (!value->empty()) d.attributes.emplace_back(key, *value);
    std::set<std::string> colours, sizes;
    for (const Variant* v : by_product[p.id]) {
      d.variants.push_back({v->colour, v->size, v->in_stock});
      d.in_stock = d.in_stock || v->in_stock;
      colours.insert(v->colour);
      sizes.insert(v->size);
    }
    d.colours.assign(colours.begin(), colours.end());
    d.sizes.assign(sizes.begin(), sizes.end());
    // A colour's shop name ("Chocolate" for brown) is searchable text too.
    for (const auto& code : colours)
      if (const OptionValue* o = ref.option("colour", code); o && o->label != code)
        d.description += " " + o->label;
    d.price_minor = p.price.minor();
    d.created_at = p.created_at;
    d.popularity = p.sales_count;
    out.push_back(std::move(d));
  }
  return out;
}

search::SortOrder to_index_sort(ProductSort sort) {
  switch (sort) {
    case ProductSort::price_asc: return search::SortOrder::price_asc;
    case ProductSort::price_desc: return search::SortOrder::price_desc;
    case ProductSort::best_selling: return search::SortOrder::best_selling;
    case ProductSort::relevance: return search::SortOrder::relevance;
    case ProductSort::newest: break;
  }
  return search::SortOrder::newest;
}

}  // namespace

CatalogService::CatalogService(db::Database& database, const Clock& clock)
    : store_(database), clock_(clock) {}

CatalogService::~CatalogService() {
  stop_indexing();
}

void CatalogService::stop_indexing() {
  if (!search_) return;
  {
    std::lock_guard lock(search_->mutex);
    search_->stopping = true;
  }
  search_->wake.notify_all();
  search_->applied_changed.notify_all();
  if (search_->updater.joinable()) search_->updater.join();
}

Result<void> CatalogService::open_search(const std::filesystem::path& dir,
                                         const IndexProgress& progress, bool rebuild) {
  if (search_) return Error::conflict("search_already_open", "the search index is open already");
  auto index = search::CatalogIndex::open(dir);
  if (!index) return index.error();
  auto state = std::make_unique<SearchState>();
  state->index = std::move(*index);

  // A damaged or missing index is rebuilt, never served; so is one that has fallen out of step
  // with the database (written by another process, or changes lost in a crash).
  if (rebuild) {
  } else if (auto sound = state->index->verify(); !sound) {
    log::warn("search index will be rebuilt", {{"reason", sound.error().code}});
    rebuild = true;
  } else {
    auto indexed = state->index->document_count();
    auto active = store_.count_active();
    if (!active) return active.error();
    if (!indexed || static_cast<int64_t>(*indexed) != *active) {
      log::warn("search index will be rebuilt",
                {{"reason", "out_of_step"},
                 {"indexed", indexed ? static_cast<int64_t>(*indexed) : -1},
                 {"products", *active}});
      rebuild = true;
    }
  }
  search_ = std::move(state);
  if (rebuild)
    if (auto built = reindex(progress); !built) {
      search_.reset();
      return built.error();
    }
  search_->updater = std::thread([this] { index_changes(); });
  return {};
}

Result<uint64_t> CatalogService::reindex(const IndexProgress& progress) {
  if (!search_) return Error::unavailable("search_unavailable", "the search index is not open");
  auto shared = reference();
  if (!shared) return shared.error();
  auto expected = store_.count_active();
  if (!expected) return expected.error();

  // Pulled a batch at a time so that memory stays flat at any catalog size. A read failure
  // throws out of the source, which abandons the new index and keeps the old one.
  std::vector<search::SearchDocument> batch;
  size_t next = 0;
  std::string after;
  bool exhausted = false;
  auto source = [&]() -> std::optional<search::SearchDocument> {
    if (next == batch.size()) {
      if (exhausted) return std::nullopt;
      std::vector<Product> active;
      while (active.empty() && !exhausted) {
        auto products = store_.products_by_id_after(after, kIndexBatch);
        if (!products) throw std::runtime_error(products.error().message);
        exhausted = products->size() < static_cast<size_t>(kIndexBatch);
        if (products->empty()) break;
        after = products->back().id;
        for (auto& p : *products)
          if (p.status == "active") active.push_back(std::move(p));
      }
      if (active.empty()) return std::nullopt;
      auto docs = documents_for(store_, **shared, active);
      if (!docs) throw std::runtime_error(docs.error().message);
      batch = std::move(*docs);
      next = 0;
    }
    return std::move(batch[next++]);
  };
  search::CatalogIndex::Progress report;
  if (progress) report = [&](uint64_t done, uint64_t total) { progress(done, total); };
  return search_->index->rebuild(source, static_cast<uint64_t>(*expected), report);
}

void CatalogService::index_changes() {
  SearchState& s = *search_;
  for (;;) {
    std::set<std::string> ids;
    bool everything = false;
    uint64_t taking = 0;
    {
      std::unique_lock lock(s.mutex);
      s.wake.wait(lock, [&] { return s.stopping || s.everything || !s.pending.empty(); });
      if (s.stopping) return;
      // Changes rarely come alone (a product and its variants, an import): gather them.
      s.wake.wait_for(lock, kIndexDelay, [&] { return s.stopping; });
      if (s.stopping) return;
      ids.swap(s.pending);
      everything = std::exchange(s.everything, false);
      taking = s.queued;
    }
    Result<void> done;
    if (everything) {
      s.rebuilding = true;
      auto rebuilt = reindex();
      s.rebuilding = false;
      if (!rebuilt) done = rebuilt.error();
    } else {
      done = [&]() -> Result<void> {
        auto shared = reference();
        if (!shared) return shared.error();
        std::vector<std::string> list(ids.begin(), ids.end());
        auto products = store_.active_by_ids(list);
        if (!products) return products.error();
        auto docs = documents_for(store_, **shared, *products);
        if (!docs) return docs.error();
        std::set<std::string> still_active;
        for (const auto& d : *docs) {
          if (auto r = s.index->upsert(d); !r) return r.error();
          still_active.insert(d.id);
        }
        for (const auto& id : list)  // drafts, archived and deleted products leave the index
          if (!still_active.count(id))
            if (auto r = s.index->remove(id); !r) return r.error();
        return s.index->commit();
      }();
    }
    if (done) {
      {
        std::lock_guard lock(s.mutex);
        s.applied = std::max(s.applied, taking);
      }
      s.applied_changed.notify_all();
      for (const auto& listener : index_listeners_) listener();
    }
    if (!done) {
      if (done.error().code == "search_index_corrupt" ||
          done.error().code == "search_index_missing")
        everything = true;  // a damaged index is replaced, not patched
      log::warn("search index update failed; retrying",
                {{"error", done.error().message}, {"products", static_cast<int64_t>(ids.size())}});
      std::unique_lock lock(s.mutex);
      s.pending.insert(ids.begin(), ids.end());
      s.everything = s.everything || everything;
      s.wake.wait_for(lock, kRetryDelay, [&] { return s.stopping; });
    }
  }
}

Result<std::optional<ProductPage>> CatalogService::page_from_index(const std::string& text,
                                                                   const ProductFilter& filter,
                                                                   ProductSort sort, int page,
                                                                   int per_page,
                                                                   const std::string& locale) {
  if (!search_) return std::optional<ProductPage>();
  auto shared = reference();
  if (!shared) return shared.error();

  search::SearchQuery q;
  q.text = text;
  q.categories = filter.categories;
  q.brands = filter.brands;
  q.colours = filter.colours;
  q.sizes = filter.sizes;
  q.tags = filter.tags;
  q.price_min = filter.price_min_minor;
  q.price_max = filter.price_max_minor;
  if (filter.in_stock) q.in_stock = true;
  q.sort = to_index_sort(sort);
  q.page = page;
  q.per_page = per_page;
  // Past the index's result window only the total and facets are read: a page past the end is
  // empty as usual; a page within the results but that deep is refused (narrow the filters).
  bool beyond_window = static_cast<int64_t>(page) * per_page > search::kMaxResultWindow;
  if (beyond_window) {
    q.page = 1;
    q.per_page = 1;
  }
  q.facets = search::FacetRequest::all();
  q.price_bucket_edges.clear();
  for (const auto& band : price_bands())
    if (band.upper) q.price_bucket_edges.push_back(*band.upper);
  auto found = search_->index->search(q);
  if (!found) {
    if (found.error().kind == ErrorKind::invalid)
      return Error::invalid("invalid_parameter", found.error().message, found.error().fields);
    // An index damaged or lost under a running server is rebuilt in the background; meanwhile
    // listings come from SQL and search answers 503.
    if ((found.error().code == "search_index_corrupt" ||
         found.error().code == "search_index_missing") &&
        !search_->rebuilding.load())
      queue_index_change({.product_ids = {}, .everything = true});
    return found.error();
  }

  ProductPage out;
  out.page = page;
  out.per_page = per_page;
  out.total = static_cast<int64_t>(found->total);
  out.did_you_mean = found->did_you_mean;
  out.corrected = found->corrected;
  out.colours_from_text = found->colours_from_text;
  out.sizes_from_text = found->sizes_from_text;

  const search::Facets& f = found->facets;
  auto ref = localized_reference(*shared, locale);
  if (!ref) return ref.error();
  const CatalogReference& r = **ref;
  std::unordered_map<std::string, int64_t> category_counts;
  for (const auto& c : f.category) category_counts[c.value] = static_cast<int64_t>(c.count);
  for (const Category* c : r.tree_order())
    if (auto it = category_counts.find(c->slug); it != category_counts.end()) {
      std::optional<std::string> parent;
      if (c->parent_id)
        if (const auto* p = r.category_by_id(*c->parent_id)) parent = p->slug;
      out.facets.categories.push_back({c->slug, c->name, it->second, std::nullopt, parent});
    }
  std::unordered_map<std::string, int64_t> brand_counts;
  for (const auto& b : f.brand) brand_counts[b.value] = static_cast<int64_t>(b.count);
  for (const auto& b : r.brands)
    if (auto it = brand_counts.find(b.slug); it != brand_counts.end())
      out.facets.brands.push_back({b.slug, b.name, it->second, std::nullopt, std::nullopt});
  auto options = [&](const std::string& option, const std::vector<search::FacetCount>& counts) {
    std::map<std::string, int64_t> by_code;
    for (const auto& c : counts) by_code[c.value] = static_cast<int64_t>(c.count);
    return option_facet_values(r, option, by_code);
  };
  out.facets.colours = options("colour", f.colour);
  out.facets.sizes = options("size", f.size);
  std::map<std::string, int64_t> tags;
  for (const auto& t : f.tag) tags[t.value] = static_cast<int64_t>(t.count);
  for (const auto& [tag, n] : tags) out.facets.tags.push_back({tag, tag, n, {}, {}});
  for (const auto& bucket : f.price) {
    if (bucket.count == 0) continue;
    PriceBand band{bucket.min, bucket.max};
    out.facets.price_ranges.push_back(
        {band.label(), band.label(), static_cast<int64_t>(bucket.count), {}, {}});
  }
  out.facets.in_stock = static_cast<int64_t>(f.in_stock);
  out.facets.price_min_minor = f.price_min;
  out.facets.price_max_minor = f.price_max;

  if (beyond_window) {
    if (static_cast<int64_t>(page - 1) * per_page < out.total)
      return Error::invalid(
          "invalid_parameter",
          "page: results beyond the first " + std::to_string(search::kMaxResultWindow) +
              " are not served; narrow the filters",
          {{"page",
            "reaches past the first " + std::to_string(search::kMaxResultWindow) + " results"}});
    return std::optional<ProductPage>(std::move(out));
  }
  std::vector<std::string> ids;
  ids.reserve(found->hits.size());
  for (const auto& h : found->hits) ids.push_back(h.id);
  // In the index's order; a product deactivated since the index last heard is left out. Other
  // languages overlay their names on the cards, whose category names are English.
  if (locale == "en") {
    auto items = cards(ids, r);
    if (!items) return items.error();
    out.items = std::move(*items);
  } else {
    auto products = store_.active_by_ids(ids);
    if (!products) return products.error();
    std::unordered_map<std::string, Product*> by_id;
    for (auto& p : *products) by_id[p.id] = &p;
    std::vector<ProductSummary> items;
    for (const auto& id : ids)
      if (auto it = by_id.find(id); it != by_id.end())
        items.push_back({std::move(*it->second), {}, {}, {}, {}});
    if (auto a = attach_page_children(items, r); !a) return a.error();
    if (auto t = translate_page(items, locale); !t) return t.error();
    for (auto& s : items) out.items.push_back(std::make_shared<const ProductSummary>(std::move(s)));
  }
  return std::optional<ProductPage>(std::move(out));
}

Result<ProductPage> CatalogService::search_products(const std::string& text,
                                                    const ProductFilter& filter, ProductSort sort,
                                                    int page, int per_page,
                                                    const std::string& locale) {
  auto found = page_from_index(text, filter, sort, page, per_page, locale);
  if (!found) return found.error();
  if (!*found)
    return Error::unavailable("search_unavailable", "search is not available on this node");
  return std::move(**found);
}

Result<std::vector<std::string>> CatalogService::suggest(const std::string& prefix, size_t limit) {
  if (!search_)
    return Error::unavailable("search_unavailable", "search is not available on this node");
  return search_->index->suggest(prefix, limit);
}

void CatalogService::queue_index_change(const CatalogChange& change) {
  if (!search_) return;
  SearchState& s = *search_;
  std::unique_lock lock(s.mutex);
  if (change.everything) s.everything = true;
  s.pending.insert(change.product_ids.begin(), change.product_ids.end());
  uint64_t mine = ++s.queued;
  s.wake.notify_one();
  // A writer sees its own change in listings and search when it returns (staff save a product,
  // then look at the shop): it waits for the updater, which writes everything queued meanwhile
  // in the same commit. Rebuilds for bulk changes are not waited for, and a slow index never
  // holds a write up for more than kIndexWait.
  if (change.everything || s.stopping) return;
  s.applied_changed.wait_for(lock, kIndexWait, [&] { return s.applied >= mine || s.stopping; });
}

}  // namespace fff::catalog
