#include "modules/catalog/service.hpp"

#include <boost/json.hpp>

#include "core/log.hpp"
#include "infra/jobs/queue.hpp"
#include "modules/catalog/reference.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

namespace fff::catalog {

namespace {

using Reference = CatalogReference;

Result<Reference> load_reference(ProductStore& store) {
  Reference ref;
  auto categories = store.categories();
  if (!categories) return categories.error();
  auto brands = store.brands();
  if (!brands) return brands.error();
  auto options = store.option_values();
  if (!options) return options.error();
  ref.categories = std::move(*categories);
  ref.brands = std::move(*brands);
  ref.options = std::move(*options);
  return ref;
}

// Overlays translated names on categories (and their breadcrumbs) for a non-English locale.
Result<void> translate_categories(ProductStore& store, std::vector<Category>& categories,
                                  const std::string& locale) {
  if (locale == "en" || categories.empty()) return {};
  std::vector<std::string> ids;
  for (const auto& c : categories) ids.push_back(c.id);
  auto found = store.translations("category", ids, locale);
  if (!found) return found.error();
  for (auto& c : categories)
    if (auto it = found->find(c.id); it != found->end())
      if (auto name = it->second.find("name"); name != it->second.end()) c.name = name->second;
  return {};
}

// The reference in `locale`: the shared English one as it is, or a translated copy.
Result<std::shared_ptr<const Reference>> localized(ProductStore& store,
                                                   std::shared_ptr<const Reference> shared,
                                                   const std::string& locale) {
  if (locale == "en") return shared;
  auto copy = std::make_shared<Reference>(*shared);
  if (auto t = translate_categories(store, copy->categories, locale); !t) return t.error();
  return std::shared_ptr<const Reference>(std::move(copy));
}

Result<void> translate_products(ProductStore& store, std::vector<ProductSummary>& items,
                                const std::string& locale) {
  if (locale == "en" || items.empty()) return {};
  std::vector<std::string> ids;
  for (const auto& s : items) ids.push_back(s.product.id);
  auto found = store.translations("product", ids, locale);
  if (!found) return found.error();
  for (auto& s : items) {
    auto it = found->find(s.product.id);
    if (it == found->end()) continue;
    for (const auto& [field, value] : it->second) {
      if (field == "title") s.product.title = value;
      if (field == "description") s.product.description = value;
      if (field == "seo_title") s.product.seo_title = value;
      if (field == "seo_description") s.product.seo_description = value;
    }
  }
  return {};
}

// Variants, images and tags for a page of products: three queries, whatever the page size.
Result<void> attach_children(ProductStore& store, const Reference& ref,
                             std::vector<ProductSummary>& items) {
  if (items.empty()) return {};
  std::vector<std::string> ids;
  std::unordered_map<std::string, ProductSummary*> by_id;
  for (auto& s : items) {
    ids.push_back(s.product.id);
    by_id[s.product.id] = &s;
    if (s.product.brand_id)
      if (const auto* b = ref.brand_by_id(*s.product.brand_id)) s.brand = *b;
    if (s.product.category_id)
      if (const auto* c = ref.category_by_id(*s.product.category_id)) s.category = *c;
  }
  auto variants = store.variants_of(ids);
  if (!variants) return variants.error();
  for (auto& v : *variants)
    if (auto it = by_id.find(v.product_id); it != by_id.end())
      it->second->variants.push_back(std::move(v));
  auto images = store.images_of(ids);
  if (!images) return images.error();
  for (auto& i : *images)
    if (auto it = by_id.find(i.product_id); it != by_id.end())
      it->second->images.push_back(std::move(i));
  auto tags = store.tags_of(ids);
  if (!tags) return tags.error();
  for (auto& [id, list] : *tags)
    if (auto it = by_id.find(id); it != by_id.end()) it->second->product.tags = std::move(list);
  return {};
}

// Facet values for an option ("colour", "size") in the option's own order, with labels.
std::vector<FacetValue> option_facet(const Reference& ref, const std::string& option,
                                     const std::map<std::string, int64_t>& counts) {
  std::vector<FacetValue> out;
  std::set<std::string> seen;
  for (const auto& o : ref.options) {
    if (o.option != option) continue;
    auto it = counts.find(o.code);
    if (it == counts.end()) continue;
    out.push_back({o.code, o.label, it->second, o.swatch_hex, std::nullopt});
    seen.insert(o.code);
  }
  for (const auto& [code, n] : counts)  // codes without an option row still count
    if (!seen.count(code)) out.push_back({code, code, n, std::nullopt, std::nullopt});
  return out;
}

}  // namespace

bool valid_slug(const std::string& s) {
  if (s.empty() || s.size() > 120 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

Result<ProductPage> CatalogService::list_products(const ProductFilter& filter, ProductSort sort,
                                                  int page, int per_page,
                                                  const std::string& locale) {
  // The index answers when there is one; SQL is the fallback while it cannot be read.
  auto indexed = page_from_index("", filter, sort, page, per_page, locale);
  if (indexed && *indexed) return std::move(**indexed);
  if (!indexed) {
    if (indexed.error().kind == ErrorKind::invalid) return indexed.error();
    log::warn("listing from SQL: the search index failed", {{"error", indexed.error().message}});
  }

  ProductPage out;
  out.page = page;
  out.per_page = per_page;
  auto shared = reference();
  if (!shared) return shared.error();
  auto localized_ref = localized(store_, *shared, locale);
  if (!localized_ref) return localized_ref.error();
  const std::shared_ptr<const Reference>& ref = *localized_ref;

  // Slugs become ids here; a filter naming only unknown slugs matches nothing.
  ResolvedFilter resolved;
  for (const auto& slug : filter.categories)
    for (const auto& c : ref->categories)
      if (c.slug == slug)
        for (auto& id : ref->subtree(c.id)) resolved.category_ids.push_back(std::move(id));
  for (const auto& slug : filter.brands)
    for (const auto& b : ref->brands)
      if (b.slug == slug) resolved.brand_ids.push_back(b.id);
  if ((!filter.categories.empty() && resolved.category_ids.empty()) ||
      (!filter.brands.empty() && resolved.brand_ids.empty()))
    return out;
  std::sort(resolved.category_ids.begin(), resolved.category_ids.end());
  resolved.category_ids.erase(
      std::unique(resolved.category_ids.begin(), resolved.category_ids.end()),
      resolved.category_ids.end());
  resolved.colours = filter.colours;
  resolved.sizes = filter.sizes;
  resolved.tags = filter.tags;
  resolved.price_min_minor = filter.price_min_minor;
  resolved.price_max_minor = filter.price_max_minor;
  resolved.in_stock = filter.in_stock;

  auto counts = facet_counts(resolved);
  if (!counts) return counts.error();
  out.total = counts->total;

  // Category counts roll up: a product in Women > Dresses counts for Women too.
  std::map<std::string, int64_t> rolled;
  for (const auto& [id, n] : counts->categories)
    for (const auto& c : ref->path_to(id)) rolled[c.id] += n;
  for (const Category* c : ref->tree_order())
    if (auto it = rolled.find(c->id); it != rolled.end()) {
      std::optional<std::string> parent;
      if (c->parent_id)
        if (const auto* p = ref->category_by_id(*c->parent_id)) parent = p->slug;
      out.facets.categories.push_back({c->slug, c->name, it->second, std::nullopt, parent});
    }
  for (const auto& b : ref->brands)
    if (auto it = counts->brands.find(b.id); it != counts->brands.end())
      out.facets.brands.push_back({b.slug, b.name, it->second, std::nullopt, std::nullopt});
  out.facets.colours = option_facet(*ref, "colour", counts->colours);
  out.facets.sizes = option_facet(*ref, "size", counts->sizes);
  for (const auto& [tag, n] : counts->tags)
    out.facets.tags.push_back({tag, tag, n, std::nullopt, std::nullopt});
  for (const auto& band : price_bands())
    if (auto it = counts->price_bands.find(band.label()); it != counts->price_bands.end())
      out.facets.price_ranges.push_back(
          {band.label(), band.label(), it->second, std::nullopt, std::nullopt});
  out.facets.in_stock = counts->in_stock;
  out.facets.price_min_minor = counts->price_min_minor;
  out.facets.price_max_minor = counts->price_max_minor;

  int64_t offset = static_cast<int64_t>(page - 1) * per_page;
  if (offset >= out.total) return out;  // past the end: an empty page, not an error
  auto products = store_.list_active(resolved, sort, per_page, offset);
  if (!products) return products.error();
  out.items.reserve(products->size());
  std::vector<ProductSummary> items;
  items.reserve(products->size());
  for (auto& p : *products) items.push_back({std::move(p), {}, {}, {}, {}});
  if (auto a = attach_children(store_, *ref, items); !a) return a.error();
  if (auto t = translate_products(store_, items, locale); !t) return t.error();
  out.items.reserve(items.size());
  for (auto& s : items) out.items.push_back(std::make_shared<const ProductSummary>(std::move(s)));
  return out;
}

Result<std::optional<std::string>> CatalogService::current_slug_for(
    const std::string& former_slug) {
  if (!valid_slug(former_slug)) return std::optional<std::string>{};
  return store_.current_slug_for(former_slug);
}

Result<ProductDetail> CatalogService::product_by_slug(const std::string& slug,
                                                      const std::string& locale) {
  auto not_found = [&] {
    return Error::not_found("product_not_found", "no product with slug '" + slug + "'");
  };
  if (!valid_slug(slug)) return not_found();
  auto found = store_.find_active_by_slug(slug);
  if (!found) return found.error();
  if (!*found) return not_found();
  auto shared = reference();
  if (!shared) return shared.error();
  auto localized_ref = localized(store_, *shared, locale);
  if (!localized_ref) return localized_ref.error();
  const std::shared_ptr<const Reference>& ref = *localized_ref;

  ProductDetail detail;
  if (locale == "en") {  // the listing's card cache has the variants, images and tags
    auto card = cards({(*found)->id}, *ref);
    if (!card) return card.error();
    if (card->empty()) return not_found();  // deactivated since the lookup
    detail.summary = *card->front();
  } else {
    std::vector<ProductSummary> one;
    one.push_back({std::move(**found), {}, {}, {}, {}});
    if (auto a = attach_children(store_, *ref, one); !a) return a.error();
    if (auto t = translate_products(store_, one, locale); !t) return t.error();
    detail.summary = std::move(one[0]);
  }
  if (detail.summary.product.category_id)
    detail.breadcrumbs = ref->path_to(*detail.summary.product.category_id);
  std::set<std::string> colours, sizes;
  for (const auto& v : detail.summary.variants) {
    colours.insert(v.colour);
    sizes.insert(v.size);
  }
  for (const auto& o : ref->options) {
    if (o.option == "colour" && colours.count(o.code)) detail.colours.push_back(o);
    if (o.option == "size" && sizes.count(o.code)) detail.sizes.push_back(o);
  }
  return detail;
}

Result<std::vector<CategoryNode>> CatalogService::category_tree(const std::string& locale) {
  auto categories = store_.categories();
  if (!categories) return categories.error();
  if (auto t = translate_categories(store_, *categories, locale); !t) return t.error();
  auto counts = store_.active_counts_by_category();
  if (!counts) return counts.error();

  std::function<CategoryNode(const Category&)> build = [&](const Category& c) {
    CategoryNode node{c, 0, {}};
    if (auto it = counts->find(c.id); it != counts->end()) node.product_count = it->second;
    for (const auto& child : *categories)
      if (child.parent_id && *child.parent_id == c.id) {
        node.children.push_back(build(child));
        node.product_count += node.children.back().product_count;
      }
    return node;
  };
  std::vector<CategoryNode> roots;
  for (const auto& c : *categories)
    if (!c.parent_id) roots.push_back(build(c));
  return roots;
}

Result<std::shared_ptr<const CatalogReference>> CatalogService::reference() {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(reference_mutex_);
    if (reference_ && now - reference_loaded_ < kReferenceTtl) return reference_;
  }
  // Loaded outside the lock: a slow database must not queue every request behind one mutex.
  auto loaded = load_reference(store_);
  if (!loaded) return loaded.error();
  auto fresh = std::make_shared<const CatalogReference>(std::move(*loaded));
  std::lock_guard lock(reference_mutex_);
  reference_ = fresh;
  reference_loaded_ = now;
  return fresh;
}

void CatalogService::forget_reference() {
  std::lock_guard lock(reference_mutex_);
  reference_.reset();
}

Result<bool> CatalogService::is_empty() {
  auto n = store_.count_all();
  if (!n) return n.error();
  return *n == 0;
}

Result<int64_t> CatalogService::load_batch(const CatalogBatch& batch) {
  for (size_t i = 0; i < batch.products.size(); ++i) {
    const auto& p = batch.products[i];
    std::string where = "products[" + std::to_string(i) + "]";
    if (!valid_slug(p.slug))
      return Error::unprocessable(
          "invalid_product", "invalid slug '" + p.slug + "'",
          {{where + ".slug", "use lower-case letters, digits and hyphens"}});
    if (p.title.empty() || p.title.size() > 200)
      return Error::unprocessable("invalid_product", "invalid title",
                                  {{where + ".title", "must be 1 to 200 characters"}});
    if (p.price.minor() < 0)
      return Error::unprocessable("invalid_product", "negative price",
                                  {{where + ".price", "must not be negative"}});
  }
  for (size_t i = 0; i < batch.variants.size(); ++i)
    if (batch.variants[i].price_minor < 0 || batch.variants[i].sku.empty())
      return Error::unprocessable(
          "invalid_variant", "a variant needs a SKU and a price that is not negative",
          {{"variants[" + std::to_string(i) + "]", "needs a sku and a non-negative price"}});
  auto added = store_.insert_batch(batch);
  if (!added) return added.error();
  changed({.product_ids = {}, .everything = true});
  return added;
}

Result<void> CatalogService::set_variant_in_stock(const std::string& variant_id, bool in_stock) {
  // Nearly every movement (each sale) leaves the flag as it is: a read on a reader connection
  // settles that without queueing for SQLite's single writer.
  auto current = find_variant("", variant_id);
  if (!current) return current.error();
  if (!*current) return Error::not_found("variant_not_found", "no variant " + variant_id);
  if ((*current)->in_stock == in_stock) return {};
  auto product_id = store_.set_variant_in_stock(variant_id, in_stock);
  if (!product_id) return product_id.error();
  if (!*product_id) return Error::not_found("variant_not_found", "no variant " + variant_id);
  // The in-stock filter and its counts.
  if ((*product_id)->changed) changed({.product_ids = {std::move((*product_id)->product_id)}});
  return {};
}

namespace {

std::string filter_key(const ResolvedFilter& f) {
  std::string key;
  auto add_list = [&](const std::vector<std::string>& values) {
    for (const auto& v : values) key.append(v).push_back('\x1f');
    key.push_back('\x1e');
  };
  add_list(f.category_ids);
  add_list(f.brand_ids);
  add_list(f.colours);
  add_list(f.sizes);
  add_list(f.tags);
  key.append(f.price_min_minor ? std::to_string(*f.price_min_minor) : "-").push_back('\x1e');
  key.append(f.price_max_minor ? std::to_string(*f.price_max_minor) : "-").push_back('\x1e');
  key.push_back(f.in_stock ? '1' : '0');
  return key;
}

}  // namespace

Result<FacetCounts> CatalogService::facet_counts(const ResolvedFilter& filter) {
  std::string key = filter_key(filter);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(facets_mutex_);
    if (auto it = facets_.find(key); it != facets_.end() && now - it->second.loaded < kFacetTtl)
      return *it->second.counts;
  }
  // Counted outside the lock, like the reference tables: one slow count must not hold up others.
  auto counted = store_.facet_counts(filter);
  if (!counted) return counted.error();
  auto shared = std::make_shared<const FacetCounts>(*counted);
  std::lock_guard lock(facets_mutex_);
  if (facets_.size() >= kMaxCachedFilters) facets_.clear();  // crude but bounded
  facets_[key] = {shared, now};
  return std::move(*counted);
}

void CatalogService::forget_facets() {
  std::lock_guard lock(facets_mutex_);
  facets_.clear();
}

Result<std::vector<std::shared_ptr<const ProductSummary>>> CatalogService::cards(
    const std::vector<std::string>& ids, const CatalogReference& ref) {
  std::vector<std::shared_ptr<const ProductSummary>> found(ids.size());
  std::vector<std::string> missing;
  uint64_t generation = 0;
  {
    std::lock_guard lock(cards_mutex_);
    generation = cards_generation_;
    for (size_t i = 0; i < ids.size(); ++i)
      if (auto it = cards_.find(ids[i]); it != cards_.end())
        found[i] = it->second;
      else
        missing.push_back(ids[i]);
  }
  if (!missing.empty()) {
    auto products = store_.active_by_ids(missing);
    if (!products) return products.error();
    std::vector<ProductSummary> loaded;
    loaded.reserve(products->size());
    for (auto& p : *products) loaded.push_back({std::move(p), {}, {}, {}, {}});
    if (auto a = attach_children(store_, ref, loaded); !a) return a.error();
    std::unordered_map<std::string, std::shared_ptr<const ProductSummary>> by_id;
    for (auto& s : loaded) {
      std::string id = s.product.id;
      by_id.emplace(std::move(id), std::make_shared<const ProductSummary>(std::move(s)));
    }
    for (size_t i = 0; i < ids.size(); ++i)
      if (!found[i])
        if (auto it = by_id.find(ids[i]); it != by_id.end()) found[i] = it->second;
    std::lock_guard lock(cards_mutex_);
    if (generation == cards_generation_) {
      if (cards_.size() + by_id.size() > kMaxCachedCards) cards_.clear();  // crude but bounded
      cards_.insert(by_id.begin(), by_id.end());
    }
  }
  std::vector<std::shared_ptr<const ProductSummary>> out;
  out.reserve(ids.size());
  for (auto& card : found)
    if (card) out.push_back(std::move(card));  // products no longer active are left out
  return out;
}

static std::string change_event_data(const CatalogChange& change) {
  boost::json::array ids;
  for (const auto& id : change.product_ids) ids.emplace_back(id);
  return boost::json::serialize(
      boost::json::object{{"product_ids", std::move(ids)}, {"everything", change.everything}});
}

CatalogChange CatalogService::change_from_event(const std::string& data) {
  CatalogChange change;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(data, ec);
  if (ec || !parsed.is_object()) return {.product_ids = {}, .everything = true};
  const auto& o = parsed.get_object();
  if (auto* e = o.if_contains("everything"); e && e->is_bool()) change.everything = e->get_bool();
  if (auto* ids = o.if_contains("product_ids"); ids && ids->is_array())
    for (const auto& id : ids->get_array())
      if (id.is_string()) change.product_ids.emplace_back(id.get_string());
  return change;
}

Result<void> CatalogService::publish_change(db::Transaction& tx, const CatalogChange& change) {
  auto published =
      jobs::publish(tx, kChangedTopic, change.product_ids.size() == 1 ? change.product_ids[0] : "",
                    change_event_data(change), clock_.now());
  if (!published) return published.error();
  return {};
}

Result<void> CatalogService::commit_change(db::Transaction& tx, const CatalogChange& change) {
  if (auto p = publish_change(tx, change); !p) return p;
  if (auto c = tx.commit(); !c) return c;
  changed(change);
  return {};
}

void CatalogService::changed(const CatalogChange& change) {
  version_.fetch_add(1, std::memory_order_acq_rel);
  // A bulk load may bring categories, brands or option values; single-product writes do not.
  if (change.everything) forget_reference();
  forget_facets();
  {
    std::lock_guard lock(cards_mutex_);
    ++cards_generation_;
    if (change.everything)
      cards_.clear();
    else
      for (const auto& id : change.product_ids) cards_.erase(id);
  }
  queue_index_change(change);
  for (const auto& listener : listeners_) listener(change);
}

Result<std::shared_ptr<const CatalogReference>> CatalogService::localized_reference(
    std::shared_ptr<const CatalogReference> english, const std::string& locale) {
  return localized(store_, std::move(english), locale);
}

Result<void> CatalogService::attach_page_children(std::vector<ProductSummary>& items,
                                                  const CatalogReference& ref) {
  return attach_children(store_, ref, items);
}

Result<void> CatalogService::translate_page(std::vector<ProductSummary>& items,
                                            const std::string& locale) {
  return translate_products(store_, items, locale);
}

std::vector<FacetValue> CatalogService::option_facet_values(
    const CatalogReference& ref, const std::string& option,
    const std::map<std::string, int64_t>& counts) {
  return option_facet(ref, option, counts);
}

}  // namespace fff::catalog
