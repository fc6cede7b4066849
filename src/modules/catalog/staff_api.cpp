#include "modules/catalog/staff_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <set>

#include "core/csv.hpp"
#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::catalog {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr auto kCurrency = CatalogService::kShopCurrency;

// ---- reading request bodies ----------------------------------------------------------------

// Reads the members of one JSON object into optional fields, collecting every problem (wrong
// type, unknown member) so that one answer names them all. A member set to null means "clear"
// for nullable fields and is a type error elsewhere.
class BodyReader {
 public:
  BodyReader(const json::object& object, std::string prefix, std::vector<FieldError>& errors,
             std::string& first_code)
      : object_(object), prefix_(std::move(prefix)), errors_(errors), first_code_(first_code) {}

  std::optional<std::string> text(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) return fail(key, "must be a string"), std::nullopt;
    return std::string(v->get_string());
  }
  std::optional<std::optional<std::string>> nullable_text(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<std::string>();
    if (!v->is_string()) return fail(key, "must be a string or null"), std::nullopt;
    return std::optional<std::string>(std::string(v->get_string()));
  }
  std::optional<int64_t> integer(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= INT64_MAX)
      return static_cast<int64_t>(v->get_uint64());
    return fail(key, "must be a whole number"), std::nullopt;
  }
  std::optional<std::optional<int64_t>> nullable_integer(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<int64_t>();
    auto n = integer(key);
    if (!n) return std::nullopt;
    return std::optional<int64_t>(*n);
  }
  // A price: "49.90", or {"amount": "49.90", "currency": "USD"} as the API writes it.
  std::optional<int64_t> money(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    return parse_money(key, *v);
  }
  std::optional<std::optional<int64_t>> nullable_money(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<int64_t>();
    auto m = parse_money(key, *v);
    if (!m) return std::nullopt;
    return std::optional<int64_t>(*m);
  }
  std::optional<std::vector<std::string>> texts(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) return fail(key, "must be an array of strings"), std::nullopt;
    std::vector<std::string> out;
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) return fail(key, "must be an array of strings"), std::nullopt;
      out.emplace_back(e.get_string());
    }
    return out;
  }
  const json::array* array(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return nullptr;
    if (!v->is_array()) return fail(key, "must be an array"), nullptr;
    return &v->get_array();
  }
  const json::object* object(std::string_view key) {
    const json::value* v = member(key);
    if (!v) return nullptr;
    if (!v->is_object()) return fail(key, "must be an object"), nullptr;
    return &v->get_object();
  }
  // Members nobody asked for are typos or fields this API does not have: say so rather than
  // silently dropping them.
  void refuse_others() {
    for (const auto& [key, value] : object_)
      if (!seen_.count(std::string(key)))
        add(prefix_ + std::string(key), "unknown_field", "is not a field here");
  }
  void fail(std::string_view key, const std::string& message) {
    add(prefix_ + std::string(key), "invalid_field", message);
  }
  void add(const std::string& field, const std::string& code, const std::string& message) {
    if (errors_.empty()) first_code_ = code;
    errors_.push_back({field, message});
  }

 private:
  const json::value* member(std::string_view key) {
    seen_.insert(std::string(key));
    return object_.if_contains(key);
  }
  std::optional<int64_t> parse_money(std::string_view key, const json::value& v) {
    const json::value* amount = &v;
    if (v.is_object()) {
      amount = v.get_object().if_contains("amount");
      const json::value* currency = v.get_object().if_contains("currency");
      if (currency &&
          (!currency->is_string() ||
           currency->get_string() != json::string_view(std::string(currency_code(kCurrency))))) {
        add(prefix_ + std::string(key), "invalid_price",
            "must be in the shop currency " + std::string(currency_code(kCurrency)));
        return std::nullopt;
      }
    }
    if (amount && amount->is_string()) {
      auto m = Money::parse(std::string(amount->get_string()), kCurrency);
      if (m) return m->minor();
    } else if (amount && amount->is_int64()) {
      // Whole units; parsed as text so that a huge number is refused, not overflowed.
      auto m = Money::parse(std::to_string(amount->get_int64()), kCurrency);
      if (m) return m->minor();
    }
    add(prefix_ + std::string(key), "invalid_price",
        "must be a decimal amount as a string, such as \"49.90\"");
    return std::nullopt;
  }

  const json::object& object_;
  std::string prefix_;
  std::vector<FieldError>& errors_;
  std::string& first_code_;
  std::set<std::string> seen_;
};

// The request body as a JSON object; 400 for malformed JSON, 415 for another media type.
Result<json::object> object_body(const Request& req) {
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("invalid_body", "the request body must be a JSON object");
  return std::move(body->get_object());
}

Error field_errors(std::vector<FieldError> errors, const std::string& code) {
  std::string summary = errors.size() == 1 ? errors[0].field + " " + errors[0].message
                                           : std::to_string(errors.size()) + " fields are invalid";
  return Error::unprocessable(code, summary, std::move(errors));
}

VariantInput read_variant(BodyReader& r) {
  VariantInput v;
  v.sku = r.text("sku");
  v.size = r.text("size");
  v.colour = r.text("colour");
  v.price_minor = r.money("price");
  v.compare_at_minor = r.nullable_money("compare_at_price");
  v.barcode = r.nullable_text("barcode");
  v.weight_grams = r.nullable_integer("weight_grams");
  v.position = r.integer("position");
  r.refuse_others();
  return v;
}

ImageInput read_image(BodyReader& r) {
  ImageInput i;
  i.media_key = r.text("media_key");
  i.alt = r.text("alt");
  i.colour = r.nullable_text("colour");
  i.position = r.integer("position");
  r.refuse_others();
  return i;
}

// A product body. `creating` allows variants and images inside it; `extra` lists members a
// route reads itself (updated_at).
ProductInput read_product(const json::object& o, const std::string& prefix,
                          std::vector<FieldError>& errors, std::string& code, bool creating,
                          std::optional<std::string>* updated_at = nullptr) {
  BodyReader r(o, prefix, errors, code);
  ProductInput in;
  in.slug = r.text("slug");
  in.title = r.text("title");
  in.description = r.text("description");
  in.brand_id = r.nullable_text("brand_id");
  in.category_id = r.nullable_text("category_id");
  in.material = r.text("material");
  in.fit = r.text("fit");
  in.gender = r.text("gender");
  in.season = r.text("season");
  in.seo_title = r.text("seo_title");
  in.seo_description = r.text("seo_description");
  in.status = r.text("status");
  in.tags = r.texts("tags");
  if (const json::object* t = r.object("translations")) {
    TranslationMap map;
    for (const auto& [locale, fields] : *t) {
      if (!fields.is_object()) {
        r.add(prefix + "translations." + std::string(locale), "invalid_field",
              "must be an object of field to text");
        continue;
      }
      for (const auto& [field, value] : fields.get_object()) {
        if (!value.is_string()) {
          r.add(prefix + "translations." + std::string(locale) + "." + std::string(field),
                "invalid_field", "must be a string");
          continue;
        }
        map[std::string(locale)][std::string(field)] = std::string(value.get_string());
      }
    }
    in.translations = std::move(map);
  }
  if (updated_at) *updated_at = r.text("updated_at");
  if (creating) {
    if (const json::array* variants = r.array("variants"))
      for (size_t i = 0; i < variants->size(); ++i) {
        std::string at = prefix + "variants[" + std::to_string(i) + "].";
        if (!(*variants)[i].is_object()) {
          r.add(at.substr(0, at.size() - 1), "invalid_field", "must be an object");
          continue;
        }
        BodyReader vr((*variants)[i].get_object(), at, errors, code);
        in.variants.push_back(read_variant(vr));
      }
    if (const json::array* images = r.array("images"))
      for (size_t i = 0; i < images->size(); ++i) {
        std::string at = prefix + "images[" + std::to_string(i) + "].";
        if (!(*images)[i].is_object()) {
          r.add(at.substr(0, at.size() - 1), "invalid_field", "must be an object");
          continue;
        }
        BodyReader ir((*images)[i].get_object(), at, errors, code);
        in.images.push_back(read_image(ir));
      }
  }
  r.refuse_others();
  return in;
}

// ---- writing responses ---------------------------------------------------------------------

json::object money_json(int64_t minor) {
  Money m(minor, kCurrency);
  return {{"amount", m.decimal()}, {"currency", currency_code(kCurrency)}};
}

json::value opt_json(const std::optional<std::string>& s) {
  return s ? json::value(json::string(*s)) : json::value(nullptr);
}
json::value opt_json(const std::optional<int64_t>& n) {
  return n ? json::value(*n) : json::value(nullptr);
}

json::object category_json(const Category& c) {
  return {{"id", c.id},
          {"parent_id", opt_json(c.parent_id)},
          {"slug", c.slug},
          {"name", c.name},
          {"position", c.position}};
}

json::object brand_json(const Brand& b) {
  return {{"id", b.id}, {"slug", b.slug}, {"name", b.name}};
}

json::object option_json(const OptionValue& o) {
  return {{"option", o.option},
          {"code", o.code},
          {"label", o.label},
          {"swatch_hex", opt_json(o.swatch_hex)},
          {"position", o.position}};
}

json::object variant_json(const Variant& v) {
  return {{"id", v.id},
          {"sku", v.sku},
          {"size", v.size},
          {"colour", v.colour},
          {"price", money_json(v.price_minor)},
          {"compare_at_price", v.compare_at_minor ? json::value(money_json(*v.compare_at_minor))
                                                  : json::value(nullptr)},
          {"barcode", opt_json(v.barcode)},
          {"weight_grams", opt_json(v.weight_grams)},
          {"position", v.position},
          {"in_stock", v.in_stock}};
}

json::object image_json(const Image& i) {
  return {{"id", i.id},
          {"media_key", i.media_key},
          {"alt", i.alt},
          {"colour", opt_json(i.colour)},
          {"position", i.position}};
}

json::object product_json(const ProductRecord& r, bool with_translations) {
  const Product& p = r.product;
  json::array tags, variants, images;
  for (const auto& t : p.tags) tags.push_back(json::string(t));
  for (const auto& v : r.variants) variants.push_back(variant_json(v));
  for (const auto& i : r.images) images.push_back(image_json(i));
  json::object out{{"id", p.id},
                   {"slug", p.slug},
                   {"title", p.title},
                   {"description", p.description},
                   {"status", p.status},
                   {"brand_id", opt_json(p.brand_id)},
                   {"category_id", opt_json(p.category_id)},
                   {"material", p.material},
                   {"fit", p.fit},
                   {"gender", p.gender},
                   {"season", p.season},
                   {"seo_title", p.seo_title},
                   {"seo_description", p.seo_description},
                   {"tags", std::move(tags)},
                   {"price", money_json(p.price.minor())},
                   {"created_at", p.created_at},
                   {"updated_at", p.updated_at},
                   {"variants", std::move(variants)},
                   {"images", std::move(images)}};
  if (with_translations) {
    json::object t;
    for (const auto& [locale, fields] : r.translations) {
      json::object f;
      for (const auto& [field, value] : fields) f[field] = value;
      t[locale] = std::move(f);
    }
    out["translations"] = std::move(t);
  }
  return out;
}

// The product with its version as an ETag, for If-Match on the next PATCH.
Response product_response(const ProductRecord& r, int status = 200) {
  Response res = http::json_response(product_json(r, true), status);
  res.headers.set("ETag", "\"" + r.product.updated_at + "\"");
  return res;
}

json::array category_tree_json(const std::vector<CategoryNode>& nodes) {
  json::array out;
  for (const auto& n : nodes) {
    json::object o = category_json(n.category);
    o["product_count"] = n.product_count;
    o["children"] = category_tree_json(n.children);
    out.push_back(std::move(o));
  }
  return out;
}

Result<int> int_param(const Request& req, const char* name, int fallback, int lo, int hi) {
  auto raw = req.query_param(name);
  if (!raw) return fallback;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < lo || v > hi) {
    std::string message =
        "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    return Error::invalid("invalid_parameter", std::string(name) + " " + message,
                          {{name, message}});
  }
  return v;
}

// ---- CSV and JSON import/export ------------------------------------------------------------

// The export's columns, Shopify-like: one row per variant, product fields repeated on each.
const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = {
      "slug",   "title",       "status",           "category", "brand",
      "tags",   "description", "material",         "fit",      "gender",
      "season", "seo_title",   "seo_description",  "sku",      "size",
      "colour", "price",       "compare_at_price", "barcode",  "weight_grams",
      "on_hand"};
  return columns;
}

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

// Rows of a CSV import grouped into products: consecutive or not, rows with the same slug are
// one product; product columns are read from its first row. Row numbers are CSV record numbers
// with the header as row 1, which is what a spreadsheet shows.
Result<std::vector<ImportProduct>> products_from_csv(const std::string& text,
                                                     std::vector<ImportRowError>& errors) {
  csv::Limits limits;
  limits.max_records = kMaxImportRows + 1;
  auto records = csv::parse(text, limits);
  if (!records) return records.error();
  if (records->empty())
    return Error::unprocessable("empty_import", "the CSV has no header row",
                                {{"body", "needs a header row and at least one row"}});
  std::map<std::string, size_t> column;
  const auto& header = (*records)[0];
  std::set<std::string> known(csv_columns().begin(), csv_columns().end());
  for (size_t i = 0; i < header.size(); ++i) {
    if (!known.count(header[i]))
      return Error::unprocessable("unknown_column", "unknown CSV column '" + header[i] + "'",
                                  {{header[i], "is not an import column"}});
    column[header[i]] = i;
  }
  if (!column.count("slug"))
    return Error::unprocessable("missing_column", "the CSV needs a slug column",
                                {{"slug", "column is required"}});
  std::vector<ImportProduct> out;
  std::map<std::string, size_t> by_slug;
  for (size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    int64_t row = static_cast<int64_t>(r + 1);
    if (rec.size() != header.size()) {
      errors.push_back({row, "row", "wrong_field_count",
                        "has " + std::to_string(rec.size()) + " fields, the header has " +
                            std::to_string(header.size())});
      continue;
    }
    auto cell = [&](const char* name) -> std::optional<std::string> {
      auto it = column.find(name);
      if (it == column.end()) return std::nullopt;
      return rec[it->second];
    };
    auto nonempty = [&](const char* name) -> std::optional<std::string> {
      auto v = cell(name);
      if (!v || v->empty()) return std::nullopt;
      return v;
    };
    std::string slug = cell("slug").value_or("");
    auto [it, fresh] = by_slug.emplace(slug, out.size());
    if (fresh) {
      ImportProduct p;
      p.row = row;
      p.product.slug = slug;
      p.product.title = nonempty("title");
      p.product.status = nonempty("status");
      p.category_slug = cell("category");
      p.brand_slug = cell("brand");
      if (auto tags = cell("tags")) p.product.tags = split_tags(*tags);
      p.product.description = cell("description");
      p.product.material = cell("material");
      p.product.fit = cell("fit");
      p.product.gender = cell("gender");
      p.product.season = cell("season");
      p.product.seo_title = cell("seo_title");
      p.product.seo_description = cell("seo_description");
      out.push_back(std::move(p));
    }
    if (!nonempty("sku")) continue;  // a product row without a variant
    ImportVariant v;
    v.row = row;
    v.variant.sku = nonempty("sku");
    v.variant.size = nonempty("size");
    v.variant.colour = nonempty("colour");
    bool bad = false;
    auto price = [&](const char* name) -> std::optional<int64_t> {
      auto amount = nonempty(name);
      if (!amount) return std::nullopt;
      auto m = Money::parse(*amount, kCurrency);
      if (!m) {
        errors.push_back({row, name, "invalid_price", "must be a decimal amount such as 49.90"});
        bad = true;
        return std::nullopt;
      }
      return m->minor();
    };
    v.variant.price_minor = price("price");
    if (auto c = cell("compare_at_price")) v.variant.compare_at_minor = price("compare_at_price");
    if (auto b = cell("barcode"))
      v.variant.barcode = b->empty() ? std::optional<std::string>() : *b;
    if (auto w = cell("weight_grams")) {
      if (w->empty()) {
        v.variant.weight_grams = std::optional<int64_t>();
      } else {
        int64_t grams = 0;
        auto [ptr, ec] = std::from_chars(w->data(), w->data() + w->size(), grams);
        if (ec != std::errc() || ptr != w->data() + w->size()) {
          errors.push_back({row, "weight_grams", "invalid_weight", "must be a whole number"});
          bad = true;
        } else {
          v.variant.weight_grams = grams;
        }
      }
    }
    if (!bad) out[it->second].variants.push_back(std::move(v));
  }
  return out;
}

// A JSON import is {"products": [...]} with each product as the admin API writes it (variants
// inside, category and brand by slug); the row is the product's index from 1.
Result<std::vector<ImportProduct>> products_from_json(const Request& req,
                                                      std::vector<ImportRowError>& errors) {
  auto body = object_body(req);
  if (!body) return body.error();
  const json::value* products = body->if_contains("products");
  if (!products || !products->is_array())
    return Error::unprocessable("invalid_field", "products must be an array",
                                {{"products", "must be an array of products"}});
  if (products->get_array().size() > kMaxImportRows)
    return Error::too_large("import_too_large",
                            "at most " + std::to_string(kMaxImportRows) + " products per import");
  std::vector<ImportProduct> out;
  int64_t row = 0;
  for (const auto& item : products->get_array()) {
    ++row;
    if (!item.is_object()) {
      errors.push_back({row, "product", "invalid_field", "must be an object"});
      continue;
    }
    json::object o = item.get_object();
    ImportProduct p;
    p.row = row;
    // Exported documents carry what an import cannot set; they are ignored so that an export
    // imports back unchanged.
    for (const char* ignored : {"id", "price", "created_at", "updated_at", "images", "category_id",
                                "brand_id", "translations"})
      o.erase(ignored);
    std::vector<FieldError> problems;
    std::string code;
    BodyReader r(o, "", problems, code);
    p.category_slug = r.text("category");
    p.brand_slug = r.text("brand");
    const json::array* variants = r.array("variants");
    std::optional<std::string> unused;
    json::object rest = o;
    rest.erase("category");
    rest.erase("brand");
    rest.erase("variants");
    p.product = read_product(rest, "", problems, code, false, &unused);
    if (variants)
      for (const auto& v : *variants) {
        if (!v.is_object()) {
          problems.push_back({"variants", "must be objects"});
          continue;
        }
        json::object vo = v.get_object();
        for (const char* ignored : {"id", "in_stock", "on_hand"}) vo.erase(ignored);
        BodyReader vr(vo, "", problems, code);
        p.variants.push_back({row, read_variant(vr)});
      }
    if (!problems.empty()) {
      for (auto& f : problems) errors.push_back({row, f.field, code, f.message});
      continue;
    }
    out.push_back(std::move(p));
  }
  return out;
}

json::object report_json(const ImportReport& r) {
  json::array errors;
  for (const auto& e : r.errors)
    errors.push_back(
        json::object{{"row", e.row}, {"field", e.field}, {"code", e.code}, {"message", e.message}});
  return {{"written", r.written},
          {"products_created", r.products_created},
          {"products_updated", r.products_updated},
          {"variants_created", r.variants_created},
          {"variants_updated", r.variants_updated},
          {"products_failed", r.products_failed},
          {"errors", std::move(errors)}};
}

Result<std::string> export_document(CatalogService& service, const OnHandLookup& on_hand,
                                    bool csv_format) {
  // Batches keep memory flat for big catalogs; slug order makes the file diff well.
  constexpr int kBatch = 200;
  std::string out;
  json::array products;
  if (csv_format) out = csv::format_record(csv_columns());
  auto categories = service.staff_categories();
  if (!categories) return categories.error();
  auto brands = service.staff_brands();
  if (!brands) return brands.error();
  auto category_slug = [&](const std::optional<std::string>& id) {
    if (id)
      for (const auto& c : *categories)
        if (c.id == *id) return c.slug;
    return std::string();
  };
  auto brand_slug = [&](const std::optional<std::string>& id) {
    if (id)
      for (const auto& b : *brands)
        if (b.id == *id) return b.slug;
    return std::string();
  };
  std::string after;
  for (;;) {
    auto batch = service.export_batch(after, kBatch);
    if (!batch) return batch.error();
    if (batch->empty()) break;
    after = batch->back().product.slug;
    std::map<std::string, int64_t> units;
    if (on_hand) {
      std::vector<std::string> ids;
      for (const auto& r : *batch)
        for (const auto& v : r.variants) ids.push_back(v.id);
      auto found = on_hand(ids);
      if (!found) return found.error();
      units = std::move(*found);
    }
    for (const auto& r : *batch) {
      const Product& p = r.product;
      if (!csv_format) {
        json::object o = product_json(r, false);
        o["category"] = category_slug(p.category_id);
        o["brand"] = brand_slug(p.brand_id);
        for (auto& v : o["variants"].as_array())
          v.as_object()["on_hand"] = units[std::string(v.as_object()["id"].as_string())];
        products.push_back(std::move(o));
        continue;
      }
      std::vector<std::string> product_cells = {p.slug,
                                                p.title,
                                                p.status,
                                                category_slug(p.category_id),
                                                brand_slug(p.brand_id),
                                                join_tags(p.tags),
                                                p.description,
                                                p.material,
                                                p.fit,
                                                p.gender,
                                                p.season,
                                                p.seo_title,
                                                p.seo_description};
      if (r.variants.empty()) {
        csv::Record rec = product_cells;
        rec.resize(csv_columns().size());
        out += csv::format_record(rec);
      }
      for (const auto& v : r.variants) {
        csv::Record rec = product_cells;
        rec.push_back(v.sku);
        rec.push_back(v.size);
        rec.push_back(v.colour);
        rec.push_back(Money(v.price_minor, kCurrency).decimal());
        rec.push_back(v.compare_at_minor ? Money(*v.compare_at_minor, kCurrency).decimal() : "");
        rec.push_back(v.barcode.value_or(""));
        rec.push_back(v.weight_grams ? std::to_string(*v.weight_grams) : "");
        rec.push_back(std::to_string(units[v.id]));
        out += csv::format_record(rec);
      }
    }
  }
  if (!csv_format) return json::serialize(json::object{{"products", std::move(products)}});
  return out;
}

Result<bool> format_param(const Request& req) {  // true: CSV
  auto raw = req.query_param("format").value_or("json");
  if (raw == "csv") return true;
  if (raw == "json") return false;
  return Error::invalid("invalid_parameter", "format must be csv or json",
                        {{"format", "must be csv or json"}});
}

// The version a PATCH expects: If-Match ("<updated_at>", weak or strong) or the body's
// updated_at.
std::optional<std::string> expected_version(const Request& req,
                                            const std::optional<std::string>& from_body) {
  if (auto header = req.headers.get("If-Match")) {
    std::string_view v = *header;
    if (v.substr(0, 2) == "W/") v.remove_prefix(2);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v != "*") return std::string(v);
  }
  return from_body;
}

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

}  // namespace

std::vector<std::string> split_tags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string tag = text.substr(start, comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.erase(0, 1);
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (!tag.empty()) out.push_back(tag);
    start = comma + 1;
  }
  return out;
}

Result<std::vector<ImportProduct>> import_rows_from_csv(const std::string& text,
                                                        std::vector<ImportRowError>& errors) {
  auto products = products_from_csv(text, errors);
  if (!products && products.error().code == "csv_too_large") {
    Error e = products.error();
    e.code = "import_too_large";
    return e;
  }
  return products;
}

Result<std::string> export_csv(CatalogService& service, const OnHandLookup& on_hand) {
  return export_document(service, on_hand, true);
}

void add_staff_routes(http::Router& router, CatalogService& service,
                      const http::StaffAccess& access, OnHandLookup on_hand) {
  // Every route goes through the staff door as part of the catalog area.
  auto add = [&router, &access](const char* method, const char* pattern, http::Handler handler,
                                http::RouteOptions options = {}) {
    http::add_staff_route(router, access, "catalog", method, pattern, std::move(handler), options);
  };
  constexpr http::RouteOptions kSmallBody{.body_limit = 256 * 1024};

  // -- categories
  add("GET", "/api/v1/admin/categories", [&service](const Request& req) {
    auto list = service.staff_categories();
    if (!list) return fail(list.error(), req);
    auto tree = service.category_tree();
    if (!tree) return fail(tree.error(), req);
    json::array items;
    for (const auto& c : *list) items.push_back(category_json(c));
    return http::json_response({{"items", std::move(items)}, {"tree", category_tree_json(*tree)}});
  });
  auto category_input = [](const json::object& o, std::vector<FieldError>& errors,
                           std::string& code) {
    BodyReader r(o, "", errors, code);
    CategoryInput in;
    in.slug = r.text("slug");
    in.name = r.text("name");
    in.parent_id = r.nullable_text("parent_id");
    in.position = r.integer("position");
    r.refuse_others();
    return in;
  };
  add(
      "POST", "/api/v1/admin/categories",
      [&service, category_input](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = category_input(*body, errors, code);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto made = service.create_category(in);
        if (!made) return fail(made.error(), req);
        return http::json_response(category_json(*made), 201);
      },
      kSmallBody);
  add(
      "PATCH", "/api/v1/admin/categories/{id}",
      [&service, category_input](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = category_input(*body, errors, code);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.update_category(std::string(req.param("id")), in);
        if (!done) return fail(done.error(), req);
        return http::json_response(category_json(*done));
      },
      kSmallBody);
  add("DELETE", "/api/v1/admin/categories/{id}", [&service](const Request& req) {
    if (auto done = service.delete_category(std::string(req.param("id"))); !done)
      return fail(done.error(), req);
    return Response{204, {}, {}};
  });

  // -- brands
  add("GET", "/api/v1/admin/brands", [&service](const Request& req) {
    auto list = service.staff_brands();
    if (!list) return fail(list.error(), req);
    json::array items;
    for (const auto& b : *list) items.push_back(brand_json(b));
    return http::json_response({{"items", std::move(items)}});
  });
  auto brand_input = [](const json::object& o, std::vector<FieldError>& errors, std::string& code) {
    BodyReader r(o, "", errors, code);
    BrandInput in;
    in.slug = r.text("slug");
    in.name = r.text("name");
    r.refuse_others();
    return in;
  };
  add(
      "POST", "/api/v1/admin/brands",
      [&service, brand_input](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = brand_input(*body, errors, code);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto made = service.create_brand(in);
        if (!made) return fail(made.error(), req);
        return http::json_response(brand_json(*made), 201);
      },
      kSmallBody);
  add(
      "PATCH", "/api/v1/admin/brands/{id}",
      [&service, brand_input](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = brand_input(*body, errors, code);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.update_brand(std::string(req.param("id")), in);
        if (!done) return fail(done.error(), req);
        return http::json_response(brand_json(*done));
      },
      kSmallBody);
  add("DELETE", "/api/v1/admin/brands/{id}", [&service](const Request& req) {
    if (auto done = service.delete_brand(std::string(req.param("id"))); !done)
      return fail(done.error(), req);
    return Response{204, {}, {}};
  });

  // -- option values (sizes and colours)
  add("GET", "/api/v1/admin/options", [&service](const Request& req) {
    auto list = service.staff_option_values();
    if (!list) return fail(list.error(), req);
    json::array sizes, colours;
    for (const auto& o : *list) (o.option == "size" ? sizes : colours).push_back(option_json(o));
    return http::json_response({{"size", std::move(sizes)}, {"colour", std::move(colours)}});
  });
  auto option_input = [](const json::object& o, std::vector<FieldError>& errors,
                         std::string& code) {
    BodyReader r(o, "", errors, code);
    OptionValueInput in;
    in.code = r.text("code");
    in.label = r.text("label");
    in.swatch_hex = r.nullable_text("swatch_hex");
    in.position = r.integer("position");
    r.refuse_others();
    return in;
  };
  add(
      "POST", "/api/v1/admin/options/{option}",
      [&service, option_input](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = option_input(*body, errors, code);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto made = service.create_option_value(std::string(req.param("option")), in);
        if (!made) return fail(made.error(), req);
        return http::json_response(option_json(*made), 201);
      },
      kSmallBody);
  add(
      "PATCH", "/api/v1/admin/options/{option}/{code}",
      [&service, option_input](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = option_input(*body, errors, code);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.update_option_value(std::string(req.param("option")),
                                                std::string(req.param("code")), in);
        if (!done) return fail(done.error(), req);
        return http::json_response(option_json(*done));
      },
      kSmallBody);

  // -- products
  add("GET", "/api/v1/admin/products", [&service](const Request& req) {
    StaffProductQuery q;
    auto page = int_param(req, "page", 1, 1, 1'000'000);
    if (!page) return fail(page.error(), req);
    auto per_page = int_param(req, "per_page", 50, 1, 200);
    if (!per_page) return fail(per_page.error(), req);
    q.page = *page;
    q.per_page = *per_page;
    q.status = req.query_param("status");
    if (q.status && *q.status != "draft" && *q.status != "active" && *q.status != "archived")
      return fail(Error::invalid("invalid_parameter", "status must be draft, active or archived",
                                 {{"status", "must be draft, active or archived"}}),
                  req);
    q.q = req.query_param("q").value_or("");
    if (q.q.size() > 200)
      return fail(Error::invalid("invalid_parameter", "q is longer than 200 characters",
                                 {{"q", "must be at most 200 characters"}}),
                  req);
    auto found = service.staff_products(q);
    if (!found) return fail(found.error(), req);
    json::array items;
    for (const auto& r : found->items) items.push_back(product_json(r, false));
    return http::json_response({{"items", std::move(items)},
                                {"page", found->page},
                                {"per_page", found->per_page},
                                {"total", found->total}});
  });
  add(
      "POST", "/api/v1/admin/products",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        auto in = read_product(*body, "", errors, code, true);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto made = service.create_product(in);
        if (!made) return fail(made.error(), req);
        Response res = product_response(*made, 201);
        res.headers.set("Location", "/api/v1/admin/products/" + made->product.id);
        return res;
      },
      http::RouteOptions{.body_limit = 1024 * 1024});
  add("GET", "/api/v1/admin/products/{id}", [&service](const Request& req) {
    auto found = service.staff_product(std::string(req.param("id")));
    if (!found) return fail(found.error(), req);
    return product_response(*found);
  });
  add(
      "PATCH", "/api/v1/admin/products/{id}",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        std::optional<std::string> updated_at;
        auto in = read_product(*body, "", errors, code, false, &updated_at);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.update_product(std::string(req.param("id")), in,
                                           expected_version(req, updated_at));
        if (!done) return fail(done.error(), req);
        return product_response(*done);
      },
      kSmallBody);
  add("POST", "/api/v1/admin/products/{id}/archive", [&service](const Request& req) {
    ProductInput in;
    in.status = "archived";
    auto done = service.update_product(std::string(req.param("id")), in);
    if (!done) return fail(done.error(), req);
    return product_response(*done);
  });

  // -- variants
  add(
      "POST", "/api/v1/admin/products/{id}/variants",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        BodyReader r(*body, "", errors, code);
        auto in = read_variant(r);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto made = service.add_variant(std::string(req.param("id")), in);
        if (!made) return fail(made.error(), req);
        return http::json_response(variant_json(*made), 201);
      },
      kSmallBody);
  add(
      "PATCH", "/api/v1/admin/products/{id}/variants/{variant_id}",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        BodyReader r(*body, "", errors, code);
        auto in = read_variant(r);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.update_variant(std::string(req.param("id")),
                                           std::string(req.param("variant_id")), in);
        if (!done) return fail(done.error(), req);
        return http::json_response(variant_json(*done));
      },
      kSmallBody);
  add("DELETE", "/api/v1/admin/products/{id}/variants/{variant_id}",
      [&service](const Request& req) {
        if (auto done = service.delete_variant(std::string(req.param("id")),
                                               std::string(req.param("variant_id")));
            !done)
          return fail(done.error(), req);
        return Response{204, {}, {}};
      });

  // -- images
  add(
      "POST", "/api/v1/admin/products/{id}/images",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        BodyReader r(*body, "", errors, code);
        auto in = read_image(r);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto made = service.add_image(std::string(req.param("id")), in);
        if (!made) return fail(made.error(), req);
        return http::json_response(image_json(*made), 201);
      },
      kSmallBody);
  add(
      "PATCH", "/api/v1/admin/products/{id}/images/{image_id}",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        BodyReader r(*body, "", errors, code);
        auto in = read_image(r);
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.update_image(std::string(req.param("id")),
                                         std::string(req.param("image_id")), in);
        if (!done) return fail(done.error(), req);
        return http::json_response(image_json(*done));
      },
      kSmallBody);
  add("DELETE", "/api/v1/admin/products/{id}/images/{image_id}", [&service](const Request& req) {
    if (auto done =
            service.remove_image(std::string(req.param("id")), std::string(req.param("image_id")));
        !done)
      return fail(done.error(), req);
    return Response{204, {}, {}};
  });
  add(
      "PUT", "/api/v1/admin/products/{id}/images/order",
      [&service](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        std::vector<FieldError> errors;
        std::string code;
        BodyReader r(*body, "", errors, code);
        auto ids = r.texts("image_ids");
        r.refuse_others();
        if (!ids && errors.empty()) r.add("image_ids", "invalid_field", "is required");
        if (!errors.empty()) return fail(field_errors(errors, code), req);
        auto done = service.reorder_images(std::string(req.param("id")), *ids);
        if (!done) return fail(done.error(), req);
        json::array items;
        for (const auto& i : *done) items.push_back(image_json(i));
        return http::json_response({{"items", std::move(items)}});
      },
      kSmallBody);

  // -- bulk
  add("GET", "/api/v1/admin/products/export", [&service, on_hand](const Request& req) {
    auto csv_format = format_param(req);
    if (!csv_format) return fail(csv_format.error(), req);
    auto document = export_document(service, on_hand, *csv_format);
    if (!document) return fail(document.error(), req);
    if (!*csv_format) {
      Response res = Response::text(200, std::move(*document), "application/json");
      res.headers.set("Content-Disposition", "attachment; filename=\"products.json\"");
      return res;
    }
    Response res = Response::text(200, std::move(*document), "text/csv; charset=utf-8");
    res.headers.set("Content-Disposition", "attachment; filename=\"products.csv\"");
    return res;
  });
  add("POST", "/api/v1/admin/products/import", [&service](const Request& req) {
    auto csv_format = format_param(req);
    if (!csv_format) return fail(csv_format.error(), req);
    auto mode_text = req.query_param("mode").value_or("all_or_nothing");
    if (mode_text != "all_or_nothing" && mode_text != "best_effort")
      return fail(Error::invalid("invalid_parameter", "mode must be all_or_nothing or best_effort",
                                 {{"mode", "must be all_or_nothing or best_effort"}}),
                  req);
    ImportMode mode =
        mode_text == "best_effort" ? ImportMode::best_effort : ImportMode::all_or_nothing;
    std::vector<ImportRowError> parse_errors;
    Result<std::vector<ImportProduct>> products = *csv_format
                                                      ? products_from_csv(req.body, parse_errors)
                                                      : products_from_json(req, parse_errors);
    if (!products) {
      Error e = products.error();
      if (e.code == "csv_too_large") e.code = "import_too_large";
      return fail(e, req);
    }
    if (mode == ImportMode::all_or_nothing && !parse_errors.empty()) {
      // Nothing is written when any row is bad; the report says which.
      ImportReport report;
      report.errors = std::move(parse_errors);
      report.products_failed = static_cast<int64_t>(products->size());
      json::object body = report_json(report);
      Error e =
          Error::unprocessable("import_rejected", std::to_string(report.errors.size()) +
                                                      " rows have errors; nothing was imported");
      Response res = http::problem(e, req.request_id);
      auto problem = boost::json::parse(res.body).as_object();
      problem["report"] = std::move(body);
      res.body = json::serialize(problem);
      return res;
    }
    auto report = service.import_products(*products, mode);
    if (!report) return fail(report.error(), req);
    if (!*csv_format) {
      // A JSON product with a malformed member was never handed to the service.
      std::set<int64_t> rows;
      for (const auto& e : parse_errors) rows.insert(e.row);
      report->products_failed += static_cast<int64_t>(rows.size());
    }
    for (auto& e : parse_errors) report->errors.push_back(std::move(e));
    std::sort(report->errors.begin(), report->errors.end(),
              [](const auto& a, const auto& b) { return a.row < b.row; });
    if (mode == ImportMode::all_or_nothing && !report->written) {
      Error e =
          Error::unprocessable("import_rejected", std::to_string(report->errors.size()) +
                                                      " rows have errors; nothing was imported");
      Response res = http::problem(e, req.request_id);
      auto problem = boost::json::parse(res.body).as_object();
      problem["report"] = report_json(*report);
      res.body = json::serialize(problem);
      return res;
    }
    return http::json_response(report_json(*report));
  });
}

}  // namespace fff::catalog
