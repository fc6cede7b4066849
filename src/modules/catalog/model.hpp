// modules/catalog: what shoppers browse. Owns categories, brands, products, option values,
// variants, product images, tags and catalog_translations. Variants are known to other modules
// (inventory, cart) by id only.
//
// Text is English inline; other locales are overlaid from catalog_translations
// (entity, entity_id, locale, field) so a new language needs rows, not columns.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"

namespace fff::catalog {

struct Category {
  std::string id;
  std::optional<std::string> parent_id;
  std::string slug;
  std::string name;
  int64_t position = 0;
};

struct Brand {
  std::string id;
  std::string slug;
  std::string name;
};

// A value of the size or colour option. Colours carry a swatch ("#1f2a44").
struct OptionValue {
  std::string option;  // "size" | "colour"
  std::string code;    // "m", "32", "navy"
  std::string label;   // "M", "32", "Navy"
  std::optional<std::string> swatch_hex;
  int64_t position = 0;
};

struct Variant {
  std::string id;
  std::string product_id;
  std::string sku;
  std::string size;    // option value code
  std::string colour;  // option value code
  int64_t price_minor = 0;
  std::optional<int64_t> compare_at_minor;
  std::optional<std::string> barcode;
  std::optional<int64_t> weight_grams;
  int64_t position = 0;
  bool in_stock = false;  // a mirror of inventory, kept current by the composition root
};

struct Image {
  std::string id;
  std::string product_id;
  std::optional<std::string> colour;
  std::string media_key;  // the media store's key; URLs are made from it at the API
  std::string alt;
  int64_t position = 0;
};

struct Product {
  std::string id;  // UUIDv7
  std::string slug;
  std::string title;
  std::string description;
  std::optional<std::string> brand_id;
  std::optional<std::string> category_id;
  std::string material;
  std::string fit;
  std::string gender;
  std::string season;
  std::string seo_title;
  std::string seo_description;
  Money price{0, Currency::USD};  // the "from" price: the cheapest variant
  int64_t sales_count = 0;
  std::string status;  // draft | active | archived
  std::string created_at;
  std::string updated_at;
  std::vector<std::string> tags;
};

struct Translation {
  std::string entity;  // "product" | "category" | "brand"
  std::string entity_id;
  std::string locale;
  std::string field;  // "title", "description", "name"
  std::string value;
};

// Everything a bulk load writes (the demo seed; later imports). Rows refer to each other by id.
struct CatalogBatch {
  std::vector<Category> categories;
  std::vector<Brand> brands;
  std::vector<OptionValue> option_values;
  std::vector<Product> products;
  std::vector<Variant> variants;
  std::vector<Image> images;
  std::vector<Translation> translations;
};

// relevance: best text match first (search only; the list has no text to match).
enum class ProductSort { newest, price_asc, price_desc, best_selling, relevance };

// Filters on the product list. Empty lists mean "any"; several values in one list mean "any of".
struct ProductFilter {
  std::vector<std::string> categories;  // slugs; descendants included
  std::vector<std::string> brands;      // slugs
  std::vector<std::string> colours;     // option value codes
  std::vector<std::string> sizes;       // option value codes
  std::vector<std::string> tags;
  std::optional<int64_t> price_min_minor;
  std::optional<int64_t> price_max_minor;
  bool in_stock = false;
};

struct FacetValue {
  std::string value;  // slug or code
  std::string label;
  int64_t count = 0;
  std::optional<std::string> swatch_hex;  // colours
  std::optional<std::string> parent;      // categories: the parent's slug
};

// Counts over the current result set (every filter applied).
struct Facets {
  std::vector<FacetValue> categories;
  std::vector<FacetValue> brands;
  std::vector<FacetValue> colours;
  std::vector<FacetValue> sizes;
  std::vector<FacetValue> tags;
  std::vector<FacetValue> price_ranges;  // value "min-max" in minor units, open end as "min-"
  int64_t in_stock = 0;
  std::optional<int64_t> price_min_minor;
  std::optional<int64_t> price_max_minor;
};

struct ProductSummary {
  Product product;
  std::optional<Brand> brand;
  std::optional<Category> category;
  std::vector<Variant> variants;
  std::vector<Image> images;
};

struct ProductPage {
  // Shared and immutable: a listing's products are served from a cache of them.
  std::vector<std::shared_ptr<const ProductSummary>> items;
  int page = 1;
  int per_page = 24;
  int64_t total = 0;
  Facets facets;
  // Search only: the query with misspelt words corrected, whether the items are for it (the
  // query as typed found nothing), and colour and size words the query turned into filters.
  std::optional<std::string> did_you_mean;
  bool corrected = false;
  std::vector<std::string> colours_from_text;
  std::vector<std::string> sizes_from_text;
};

struct CategoryNode {
  Category category;
  int64_t product_count = 0;  // active products here and in every descendant
  std::vector<CategoryNode> children;
};

// A variant as a cart line shows it, with its product (in any status: the caller decides what
// an inactive one means), option labels and the picture for its colour (service_variants.cpp).
struct VariantView {
  std::string variant_id, sku, product_id, product_slug, product_title, product_status;
  std::string size, colour, size_label, colour_label;  // codes and English labels
  int64_t price_minor = 0;
  std::optional<std::string> image_key;  // the colour's first image, else the product's first
};

struct ProductDetail {
  ProductSummary summary;
  std::vector<Category> breadcrumbs;  // root first, the product's own category last
  std::vector<OptionValue> colours;   // the options this product's variants use, in order
  std::vector<OptionValue> sizes;
};

}  // namespace fff::catalog
