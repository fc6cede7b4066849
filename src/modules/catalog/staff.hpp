// modules/catalog/staff: what staff send to change the catalog (the admin API's inputs) and what
// they get back that shoppers never see. Optional members are "leave as it is" on an update and
// "use the default" on a create.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "modules/catalog/model.hpp"

namespace fff::catalog {

struct CategoryInput {
  std::optional<std::string> slug;
  std::optional<std::string> name;
  // Outer nullopt: unchanged (create: a root). Inner nullopt: move to the top level.
  std::optional<std::optional<std::string>> parent_id;
  std::optional<int64_t> position;
};

struct BrandInput {
  std::optional<std::string> slug;
  std::optional<std::string> name;
};

struct OptionValueInput {
  std::optional<std::string> code;  // create only; the code is how variants name the value
  std::optional<std::string> label;
  std::optional<std::optional<std::string>> swatch_hex;  // colours: "#rrggbb"
  std::optional<int64_t> position;
};

struct VariantInput {
  std::optional<std::string> sku;
  std::optional<std::string> size;
  std::optional<std::string> colour;
  std::optional<int64_t> price_minor;
  std::optional<std::optional<int64_t>> compare_at_minor;
  std::optional<std::optional<std::string>> barcode;
  std::optional<std::optional<int64_t>> weight_grams;
  std::optional<int64_t> position;
};

struct ImageInput {
  std::optional<std::string> media_key;
  std::optional<std::string> alt;
  std::optional<std::optional<std::string>> colour;
  std::optional<int64_t> position;
};

// locale -> field -> text ("vi" -> "title" -> "Áo sơ mi lanh").
using TranslationMap = std::map<std::string, std::map<std::string, std::string>>;

struct ProductInput {
  std::optional<std::string> slug;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::optional<std::string>> brand_id;
  std::optional<std::optional<std::string>> category_id;
  std::optional<std::string> material;
  std::optional<std::string> fit;
  std::optional<std::string> gender;
  std::optional<std::string> season;
  std::optional<std::string> seo_title;
  std::optional<std::string> seo_description;
  std::optional<std::string> status;  // draft | active | archived
  std::optional<std::vector<std::string>> tags;
  std::optional<TranslationMap> translations;  // given locales are replaced whole
  // Create only: the product's variants and images, written with it in one transaction.
  std::vector<VariantInput> variants;
  std::vector<ImageInput> images;
};

// A product with everything staff edit: variants, images, tags and translations.
struct ProductRecord {
  Product product;
  std::vector<Variant> variants;
  std::vector<Image> images;
  TranslationMap translations;
};

struct StaffProductQuery {
  std::optional<std::string> status;
  std::string q;                           // part of the title, or a SKU
  std::optional<std::string> category_id;  // exactly this category (not its descendants)
  std::optional<std::string> brand_id;
  int page = 1;
  int per_page = 50;
};

struct StaffProductPage {
  std::vector<ProductRecord> items;  // without translations
  int page = 1;
  int per_page = 50;
  int64_t total = 0;
};

// Bulk import. One entry per product; `row` is where it came from (the first CSV row of the
// product, or its index in a JSON array), and each variant has its own row.
struct ImportVariant {
  int64_t row = 0;
  VariantInput variant;
};
struct ImportProduct {
  int64_t row = 0;
  ProductInput product;                      // variants/images unused: see `variants`
  std::optional<std::string> category_slug;  // "" clears the category
  std::optional<std::string> brand_slug;
  std::vector<ImportVariant> variants;
};

enum class ImportMode { all_or_nothing, best_effort };

struct ImportRowError {
  int64_t row = 0;
  std::string field;
  std::string code;
  std::string message;
};

struct ImportReport {
  int64_t products_created = 0;
  int64_t products_updated = 0;
  int64_t variants_created = 0;
  int64_t variants_updated = 0;
  int64_t products_failed = 0;
  bool written = false;  // all_or_nothing: false when any row failed
  std::vector<ImportRowError> errors;
};

}  // namespace fff::catalog
