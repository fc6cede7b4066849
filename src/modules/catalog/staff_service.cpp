// CatalogService's staff writes (the "Staff writes" block in service.hpp) and bulk import.
//
// Every write validates everything it can before touching the database, so a bad request is
// answered with every bad field at once and never leaves half a record: the checks that need
// the database (a slug or SKU already taken) run inside the write's own transaction.
#include <algorithm>
#include <set>

#include "core/id.hpp"
#include "modules/catalog/service.hpp"

namespace fff::catalog {
namespace {

constexpr int64_t kMaxPriceMinor = 100'000'000'00;  // a million in major units
constexpr int64_t kMaxWeightGrams = 1'000'000;
constexpr size_t kMaxTags = 30;
constexpr size_t kMaxVariants = 500;
constexpr size_t kMaxImages = 100;
const std::set<std::string> kStatuses = {"draft", "active", "archived"};
const std::set<std::string> kTranslatedFields = {"title", "description", "seo_title",
                                                 "seo_description"};

// Field problems of one write (or one import row), in the order found.
struct Problem {
  int64_t row = 0;
  std::string field;
  std::string code;
  std::string message;
};

class Problems {
 public:
  void add(std::string field, std::string code, std::string message) {
    list_.push_back({row_, std::move(field), std::move(code), std::move(message)});
  }
  void at_row(int64_t row) { row_ = row; }
  bool empty() const { return list_.empty(); }
  const std::vector<Problem>& list() const { return list_; }
  // One unprocessable error carrying every field; its code is the first problem's.
  Error error() const {
    std::vector<FieldError> fields;
    for (const auto& p : list_) fields.push_back({p.field, p.message});
    std::string summary = list_.size() == 1 ? list_[0].field + " " + list_[0].message
                                            : std::to_string(list_.size()) + " fields are invalid";
    return Error::unprocessable(list_.front().code, summary, std::move(fields));
  }

 private:
  std::vector<Problem> list_;
  int64_t row_ = 0;
};

Error taken(const std::string& code, const std::string& field, const std::string& message) {
  Error e = Error::conflict(code, message);
  e.fields.push_back({field, message});
  return e;
}

// A unique violation that slipped past the checks (two writers racing) still gets the code the
// checks would have given.
Error racing_duplicate(const Error& e) {
  if (e.kind != ErrorKind::conflict || e.code != "unique_violation") return e;
  if (e.message.find("sku") != std::string::npos)
    return Error::conflict("sku_taken", "a variant with this SKU was just created");
  return Error::conflict("slug_taken", "this slug was just taken");
}

bool valid_code(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.front() != '-';
}

bool valid_sku(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return std::isalnum(static_cast<unsigned char>(s.front()));
}

bool valid_swatch(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return false;
  for (size_t i = 1; i < 7; ++i)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  return true;
}

// Media keys are made by the media module; this only keeps them to its alphabet and out of
// parent directories.
bool valid_media_key(const std::string& s) {
  if (s.empty() || s.size() > 200 || s.find("..") != std::string::npos || s.front() == '/')
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

bool valid_locale(const std::string& l) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  return (l.size() == 2 || (l.size() == 5 && l[2] == '-')) && lower(l[0]) && lower(l[1]) &&
         (l.size() == 2 || (upper(l[3]) && upper(l[4])));
}

void check_text(Problems& p, const std::optional<std::string>& value, const std::string& field,
                size_t min, size_t max) {
  if (!value) return;
  if (value->size() < min || value->size() > max)
    p.add(field, "invalid_" + field.substr(field.rfind('.') + 1),
          "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters");
}

// The small tables a write is checked against, read fresh (never the listing's cache: a
// category made a moment ago on another node must be usable at once).
struct Reference {
  std::vector<Category> categories;
  std::vector<Brand> brands;
  std::vector<OptionValue> options;

  const Category* category(const std::string& id) const {
    for (const auto& c : categories)
      if (c.id == id) return &c;
    return nullptr;
  }
  const Category* category_by_slug(const std::string& slug) const {
    for (const auto& c : categories)
      if (c.slug == slug) return &c;
    return nullptr;
  }
  const Brand* brand(const std::string& id) const {
    for (const auto& b : brands)
      if (b.id == id) return &b;
    return nullptr;
  }
  const Brand* brand_by_slug(const std::string& slug) const {
    for (const auto& b : brands)
      if (b.slug == slug) return &b;
    return nullptr;
  }
  bool has_option(const std::string& option, const std::string& code) const {
    for (const auto& o : options)
      if (o.option == option && o.code == code) return true;
    return false;
  }
};

Result<Reference> read_reference(ProductStore& store) {
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

// Field checks of a product that need no database. `creating` requires slug and title.
void check_product(Problems& p, const ProductInput& in, bool creating, const Reference& ref,
                   const std::string& prefix = "") {
  if (creating && !in.slug) p.add(prefix + "slug", "invalid_slug", "is required");
  if (in.slug && !valid_slug(*in.slug))
    p.add(prefix + "slug", "invalid_slug",
          "must be 1 to 120 lower-case letters, digits and single hyphens");
  if (creating && !in.title) p.add(prefix + "title", "invalid_title", "is required");
  check_text(p, in.title, prefix + "title", 1, 200);
  check_text(p, in.description, prefix + "description", 0, 20000);
  check_text(p, in.material, prefix + "material", 0, 100);
  check_text(p, in.fit, prefix + "fit", 0, 100);
  check_text(p, in.gender, prefix + "gender", 0, 100);
  check_text(p, in.season, prefix + "season", 0, 100);
  check_text(p, in.seo_title, prefix + "seo_title", 0, 200);
  check_text(p, in.seo_description, prefix + "seo_description", 0, 500);
  if (in.status && !kStatuses.count(*in.status))
    p.add(prefix + "status", "invalid_status", "must be draft, active or archived");
  if (in.category_id && *in.category_id && !ref.category(**in.category_id))
    p.add(prefix + "category_id", "unknown_category", "names no category");
  if (in.brand_id && *in.brand_id && !ref.brand(**in.brand_id))
    p.add(prefix + "brand_id", "unknown_brand", "names no brand");
  if (in.tags) {
    if (in.tags->size() > kMaxTags)
      p.add(prefix + "tags", "invalid_tags", "at most " + std::to_string(kMaxTags) + " tags");
    for (size_t i = 0; i < in.tags->size(); ++i)
      if (!valid_code((*in.tags)[i], 40))
        p.add(prefix + "tags[" + std::to_string(i) + "]", "invalid_tag",
              "must be 1 to 40 lower-case letters, digits and hyphens");
  }
  if (in.translations)
    for (const auto& [locale, fields] : *in.translations) {
      if (!valid_locale(locale) || locale == "en") {
        p.add(prefix + "translations." + locale, "invalid_locale",
              "must be a language code such as vi or pt-BR (English is the product's own text)");
        continue;
      }
      for (const auto& [field, value] : fields) {
        std::string name = prefix + "translations." + locale + "." + field;
        if (!kTranslatedFields.count(field))
          p.add(name, "invalid_translation",
                "only title, description, seo_title and seo_description are translated");
        else if (value.size() > 20000)
          p.add(name, "invalid_translation", "must be at most 20000 characters");
      }
    }
}

void check_variant(Problems& p, const VariantInput& v, bool creating, const Reference& ref,
                   const std::string& prefix) {
  if (creating && !v.sku) p.add(prefix + "sku", "invalid_sku", "is required");
  if (v.sku && !valid_sku(*v.sku))
    p.add(prefix + "sku", "invalid_sku",
          "must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit");
  if (creating && !v.size) p.add(prefix + "size", "unknown_size", "is required");
  if (v.size && !ref.has_option("size", *v.size))
    p.add(prefix + "size", "unknown_size", "names no size option value");
  if (creating && !v.colour) p.add(prefix + "colour", "unknown_colour", "is required");
  if (v.colour && !ref.has_option("colour", *v.colour))
    p.add(prefix + "colour", "unknown_colour", "names no colour option value");
  if (creating && !v.price_minor) p.add(prefix + "price", "invalid_price", "is required");
  if (v.price_minor && (*v.price_minor < 0 || *v.price_minor > kMaxPriceMinor))
    p.add(prefix + "price", "invalid_price",
          *v.price_minor < 0 ? "must not be negative" : "is too large");
  if (v.compare_at_minor && *v.compare_at_minor &&
      (**v.compare_at_minor < 0 || **v.compare_at_minor > kMaxPriceMinor))
    p.add(prefix + "compare_at_price", "invalid_price", "must not be negative");
  if (v.barcode && *v.barcode && !valid_sku(**v.barcode))
    p.add(prefix + "barcode", "invalid_barcode", "must be 1 to 64 letters and digits");
  if (v.weight_grams && *v.weight_grams &&
      (**v.weight_grams < 0 || **v.weight_grams > kMaxWeightGrams))
    p.add(prefix + "weight_grams", "invalid_weight",
          "must be 0 to " + std::to_string(kMaxWeightGrams) + " grams");
}

// Rules on the variant as it will be stored (after a partial update is applied).
void check_variant_whole(Problems& p, const Variant& v, const std::string& prefix) {
  if (v.compare_at_minor && *v.compare_at_minor >= 0 && *v.compare_at_minor < v.price_minor)
    p.add(prefix + "compare_at_price", "compare_at_below_price",
          "must not be below the price (it is the strike-through 'was' price)");
}

void check_image(Problems& p, const ImageInput& in, bool creating, const Reference& ref,
                 const std::string& prefix) {
  if (creating && !in.media_key) p.add(prefix + "media_key", "invalid_media_key", "is required");
  if (in.media_key && !valid_media_key(*in.media_key))
    p.add(prefix + "media_key", "invalid_media_key",
          "must be 1 to 200 of a-z, 0-9, '/', '.', '_' and '-', without '..'");
  check_text(p, in.alt, prefix + "alt", 0, 300);
  if (in.colour && *in.colour && !ref.has_option("colour", **in.colour))
    p.add(prefix + "colour", "unknown_colour", "names no colour option value");
}

void apply(Product& p, const ProductInput& in) {
  if (in.slug) p.slug = *in.slug;
  if (in.title) p.title = *in.title;
  if (in.description) p.description = *in.description;
  if (in.brand_id) p.brand_id = *in.brand_id;
  if (in.category_id) p.category_id = *in.category_id;
  if (in.material) p.material = *in.material;
  if (in.fit) p.fit = *in.fit;
  if (in.gender) p.gender = *in.gender;
  if (in.season) p.season = *in.season;
  if (in.seo_title) p.seo_title = *in.seo_title;
  if (in.seo_description) p.seo_description = *in.seo_description;
  if (in.status) p.status = *in.status;
  if (in.tags) {
    p.tags = *in.tags;
    std::sort(p.tags.begin(), p.tags.end());
    p.tags.erase(std::unique(p.tags.begin(), p.tags.end()), p.tags.end());
  }
}

void apply(Variant& v, const VariantInput& in) {
  if (in.sku) v.sku = *in.sku;
  if (in.size) v.size = *in.size;
  if (in.colour) v.colour = *in.colour;
  if (in.price_minor) v.price_minor = *in.price_minor;
  if (in.compare_at_minor) v.compare_at_minor = *in.compare_at_minor;
  if (in.barcode) v.barcode = *in.barcode;
  if (in.weight_grams) v.weight_grams = *in.weight_grams;
  if (in.position) v.position = *in.position;
}

void apply(Image& i, const ImageInput& in) {
  if (in.media_key) i.media_key = *in.media_key;
  if (in.alt) i.alt = *in.alt;
  if (in.colour) i.colour = *in.colour;
  if (in.position) i.position = *in.position;
}

std::string option_key(const Variant& v) {
  return v.size + "\x1f" + v.colour;
}

Error product_not_found(const std::string& id) {
  return Error::not_found("product_not_found", "no product with id '" + id + "'");
}

// Reads a product for a write, locked; not found for ids that are not UUIDs (they cannot exist,
// and must not reach PostgreSQL's uuid parser).
Result<Product> locked_product(ProductStore& store, db::Transaction& tx, const std::string& id) {
  if (!is_uuid(id)) return product_not_found(id);
  auto found = store.product_by_id(tx, id, true);
  if (!found) return found.error();
  if (!*found) return product_not_found(id);
  return std::move(**found);
}

Result<ProductRecord> read_record(ProductStore& store, db::Transaction& tx, const std::string& id,
                                  bool translations) {
  auto product = store.product_by_id(tx, id);
  if (!product) return product.error();
  if (!*product) return product_not_found(id);
  ProductRecord record;
  record.product = std::move(**product);
  auto variants = store.variants_in(tx, id);
  if (!variants) return variants.error();
  record.variants = std::move(*variants);
  auto images = store.images_in(tx, id);
  if (!images) return images.error();
  record.images = std::move(*images);
  if (translations) {
    auto t = store.all_translations(tx, "product", id);
    if (!t) return t.error();
    record.translations = std::move(*t);
  }
  return record;
}

// An active product must have something to sell.
void check_sellable(Problems& p, const Product& product, size_t variant_count,
                    const std::string& prefix = "") {
  if (product.status == "active" && variant_count == 0)
    p.add(prefix + "status", "product_needs_variant",
          "an active product needs at least one variant");
}

Result<void> write_translations(ProductStore& store, db::Transaction& tx, const std::string& id,
                                const std::optional<TranslationMap>& translations) {
  if (!translations) return {};
  for (const auto& [locale, fields] : *translations)
    if (auto r = store.replace_translations(tx, "product", id, locale, fields); !r) return r;
  return {};
}

// Bumps the product's updated_at after a change to one of its variants or images, so that a
// client holding the old value (If-Match) sees the product changed.
Result<void> touch(ProductStore& store, db::Transaction& tx, Product& product,
                   const std::string& now) {
  product.updated_at = now;
  return store.update_product(tx, product);
}

}  // namespace

// ---- categories, brands, option values ----------------------------------------------------

Result<std::vector<Category>> CatalogService::staff_categories() {
  return store_.categories();
}

Result<Category> CatalogService::create_category(const CategoryInput& in) {
  Problems p;
  if (!in.slug) p.add("slug", "invalid_slug", "is required");
  if (in.slug && !valid_slug(*in.slug))
    p.add("slug", "invalid_slug", "must be 1 to 120 lower-case letters, digits and hyphens");
  if (!in.name) p.add("name", "invalid_name", "is required");
  check_text(p, in.name, "name", 1, 100);
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  if (in.parent_id && *in.parent_id && !ref->category(**in.parent_id))
    p.add("parent_id", "unknown_category", "names no category");
  if (!p.empty()) return p.error();
  if (ref->category_by_slug(*in.slug))
    return taken("slug_taken", "slug", "a category with slug '" + *in.slug + "' exists");
  Category c{new_id(), in.parent_id.value_or(std::nullopt), *in.slug, *in.name,
             in.position.value_or(0)};
  auto tx = store_.begin();
  if (!tx) return tx.error();
  if (auto r = store_.insert_category(*tx, c); !r) return racing_duplicate(r.error());
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return c;
}

Result<Category> CatalogService::update_category(const std::string& id, const CategoryInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  const Category* found = is_uuid(id) ? ref->category(id) : nullptr;
  if (!found) return Error::not_found("category_not_found", "no category with id '" + id + "'");
  Category c = *found;
  Problems p;
  if (in.slug && !valid_slug(*in.slug))
    p.add("slug", "invalid_slug", "must be 1 to 120 lower-case letters, digits and hyphens");
  check_text(p, in.name, "name", 1, 100);
  if (in.parent_id && *in.parent_id) {
    const std::string& parent = **in.parent_id;
    if (!ref->category(parent)) {
      p.add("parent_id", "unknown_category", "names no category");
    } else {
      // Walking up from the new parent must never reach the category itself.
      for (const Category* at = ref->category(parent); at;
           at = at->parent_id ? ref->category(*at->parent_id) : nullptr)
        if (at->id == id) {
          p.add("parent_id", "category_cycle",
                "is the category itself or one of its subcategories");
          break;
        }
    }
  }
  if (!p.empty()) return p.error();
  if (in.slug && *in.slug != c.slug && ref->category_by_slug(*in.slug))
    return taken("slug_taken", "slug", "a category with slug '" + *in.slug + "' exists");
  if (in.slug) c.slug = *in.slug;
  if (in.name) c.name = *in.name;
  if (in.parent_id) c.parent_id = *in.parent_id;
  if (in.position) c.position = *in.position;
  auto tx = store_.begin();
  if (!tx) return tx.error();
  if (auto r = store_.update_category(*tx, c); !r) return racing_duplicate(r.error());
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r)
    return r.error();  // names and paths show on every product
  return c;
}

Result<void> CatalogService::delete_category(const std::string& id) {
  auto not_found = Error::not_found("category_not_found", "no category with id '" + id + "'");
  if (!is_uuid(id)) return not_found;
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  if (!ref->category(id)) return not_found;
  auto use = store_.category_use(*tx, id);
  if (!use) return use.error();
  if (*use > 0)
    return Error::conflict("category_not_empty",
                           "the category still has subcategories or products; move them first");
  if (auto r = store_.delete_category(*tx, id); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return {};
}

Result<std::vector<Brand>> CatalogService::staff_brands() {
  return store_.brands();
}

Result<Brand> CatalogService::create_brand(const BrandInput& in) {
  Problems p;
  if (!in.slug) p.add("slug", "invalid_slug", "is required");
  if (in.slug && !valid_slug(*in.slug))
    p.add("slug", "invalid_slug", "must be 1 to 120 lower-case letters, digits and hyphens");
  if (!in.name) p.add("name", "invalid_name", "is required");
  check_text(p, in.name, "name", 1, 100);
  if (!p.empty()) return p.error();
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  if (ref->brand_by_slug(*in.slug))
    return taken("slug_taken", "slug", "a brand with slug '" + *in.slug + "' exists");
  Brand b{new_id(), *in.slug, *in.name};
  auto tx = store_.begin();
  if (!tx) return tx.error();
  if (auto r = store_.insert_brand(*tx, b); !r) return racing_duplicate(r.error());
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return b;
}

Result<Brand> CatalogService::update_brand(const std::string& id, const BrandInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  const Brand* found = is_uuid(id) ? ref->brand(id) : nullptr;
  if (!found) return Error::not_found("brand_not_found", "no brand with id '" + id + "'");
  Brand b = *found;
  Problems p;
  if (in.slug && !valid_slug(*in.slug))
    p.add("slug", "invalid_slug", "must be 1 to 120 lower-case letters, digits and hyphens");
  check_text(p, in.name, "name", 1, 100);
  if (!p.empty()) return p.error();
  if (in.slug && *in.slug != b.slug && ref->brand_by_slug(*in.slug))
    return taken("slug_taken", "slug", "a brand with slug '" + *in.slug + "' exists");
  if (in.slug) b.slug = *in.slug;
  if (in.name) b.name = *in.name;
  auto tx = store_.begin();
  if (!tx) return tx.error();
  if (auto r = store_.update_brand(*tx, b); !r) return racing_duplicate(r.error());
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return b;
}

Result<void> CatalogService::delete_brand(const std::string& id) {
  auto not_found = Error::not_found("brand_not_found", "no brand with id '" + id + "'");
  if (!is_uuid(id)) return not_found;
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  if (!ref->brand(id)) return not_found;
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto use = store_.brand_use(*tx, id);
  if (!use) return use.error();
  if (*use > 0)
    return Error::conflict("brand_in_use", std::to_string(*use) + " products still name the brand");
  if (auto r = store_.delete_brand(*tx, id); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return {};
}

Result<std::vector<OptionValue>> CatalogService::staff_option_values() {
  return store_.option_values();
}

namespace {

Error unknown_option(const std::string& option) {
  return Error::not_found("option_not_found", "no option '" + option + "' (size or colour)");
}

void check_option_value(Problems& p, const std::string& option, const OptionValue& v) {
  if (option == "colour" && (!v.swatch_hex || !valid_swatch(*v.swatch_hex)))
    p.add("swatch_hex", "invalid_swatch", "a colour needs a swatch like #1f2a44 (lower-case)");
  if (option == "size" && v.swatch_hex)
    p.add("swatch_hex", "invalid_swatch", "sizes have no swatch");
}

}  // namespace

Result<OptionValue> CatalogService::create_option_value(const std::string& option,
                                                        const OptionValueInput& in) {
  if (option != "size" && option != "colour") return unknown_option(option);
  Problems p;
  if (!in.code || !valid_code(*in.code, 32))
    p.add("code", "invalid_code", "must be 1 to 32 lower-case letters, digits and hyphens");
  if (!in.label) p.add("label", "invalid_label", "is required");
  check_text(p, in.label, "label", 1, 40);
  OptionValue v{option, in.code.value_or(""), in.label.value_or(""),
                in.swatch_hex.value_or(std::nullopt), in.position.value_or(0)};
  check_option_value(p, option, v);
  if (!p.empty()) return p.error();
  auto existing = store_.option_values();
  if (!existing) return existing.error();
  for (const auto& o : *existing)
    if (o.option == option && o.code == v.code)
      return taken("option_value_taken", "code", "the " + option + " '" + v.code + "' exists");
  auto tx = store_.begin();
  if (!tx) return tx.error();
  if (auto r = store_.insert_option_value(*tx, v); !r) {
    if (r.error().code == "unique_violation")
      return taken("option_value_taken", "code", "the " + option + " '" + v.code + "' exists");
    return r.error();
  }
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return v;
}

Result<OptionValue> CatalogService::update_option_value(const std::string& option,
                                                        const std::string& code,
                                                        const OptionValueInput& in) {
  if (option != "size" && option != "colour") return unknown_option(option);
  auto existing = store_.option_values();
  if (!existing) return existing.error();
  std::optional<OptionValue> found;
  for (const auto& o : *existing)
    if (o.option == option && o.code == code) found = o;
  if (!found) return Error::not_found("option_value_not_found", "no " + option + " '" + code + "'");
  Problems p;
  if (in.code && *in.code != code)
    p.add("code", "invalid_code", "cannot change: variants name the value by its code");
  check_text(p, in.label, "label", 1, 40);
  if (in.label) found->label = *in.label;
  if (in.swatch_hex) found->swatch_hex = *in.swatch_hex;
  if (in.position) found->position = *in.position;
  check_option_value(p, option, *found);
  if (!p.empty()) return p.error();
  auto tx = store_.begin();
  if (!tx) return tx.error();
  if (auto r = store_.update_option_value(*tx, *found); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {}, .everything = true}); !r) return r.error();
  return *found;
}

// ---- products ------------------------------------------------------------------------------

Result<StaffProductPage> CatalogService::staff_products(const StaffProductQuery& q) {
  StaffProductPage out;
  out.page = q.page;
  out.per_page = q.per_page;
  auto found = store_.staff_list(q.status, q.q, q.category_id, q.brand_id, q.per_page,
                                 static_cast<int64_t>(q.page - 1) * q.per_page);
  if (!found) return found.error();
  out.total = found->second;
  std::vector<std::string> ids;
  for (auto& p : found->first) {
    ids.push_back(p.id);
    out.items.push_back({std::move(p), {}, {}, {}});
  }
  auto variants = store_.variants_of(ids);
  if (!variants) return variants.error();
  auto images = store_.images_of(ids);
  if (!images) return images.error();
  auto tags = store_.tags_of(ids);
  if (!tags) return tags.error();
  for (auto& item : out.items) {
    for (const auto& v : *variants)
      if (v.product_id == item.product.id) item.variants.push_back(v);
    for (const auto& i : *images)
      if (i.product_id == item.product.id) item.images.push_back(i);
    if (auto it = tags->find(item.product.id); it != tags->end()) item.product.tags = it->second;
  }
  return out;
}

Result<ProductRecord> CatalogService::staff_product(const std::string& id) {
  if (!is_uuid(id)) return product_not_found(id);
  auto record = store_.product_record(id);
  if (!record) return record.error();
  if (!*record) return product_not_found(id);
  return std::move(**record);
}

Result<ProductRecord> CatalogService::create_product(const ProductInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  Problems p;
  check_product(p, in, true, *ref);
  if (in.variants.size() > kMaxVariants)
    p.add("variants", "too_many_variants", "at most " + std::to_string(kMaxVariants));
  if (in.images.size() > kMaxImages)
    p.add("images", "too_many_images", "at most " + std::to_string(kMaxImages));

  std::string now = to_iso8601(clock_.now());
  Product product;
  product.id = new_id();
  product.status = "draft";
  product.price = Money(0, kShopCurrency);
  product.created_at = now;
  product.updated_at = now;
  apply(product, in);

  std::vector<Variant> variants;
  std::set<std::string> skus, combinations;
  for (size_t i = 0; i < in.variants.size(); ++i) {
    std::string prefix = "variants[" + std::to_string(i) + "].";
    check_variant(p, in.variants[i], true, *ref, prefix);
    Variant v;
    v.id = new_id();
    v.product_id = product.id;
    v.position = static_cast<int64_t>(i);
    apply(v, in.variants[i]);
    check_variant_whole(p, v, prefix);
    if (!v.sku.empty() && !skus.insert(v.sku).second)
      p.add(prefix + "sku", "duplicate_sku", "is given to another variant in this request");
    if (!combinations.insert(option_key(v)).second)
      p.add(prefix + "size", "duplicate_variant",
            "another variant in this request has the same size and colour");
    variants.push_back(std::move(v));
  }
  std::vector<Image> images;
  for (size_t i = 0; i < in.images.size(); ++i) {
    check_image(p, in.images[i], true, *ref, "images[" + std::to_string(i) + "].");
    Image image;
    image.id = new_id();
    image.product_id = product.id;
    image.position = static_cast<int64_t>(i);
    apply(image, in.images[i]);
    images.push_back(std::move(image));
  }
  check_sellable(p, product, variants.size());
  if (!p.empty()) return p.error();

  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto same_slug = store_.product_by_slug(*tx, product.slug);
  if (!same_slug) return same_slug.error();
  if (*same_slug)
    return taken("slug_taken", "slug", "a product with slug '" + product.slug + "' exists");
  for (size_t i = 0; i < variants.size(); ++i) {
    auto same_sku = store_.variant_by_sku(*tx, variants[i].sku);
    if (!same_sku) return same_sku.error();
    if (*same_sku)
      return taken("sku_taken", "variants[" + std::to_string(i) + "].sku",
                   "a variant with SKU '" + variants[i].sku + "' exists");
  }
  if (auto r = store_.insert_product(*tx, product); !r) return racing_duplicate(r.error());
  if (auto r = store_.replace_tags(*tx, product.id, product.tags); !r) return r.error();
  for (const auto& v : variants)
    if (auto r = store_.insert_variant(*tx, v); !r) return racing_duplicate(r.error());
  for (const auto& i : images)
    if (auto r = store_.insert_image(*tx, i); !r) return r.error();
  if (auto r = write_translations(store_, *tx, product.id, in.translations); !r) return r.error();
  if (auto r = store_.refresh_product(*tx, product.id); !r) return r.error();
  auto record = read_record(store_, *tx, product.id, true);
  if (!record) return record.error();
  if (auto r = commit_change(*tx, {.product_ids = {product.id}}); !r)
    return racing_duplicate(r.error());
  return record;
}

Result<ProductRecord> CatalogService::update_product(
    const std::string& id, const ProductInput& in,
    const std::optional<std::string>& expected_updated_at) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  Problems p;
  check_product(p, in, false, *ref);
  if (!in.variants.empty() || !in.images.empty())
    p.add("variants", "not_updatable_here",
          "change variants and images through their own routes under the product");
  if (!p.empty()) return p.error();

  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, id);
  if (!product) return product.error();
  if (expected_updated_at && *expected_updated_at != product->updated_at)
    return Error::conflict("edit_conflict", "the product changed since it was read (updated_at " +
                                                product->updated_at +
                                                "); read it again and redo the change");
  std::string old_slug = product->slug;
  apply(*product, in);
  auto variants = store_.variants_in(*tx, id);
  if (!variants) return variants.error();
  check_sellable(p, *product, variants->size());
  if (!p.empty()) return p.error();
  if (product->slug != old_slug) {
    auto same_slug = store_.product_by_slug(*tx, product->slug);
    if (!same_slug) return same_slug.error();
    if (*same_slug)
      return taken("slug_taken", "slug", "a product with slug '" + product->slug + "' exists");
  }
  product->updated_at = to_iso8601(clock_.now());
  if (auto r = store_.update_product(*tx, *product); !r) return racing_duplicate(r.error());
  if (product->slug != old_slug)
    if (auto r = store_.record_former_slug(*tx, id, old_slug, product->slug, product->updated_at);
        !r)
      return r.error();
  if (in.tags)
    if (auto r = store_.replace_tags(*tx, id, product->tags); !r) return r.error();
  if (auto r = write_translations(store_, *tx, id, in.translations); !r) return r.error();
  if (auto r = store_.refresh_product(*tx, id); !r) return r.error();
  auto record = read_record(store_, *tx, id, true);
  if (!record) return record.error();
  if (auto r = commit_change(*tx, {.product_ids = {id}}); !r) return racing_duplicate(r.error());
  return record;
}

Result<Variant> CatalogService::add_variant(const std::string& product_id, const VariantInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  Problems p;
  check_variant(p, in, true, *ref, "");
  if (!p.empty()) return p.error();
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto siblings = store_.variants_in(*tx, product_id);
  if (!siblings) return siblings.error();
  Variant v;
  v.id = new_id();
  v.product_id = product_id;
  v.position = siblings->empty() ? 0 : siblings->back().position + 1;
  apply(v, in);
  check_variant_whole(p, v, "");
  if (!p.empty()) return p.error();
  for (const auto& s : *siblings)
    if (option_key(s) == option_key(v))
      return taken("variant_exists", "size",
                   "the product has a " + v.size + " / " + v.colour + " variant already");
  auto same_sku = store_.variant_by_sku(*tx, v.sku);
  if (!same_sku) return same_sku.error();
  if (*same_sku) return taken("sku_taken", "sku", "a variant with SKU '" + v.sku + "' exists");
  if (auto r = store_.insert_variant(*tx, v); !r) return racing_duplicate(r.error());
  if (auto r = store_.refresh_product(*tx, product_id); !r) return r.error();
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r)
    return racing_duplicate(r.error());
  return v;
}

Result<Variant> CatalogService::update_variant(const std::string& product_id,
                                               const std::string& variant_id,
                                               const VariantInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  Problems p;
  check_variant(p, in, false, *ref, "");
  if (!p.empty()) return p.error();
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto siblings = store_.variants_in(*tx, product_id);
  if (!siblings) return siblings.error();
  auto it = std::find_if(siblings->begin(), siblings->end(),
                         [&](const Variant& s) { return s.id == variant_id; });
  if (it == siblings->end())
    return Error::not_found("variant_not_found",
                            "the product has no variant with id '" + variant_id + "'");
  Variant v = *it;
  std::string old_sku = v.sku;
  apply(v, in);
  check_variant_whole(p, v, "");
  if (!p.empty()) return p.error();
  for (const auto& s : *siblings)
    if (s.id != v.id && option_key(s) == option_key(v))
      return taken("variant_exists", "size",
                   "the product has a " + v.size + " / " + v.colour + " variant already");
  if (v.sku != old_sku) {
    auto same_sku = store_.variant_by_sku(*tx, v.sku);
    if (!same_sku) return same_sku.error();
    if (*same_sku) return taken("sku_taken", "sku", "a variant with SKU '" + v.sku + "' exists");
  }
  if (auto r = store_.update_variant(*tx, v); !r) return racing_duplicate(r.error());
  // The product's "from" price follows its cheapest variant.
  if (auto r = store_.refresh_product(*tx, product_id); !r) return r.error();
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r)
    return racing_duplicate(r.error());
  return v;
}

Result<void> CatalogService::delete_variant(const std::string& product_id,
                                            const std::string& variant_id) {
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto siblings = store_.variants_in(*tx, product_id);
  if (!siblings) return siblings.error();
  bool found = std::any_of(siblings->begin(), siblings->end(),
                           [&](const Variant& s) { return s.id == variant_id; });
  if (!found)
    return Error::not_found("variant_not_found",
                            "the product has no variant with id '" + variant_id + "'");
  if (product->status == "active" && siblings->size() == 1)
    return Error::conflict("last_variant",
                           "an active product needs a variant; archive the product or add "
                           "another variant first");
  if (auto r = store_.delete_variant(*tx, variant_id); !r) return r.error();
  if (auto r = store_.refresh_product(*tx, product_id); !r) return r.error();
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r) return r.error();
  return {};
}

Result<Image> CatalogService::add_image(const std::string& product_id, const ImageInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  Problems p;
  check_image(p, in, true, *ref, "");
  if (!p.empty()) return p.error();
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto images = store_.images_in(*tx, product_id);
  if (!images) return images.error();
  if (images->size() >= kMaxImages)
    return Error::conflict("too_many_images",
                           "a product has at most " + std::to_string(kMaxImages) + " images");
  Image image;
  image.id = new_id();
  image.product_id = product_id;
  image.position = images->empty() ? 0 : images->back().position + 1;
  apply(image, in);
  if (auto r = store_.insert_image(*tx, image); !r) return r.error();
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r) return r.error();
  return image;
}

Result<Image> CatalogService::update_image(const std::string& product_id,
                                           const std::string& image_id, const ImageInput& in) {
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  Problems p;
  check_image(p, in, false, *ref, "");
  if (!p.empty()) return p.error();
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto images = store_.images_in(*tx, product_id);
  if (!images) return images.error();
  auto it = std::find_if(images->begin(), images->end(),
                         [&](const Image& i) { return i.id == image_id; });
  if (it == images->end())
    return Error::not_found("image_not_found",
                            "the product has no image with id '" + image_id + "'");
  Image image = *it;
  apply(image, in);
  if (auto r = store_.update_image(*tx, image); !r) return r.error();
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r) return r.error();
  return image;
}

Result<void> CatalogService::remove_image(const std::string& product_id,
                                          const std::string& image_id) {
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto images = store_.images_in(*tx, product_id);
  if (!images) return images.error();
  if (std::none_of(images->begin(), images->end(),
                   [&](const Image& i) { return i.id == image_id; }))
    return Error::not_found("image_not_found",
                            "the product has no image with id '" + image_id + "'");
  if (auto r = store_.delete_image(*tx, image_id); !r) return r.error();
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r) return r.error();
  return {};
}

Result<std::vector<Image>> CatalogService::reorder_images(
    const std::string& product_id, const std::vector<std::string>& image_ids) {
  auto tx = store_.begin();
  if (!tx) return tx.error();
  auto product = locked_product(store_, *tx, product_id);
  if (!product) return product.error();
  auto images = store_.images_in(*tx, product_id);
  if (!images) return images.error();
  std::set<std::string> given(image_ids.begin(), image_ids.end());
  std::set<std::string> stored;
  for (const auto& i : *images) stored.insert(i.id);
  if (given.size() != image_ids.size() || given != stored)
    return Error::unprocessable("invalid_image_order", "image_ids must name each image once",
                                {{"image_ids", "must list every image of the product once"}});
  std::vector<Image> out;
  for (size_t pos = 0; pos < image_ids.size(); ++pos)
    for (auto& i : *images)
      if (i.id == image_ids[pos]) {
        i.position = static_cast<int64_t>(pos);
        if (auto r = store_.update_image(*tx, i); !r) return r.error();
        out.push_back(i);
      }
  if (auto r = touch(store_, *tx, *product, to_iso8601(clock_.now())); !r) return r.error();
  if (auto r = commit_change(*tx, {.product_ids = {product_id}}); !r) return r.error();
  return out;
}

Result<std::vector<ProductRecord>> CatalogService::export_batch(const std::string& after_slug,
                                                                int limit) {
  auto products = store_.products_after(after_slug, limit);
  if (!products) return products.error();
  std::vector<std::string> ids;
  std::vector<ProductRecord> out;
  for (auto& p : *products) {
    ids.push_back(p.id);
    out.push_back({std::move(p), {}, {}, {}});
  }
  auto variants = store_.variants_of(ids);
  if (!variants) return variants.error();
  auto images = store_.images_of(ids);
  if (!images) return images.error();
  auto tags = store_.tags_of(ids);
  if (!tags) return tags.error();
  std::map<std::string, ProductRecord*> by_id;
  for (auto& r : out) by_id[r.product.id] = &r;
  for (auto& v : *variants) by_id[v.product_id]->variants.push_back(std::move(v));
  for (auto& i : *images) by_id[i.product_id]->images.push_back(std::move(i));
  for (auto& [id, list] : *tags)
    if (auto it = by_id.find(id); it != by_id.end()) it->second->product.tags = std::move(list);
  return out;
}

Result<std::optional<Variant>> CatalogService::find_variant(const std::string& sku,
                                                            const std::string& variant_id) {
  if (sku.empty() && !is_uuid(variant_id)) return std::optional<Variant>{};
  return store_.find_variant(sku, variant_id);
}

// ---- import --------------------------------------------------------------------------------

namespace {

struct ImportCounts {
  int64_t products_created = 0, products_updated = 0, variants_created = 0, variants_updated = 0;
};

// Writes one imported product inside `tx`. Row problems go to `p`; a database failure is the
// returned error. Nothing is committed here.
Result<void> import_one(ProductStore& store, db::Transaction& tx, const Reference& ref,
                        const ImportProduct& item, const std::string& now, Problems& p,
                        ImportCounts& counts, std::vector<std::string>& touched) {
  p.at_row(item.row);
  ProductInput in = item.product;
  if (item.category_slug) {
    if (item.category_slug->empty()) {
      in.category_id = std::optional<std::string>();
    } else if (const auto* c = ref.category_by_slug(*item.category_slug)) {
      in.category_id = std::optional<std::string>(c->id);
    } else {
      p.add("category", "unknown_category", "names no category slug");
    }
  }
  if (item.brand_slug) {
    if (item.brand_slug->empty()) {
      in.brand_id = std::optional<std::string>();
    } else if (const auto* b = ref.brand_by_slug(*item.brand_slug)) {
      in.brand_id = std::optional<std::string>(b->id);
    } else {
      p.add("brand", "unknown_brand", "names no brand slug");
    }
  }
  if (!in.slug) {
    p.add("slug", "invalid_slug", "is required");
    return {};
  }
  auto existing = store.product_by_slug(tx, *in.slug);
  if (!existing) return existing.error();
  bool creating = !*existing;
  size_t before = p.list().size();
  check_product(p, in, creating, ref);
  for (const auto& iv : item.variants) {
    p.at_row(iv.row);
    check_variant(p, iv.variant, false, ref, "");
  }
  p.at_row(item.row);
  if (p.list().size() > before) return {};

  Product product;
  if (creating) {
    product.id = new_id();
    product.status = "draft";
    product.price = Money(0, CatalogService::kShopCurrency);
    product.created_at = now;
  } else {
    product = **existing;
  }
  apply(product, in);
  product.updated_at = now;

  std::vector<Variant> variants;
  if (!creating) {
    auto stored = store.variants_in(tx, product.id);
    if (!stored) return stored.error();
    variants = std::move(*stored);
  }
  std::vector<std::pair<Variant, bool>> writes;  // variant, is new
  for (const auto& iv : item.variants) {
    p.at_row(iv.row);
    if (!iv.variant.sku) {
      p.add("sku", "invalid_sku", "is required");
      continue;
    }
    auto owner = store.variant_by_sku(tx, *iv.variant.sku);
    if (!owner) return owner.error();
    Variant v;
    bool is_new = !*owner;
    if (*owner && (*owner)->product_id != product.id) {
      p.add("sku", "sku_taken", "belongs to another product");
      continue;
    }
    auto stored = std::find_if(variants.begin(), variants.end(),
                               [&](const Variant& s) { return s.sku == *iv.variant.sku; });
    if (is_new) {
      v.id = new_id();
      v.product_id = product.id;
      v.position = static_cast<int64_t>(variants.size());
      if (!iv.variant.size || !iv.variant.colour || !iv.variant.price_minor) {
        p.add(!iv.variant.size     ? "size"
              : !iv.variant.colour ? "colour"
                                   : "price",
              !iv.variant.size     ? "unknown_size"
              : !iv.variant.colour ? "unknown_colour"
                                   : "invalid_price",
              "is required for a new variant");
        continue;
      }
    } else if (stored != variants.end()) {
      v = *stored;
    } else {
      // Listed twice in this import: the first listing already claimed it.
      p.add("sku", "duplicate_sku", "appears twice for this product");
      continue;
    }
    apply(v, iv.variant);
    check_variant_whole(p, v, "");
    for (const auto& s : variants)
      if (s.id != v.id && option_key(s) == option_key(v)) {
        p.add("size", "duplicate_variant", "another variant has the same size and colour");
        break;
      }
    if (stored != variants.end())
      *stored = v;
    else
      variants.push_back(v);
    writes.emplace_back(std::move(v), is_new);
  }
  p.at_row(item.row);
  check_sellable(p, product, variants.size());
  if (p.list().size() > before) return {};

  if (creating) {
    if (auto r = store.insert_product(tx, product); !r) return r.error();
    ++counts.products_created;
  } else {
    if (auto r = store.update_product(tx, product); !r) return r.error();
    ++counts.products_updated;
  }
  if (in.tags || creating)
    if (auto r = store.replace_tags(tx, product.id, product.tags); !r) return r.error();
  for (const auto& [v, is_new] : writes) {
    auto r = is_new ? store.insert_variant(tx, v) : store.update_variant(tx, v);
    if (!r) return r.error();
    ++(is_new ? counts.variants_created : counts.variants_updated);
  }
  if (auto r = store.refresh_product(tx, product.id); !r) return r.error();
  touched.push_back(product.id);
  return {};
}

}  // namespace

Result<ImportReport> CatalogService::import_products(const std::vector<ImportProduct>& items,
                                                     ImportMode mode) {
  ImportReport report;
  auto ref = read_reference(store_);
  if (!ref) return ref.error();
  std::string now = to_iso8601(clock_.now());
  // The same slug twice would make the second entry silently overwrite the first.
  std::map<std::string, int64_t> first_row;
  Problems duplicates;
  for (const auto& item : items)
    if (item.product.slug) {
      auto [it, fresh] = first_row.emplace(*item.product.slug, item.row);
      if (!fresh) {
        duplicates.at_row(item.row);
        duplicates.add("slug", "duplicate_slug",
                       "the product is also at row " + std::to_string(it->second) +
                           "; list its variants together");
      }
    }
  auto add_errors = [&](const Problems& p) {
    for (const auto& e : p.list()) report.errors.push_back({e.row, e.field, e.code, e.message});
  };
  std::set<int64_t> duplicate_rows;
  for (const auto& e : duplicates.list()) duplicate_rows.insert(e.row);
  add_errors(duplicates);

  ImportCounts counts;
  std::vector<std::string> touched;
  if (mode == ImportMode::all_or_nothing) {
    auto tx = store_.begin();
    if (!tx) return tx.error();
    Problems p;
    for (const auto& item : items) {
      if (duplicate_rows.count(item.row)) continue;
      if (auto r = import_one(store_, *tx, *ref, item, now, p, counts, touched); !r)
        return racing_duplicate(r.error());
    }
    add_errors(p);
    if (!report.errors.empty()) {
      tx->rollback();
      report.products_failed = static_cast<int64_t>(items.size());
      std::sort(report.errors.begin(), report.errors.end(),
                [](const auto& a, const auto& b) { return a.row < b.row; });
      return report;
    }
    if (auto r = publish_change(*tx, {.product_ids = touched, .everything = true}); !r)
      return r.error();
    if (auto r = tx->commit(); !r) return racing_duplicate(r.error());
    report.written = true;
  } else {
    for (const auto& item : items) {
      if (duplicate_rows.count(item.row)) {
        ++report.products_failed;
        continue;
      }
      auto tx = store_.begin();
      if (!tx) return tx.error();
      Problems p;
      ImportCounts one;
      std::vector<std::string> ids;
      auto r = import_one(store_, *tx, *ref, item, now, p, one, ids);
      if (!r) {
        // A database error on one product (a racing duplicate) fails that product only.
        Error e = racing_duplicate(r.error());
        if (e.kind != ErrorKind::conflict) return e;
        p.add("slug", e.code, e.message);
      }
      if (!p.empty()) {
        tx->rollback();
        add_errors(p);
        ++report.products_failed;
        continue;
      }
      if (auto c = publish_change(*tx, {.product_ids = ids, .everything = true}); !c)
        return c.error();
      if (auto c = tx->commit(); !c) return racing_duplicate(c.error());
      counts.products_created += one.products_created;
      counts.products_updated += one.products_updated;
      counts.variants_created += one.variants_created;
      counts.variants_updated += one.variants_updated;
      touched.insert(touched.end(), ids.begin(), ids.end());
    }
    report.written = !touched.empty();
  }
  report.products_created = counts.products_created;
  report.products_updated = counts.products_updated;
  report.variants_created = counts.variants_created;
  report.variants_updated = counts.variants_updated;
  std::sort(report.errors.begin(), report.errors.end(),
            [](const auto& a, const auto& b) { return a.row < b.row; });
  if (!touched.empty()) changed({.product_ids = {}, .everything = true});
  return report;
}

}  // namespace fff::catalog
