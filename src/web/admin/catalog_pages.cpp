#include "web/admin/catalog_pages.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <functional>
#include <map>
#include <set>

#include "infra/http/multipart.hpp"
#include "modules/catalog/service.hpp"
#include "modules/catalog/staff.hpp"
#include "modules/catalog/staff_api.hpp"
#include "modules/inventory/service.hpp"
#include "modules/inventory/staff.hpp"

namespace fff::web::admin {
namespace {

namespace json = boost::json;
using catalog::CatalogService;
using catalog::ProductInput;
using catalog::ProductRecord;
using http::Request;
using http::Response;

constexpr int kPerPage = 25;
constexpr size_t kImportBodyLimit = 8 << 20;

struct Pages {
  const Admin& admin;
  CatalogService& catalog;
  inventory::InventoryService& inventory;
};

std::string not_imported(const std::vector<catalog::ImportRowError>& errors) {
  std::set<int64_t> rows;
  for (const auto& e : errors) rows.insert(e.row);
  return (rows.size() == 1 ? std::string("1 row has")
                           : std::to_string(rows.size()) + " rows have") +
         " errors; nothing was imported.";
}

std::string when(const std::string& iso) {  // "2026-11-26T13:59:10.123Z" → "2026-11-26 13:59"
  if (iso.size() < 16) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string money(int64_t minor) {
  return Site::money(Money(minor, CatalogService::kShopCurrency));
}

std::string decimal(int64_t minor) {
  return Money(minor, CatalogService::kShopCurrency).decimal();
}

std::optional<int64_t> parse_price(const std::string& text) {
  auto m = Money::parse(text, CatalogService::kShopCurrency);
  if (!m) return std::nullopt;
  return m->minor();
}

std::optional<int64_t> parse_count(const std::string& text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

std::string slugify(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 120) out.resize(120);
  return out;
}

std::string sku_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') out.push_back(c);
  }
  return out;
}

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ", ") + t;
  return out;
}

std::string status_label(const std::string& s) {
  if (s == "active") return "Active";
  if (s == "archived") return "Archived";
  return "Draft";
}

std::string status_badge(const std::string& s) {
  if (s == "active") return "text-bg-success";
  if (s == "archived") return "text-bg-secondary";
  return "text-bg-warning";
}

// Categories as select options, children indented under their parent.
json::array category_options(const std::vector<catalog::Category>& all,
                             const std::string& selected) {
  json::array out;
  std::function<void(const std::optional<std::string>&, int)> walk =
      [&](const std::optional<std::string>& parent, int depth) {
        std::vector<const catalog::Category*> level;
        for (const auto& c : all)
          if (c.parent_id == parent) level.push_back(&c);
        std::sort(level.begin(), level.end(), [](auto* a, auto* b) {
          return a->position != b->position ? a->position < b->position : a->name < b->name;
        });
        for (const auto* c : level) {
          std::string indent;
          for (int i = 0; i < depth; ++i) indent += "\u2014 ";
          out.push_back(
              {{"value", c->id}, {"label", indent + c->name}, {"selected", c->id == selected}});
          if (depth < 8) walk(c->id, depth + 1);
        }
      };
  walk(std::nullopt, 0);
  return out;
}

json::array brand_options(const std::vector<catalog::Brand>& all, const std::string& selected) {
  std::vector<const catalog::Brand*> sorted;
  for (const auto& b : all) sorted.push_back(&b);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  json::array out;
  for (const auto* b : sorted)
    out.push_back({{"value", b->id}, {"label", b->name}, {"selected", b->id == selected}});
  return out;
}

json::array status_options(const std::string& selected, bool with_any) {
  json::array out;
  if (with_any)
    out.push_back({{"value", ""}, {"label", "Any status"}, {"selected", selected.empty()}});
  for (const char* s : {"draft", "active", "archived"})
    out.push_back({{"value", s}, {"label", status_label(s)}, {"selected", selected == s}});
  return out;
}

std::string label_of(const std::vector<catalog::OptionValue>& options, const std::string& option,
                     const std::string& code) {
  for (const auto& o : options)
    if (o.option == option && o.code == code) return o.label;
  return code;
}

// The sizes and colours as checkboxes (`checked` codes ticked).
json::array option_boxes(const std::vector<catalog::OptionValue>& options,
                         const std::string& option, const std::set<std::string>& checked) {
  std::vector<const catalog::OptionValue*> list;
  for (const auto& o : options)
    if (o.option == option) list.push_back(&o);
  std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->position < b->position; });
  json::array out;
  for (const auto* o : list) {
    json::object box{{"code", o->code},
                     {"label", o->label},
                     {"id", option + "-" + o->code},
                     {"checked", checked.count(o->code) > 0}};
    if (o->swatch_hex) box["swatch"] = *o->swatch_hex;
    out.push_back(std::move(box));
  }
  return out;
}

// One text field for _catalog_input: {id, name, value, error}.
json::object field(const std::string& name, const std::string& value, const FormErrors& errors) {
  json::object f{{"id", "product-" + name}, {"name", name}, {"value", value}};
  if (auto it = errors.fields.find(name); it != errors.fields.end()) f["error"] = it->second;
  return f;
}

// What the product form shows: the record's values, or what was submitted.
struct ProductFormValues {
  std::string title, slug, description, category_id, brand_id, tags, status, seo_title,
      seo_description, updated_at;
};

ProductFormValues values_of(const catalog::Product& p) {
  return {p.title,
          p.slug,
          p.description,
          p.category_id.value_or(""),
          p.brand_id.value_or(""),
          join_tags(p.tags),
          p.status,
          p.seo_title,
          p.seo_description,
          p.updated_at};
}

ProductFormValues values_of(const Form& f) {
  return {f.get("title"),           f.get("slug"),      f.get("description"), f.get("category_id"),
          f.get("brand_id"),        f.get("tags"),      f.get("status"),      f.get("seo_title"),
          f.get("seo_description"), f.get("updated_at")};
}

ProductInput input_of(const ProductFormValues& v, bool creating) {
  ProductInput in;
  in.title = v.title;
  in.slug = v.slug.empty() && creating ? slugify(v.title) : v.slug;
  in.description = v.description;
  in.category_id = v.category_id.empty() ? std::optional<std::string>() : v.category_id;
  in.brand_id = v.brand_id.empty() ? std::optional<std::string>() : v.brand_id;
  in.tags = catalog::split_tags(v.tags);
  in.status = v.status.empty() ? std::string("draft") : v.status;
  in.seo_title = v.seo_title;
  in.seo_description = v.seo_description;
  return in;
}

// A service error as form errors: fields by name, anything else in the summary.
FormErrors errors_of(const Error& e) {
  if (e.fields.empty()) {
    FormErrors out;
    out.summary = e.message;
    return out;
  }
  FormErrors out = Admin::form_errors(e);
  // Tags are one field here; variants[i].x of a new product are the generation fields.
  std::map<std::string, std::string> mapped;
  for (const auto& [name, message] : out.fields) {
    std::string key = name;
    if (key.rfind("tags[", 0) == 0) key = "tags";
    if (key.rfind("variants[", 0) == 0) {
      std::string rest = key.substr(key.find(']') + 1);
      if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
      if (rest == "price")
        key = "price";
      else if (rest == "compare_at_price")
        key = "compare_at";
      else if (rest == "sku")
        key = "sku_prefix";
      else
        key = "variants";
    }
    mapped.emplace(key, message);
  }
  out.fields = std::move(mapped);
  return out;
}

struct Reference {
  std::vector<catalog::Category> categories;
  std::vector<catalog::Brand> brands;
  std::vector<catalog::OptionValue> options;
};

Result<Reference> reference(CatalogService& catalog) {
  Reference ref;
  auto categories = catalog.staff_categories();
  if (!categories) return categories.error();
  auto brands = catalog.staff_brands();
  if (!brands) return brands.error();
  auto options = catalog.staff_option_values();
  if (!options) return options.error();
  ref.categories = std::move(*categories);
  ref.brands = std::move(*brands);
  ref.options = std::move(*options);
  return ref;
}

Response failure(const Pages& p, const Request& req, const StaffContext& ctx, const Error& e) {
  if (e.kind == ErrorKind::not_found) return p.admin.not_found(req, ctx, "product");
  if (e.kind == ErrorKind::forbidden) return p.admin.forbidden(req, ctx, e);
  json::object d{{"message", e.message}};
  return p.admin.render(req, ctx, 500, "catalog_error", std::move(d),
                        AdminPage{.title = "Something went wrong",
                                  .section = "products",
                                  .crumbs = {},
                                  .own_heading = true});
}

// ---- list ------------------------------------------------------------------------------------

Response list_page(const Pages& p, const Request& req, const StaffContext& ctx) {
  catalog::StaffProductQuery q;
  q.per_page = kPerPage;
  std::string status = req.query_param("status").value_or("");
  if (status == "draft" || status == "active" || status == "archived")
    q.status = status;
  else
    status.clear();
  q.q = req.query_param("q").value_or("");
  if (q.q.size() > 200) q.q.resize(200);
  std::string category = req.query_param("category").value_or("");
  std::string brand = req.query_param("brand").value_or("");
  if (!category.empty()) q.category_id = category;
  if (!brand.empty()) q.brand_id = brand;
  int page = 1;
  if (auto n = parse_count(req.query_param("page").value_or("1")); n && *n >= 1 && *n < 100000)
    page = static_cast<int>(*n);
  q.page = page;
  auto ref = reference(p.catalog);
  if (!ref) return failure(p, req, ctx, ref.error());
  auto found = p.catalog.staff_products(q);
  if (!found) return failure(p, req, ctx, found.error());

  std::map<std::string, int64_t> stock;
  bool show_stock = ctx.can("inventory:read");
  if (show_stock) {
    std::vector<std::string> ids;
    for (const auto& r : found->items)
      for (const auto& v : r.variants) ids.push_back(v.id);
    if (auto units = p.inventory.on_hand(ids)) stock = std::move(*units);
  }
  std::map<std::string, std::string> category_names, brand_names;
  for (const auto& c : ref->categories) category_names[c.id] = c.name;
  for (const auto& b : ref->brands) brand_names[b.id] = b.name;

  json::array items;
  for (const auto& r : found->items) {
    const auto& pr = r.product;
    int64_t lo = 0, hi = 0, units = 0;
    for (size_t i = 0; i < r.variants.size(); ++i) {
      const auto& v = r.variants[i];
      if (i == 0 || v.price_minor < lo) lo = v.price_minor;
      if (i == 0 || v.price_minor > hi) hi = v.price_minor;
      units += stock[v.id];
    }
    json::object item{{"id", pr.id},
                      {"title", pr.title},
                      {"slug", pr.slug},
                      {"status", pr.status},
                      {"status_label", status_label(pr.status)},
                      {"status_badge", status_badge(pr.status)},
                      {"variants", static_cast<int64_t>(r.variants.size())},
                      {"price", r.variants.empty() ? std::string("—")
                                : lo == hi         ? money(lo)
                                                   : money(lo) + " – " + money(hi)},
                      {"stock", units},
                      {"low_stock", show_stock && !r.variants.empty() && units == 0},
                      {"updated", when(pr.updated_at)},
                      {"category", pr.category_id ? category_names[*pr.category_id] : ""},
                      {"brand", pr.brand_id ? brand_names[*pr.brand_id] : ""}};
    if (!r.images.empty()) {
      auto first = std::min_element(r.images.begin(), r.images.end(),
                                    [](auto& a, auto& b) { return a.position < b.position; });
      item["thumb"] = "/media/" + first->media_key + "/w320.webp";
      item["thumb_alt"] = first->alt;
    }
    items.push_back(std::move(item));
  }
  std::string filters = "q=" + http::percent_encode(q.q) + "&status=" + status +
                        "&category=" + http::percent_encode(category) +
                        "&brand=" + http::percent_encode(brand);
  int64_t pages = (found->total + kPerPage - 1) / kPerPage;
  json::object d{
      {"items", std::move(items)},
      {"empty", found->items.empty()},
      {"filtered", !q.q.empty() || !status.empty() || !category.empty() || !brand.empty()},
      {"total", found->total},
      {"q", q.q},
      {"statuses", status_options(status, true)},
      {"categories", category_options(ref->categories, category)},
      {"brands", brand_options(ref->brands, brand)},
      {"page_no", page},
      {"pages", std::max<int64_t>(pages, 1)},
      {"show_stock", show_stock},
      {"can_write", ctx.can("catalog:write")},
      {"back", req.target}};
  if (page > 1) d["prev"] = "/admin/products?" + filters + "&page=" + std::to_string(page - 1);
  if (page < pages) d["next"] = "/admin/products?" + filters + "&page=" + std::to_string(page + 1);
  return p.admin.render(
      req, ctx, 200, "catalog_products", std::move(d),
      AdminPage{.title = "Products", .section = "products", .crumbs = {}, .own_heading = true});
}

Response bulk_action(const Pages& p, const Request& req, const StaffContext&) {
  Form form = Form::of(req);
  std::string back = form.get("back");
  if (back.rfind("/admin/products", 0) != 0) back = "/admin/products";
  std::string action = form.get("action");
  std::string status = action == "publish"   ? "active"
                       : action == "archive" ? "archived"
                       : action == "draft"   ? "draft"
                                             : "";
  if (status.empty())
    return p.admin.redirect_with_notice(
        req, back, "Choose an action: publish, set to draft or archive", NoticeKind::danger);
  auto ids = form.all("ids");
  if (ids.empty())
    return p.admin.redirect_with_notice(req, back, "Select at least one product first",
                                        NoticeKind::warning);
  int done = 0;
  std::vector<std::string> failed;
  for (const auto& id : ids) {
    ProductInput in;
    in.status = status;
    auto r = p.catalog.update_product(id, in);
    if (r) {
      ++done;
    } else {
      auto record = p.catalog.staff_product(id);
      std::string name = record ? record->product.title : id;
      failed.push_back(
          name + " (" +
          (r.error().fields.empty() ? r.error().message : r.error().fields.front().message) + ")");
    }
  }
  std::string verb = action == "publish"   ? "published"
                     : action == "archive" ? "archived"
                                           : "set to draft";
  std::string text = std::to_string(done) + (done == 1 ? " product " : " products ") + verb;
  if (failed.empty()) return p.admin.redirect_with_notice(req, back, text);
  text += "; not changed: ";
  for (size_t i = 0; i < failed.size() && i < 5; ++i) text += (i ? ", " : "") + failed[i];
  if (failed.size() > 5) text += " and " + std::to_string(failed.size() - 5) + " more";
  return p.admin.redirect_with_notice(req, back, text,
                                      done ? NoticeKind::warning : NoticeKind::danger);
}

// ---- new product -----------------------------------------------------------------------------

Response render_new(const Pages& p, const Request& req, const StaffContext& ctx, int status,
                    const Reference& ref, const Form* form, const FormErrors& errors) {
  ProductFormValues v = form ? values_of(*form) : ProductFormValues{};
  if (!form) v.status = "draft";
  std::set<std::string> sizes, colours;
  if (form) {
    for (const auto& s : form->all("sizes")) sizes.insert(s);
    for (const auto& c : form->all("colours")) colours.insert(c);
  }
  json::object f{{"title", field("title", v.title, errors)},
                 {"slug", field("slug", v.slug, errors)},
                 {"description", field("description", v.description, errors)},
                 {"tags", field("tags", v.tags, errors)},
                 {"seo_title", field("seo_title", v.seo_title, errors)},
                 {"seo_description", field("seo_description", v.seo_description, errors)},
                 {"price", field("price", form ? form->get("price") : "", errors)},
                 {"compare_at", field("compare_at", form ? form->get("compare_at") : "", errors)},
                 {"stock", field("stock", form ? form->get("stock") : "0", errors)},
                 {"sku_prefix", field("sku_prefix", form ? form->get("sku_prefix") : "", errors)},
                 {"status", field("status", v.status, errors)},
                 {"category_id", field("category_id", v.category_id, errors)},
                 {"brand_id", field("brand_id", v.brand_id, errors)},
                 {"variants", field("variants", "", errors)}};
  json::object d{{"is_new", true},
                 {"f", std::move(f)},
                 {"errors", errors.to_json()},
                 {"categories", category_options(ref.categories, v.category_id)},
                 {"brands", brand_options(ref.brands, v.brand_id)},
                 {"statuses", status_options(v.status, false)},
                 {"sizes", option_boxes(ref.options, "size", sizes)},
                 {"colours", option_boxes(ref.options, "colour", colours)},
                 {"can_stock", ctx.can("inventory:write")},
                 {"can_write", ctx.can("catalog:write")},
                 {"action", "/admin/products/new"}};
  return p.admin.render(req, ctx, status, "catalog_product", std::move(d),
                        AdminPage{.title = "New product",
                                  .section = "products",
                                  .crumbs = {{"Products", "/admin/products"}},
                                  .own_heading = true});
}

Response new_page(const Pages& p, const Request& req, const StaffContext& ctx) {
  auto ref = reference(p.catalog);
  if (!ref) return failure(p, req, ctx, ref.error());
  return render_new(p, req, ctx, 200, *ref, nullptr, {});
}

Response create_product(const Pages& p, const Request& req, const StaffContext& ctx) {
  Form form = Form::of(req);
  auto ref = reference(p.catalog);
  if (!ref) return failure(p, req, ctx, ref.error());
  FormErrors errors;
  ProductInput in = input_of(values_of(form), true);
  auto sizes = form.all("sizes");
  auto colours = form.all("colours");
  std::optional<int64_t> price, compare_at, stock = 0;
  if (!sizes.empty() || !colours.empty()) {
    if (sizes.empty()) errors.fields["variants"] = "Choose at least one size as well";
    if (colours.empty()) errors.fields["variants"] = "Choose at least one colour as well";
    price = parse_price(form.get("price"));
    if (!price) errors.fields["price"] = "Enter a price such as 49.90";
    if (!form.get("compare_at").empty()) {
      compare_at = parse_price(form.get("compare_at"));
      if (!compare_at)
        errors.fields["compare_at"] = "Enter a price such as 59.90, or leave it empty";
    }
    if (!form.get("stock").empty()) {
      stock = parse_count(form.get("stock"));
      if (!stock) errors.fields["stock"] = "Enter a whole number of units (0 or more)";
    }
  }
  std::string prefix = sku_part(form.get("sku_prefix"));
  if (prefix.empty()) prefix = sku_part(in.slug.value_or(""));
  if (prefix.size() > 40) prefix.resize(40);
  if (errors.fields.empty()) {
    for (const auto& colour : colours)
      for (const auto& size : sizes) {
        catalog::VariantInput v;
        v.sku = prefix + "-" + sku_part(colour) + "-" + sku_part(size);
        v.size = size;
        v.colour = colour;
        v.price_minor = price;
        if (compare_at) v.compare_at_minor = compare_at;
        in.variants.push_back(std::move(v));
      }
  }
  if (!errors.fields.empty()) {
    errors.summary = "Please fix the fields marked below.";
    return render_new(p, req, ctx, 422, *ref, &form, errors);
  }
  auto made = p.catalog.create_product(in);
  if (!made) {
    if (made.error().kind == ErrorKind::internal || made.error().kind == ErrorKind::unavailable)
      return failure(p, req, ctx, made.error());
    FormErrors e = errors_of(made.error());
    if (e.summary.empty()) e.summary = "The product was not created: " + made.error().message;
    return render_new(p, req, ctx, made.error().kind == ErrorKind::conflict ? 409 : 422, *ref,
                      &form, e);
  }
  std::string notice = "Product created";
  if (stock && *stock > 0 && ctx.can("inventory:write")) {
    for (const auto& v : made->variants) {
      inventory::StockAdjustment a;
      a.variant_id = v.id;
      a.delta = *stock;
      a.reason = "receipt";
      a.note = "initial stock (admin product editor)";
      a.actor = ctx.who->account_id;
      if (auto r = p.inventory.adjust(a); !r)
        notice = "Product created, but stock: " + r.error().message;
    }
  }
  return p.admin.redirect_with_notice(
      req, "/admin/products/" + made->product.id, notice,
      notice == "Product created" ? NoticeKind::success : NoticeKind::warning);
}

// ---- editor ----------------------------------------------------------------------------------

struct VariantRow {
  std::string id, sku, price, compare_at, stock, stock_was;
};

std::vector<VariantRow> rows_of(const Form& form) {
  auto ids = form.all("v_id");
  auto skus = form.all("v_sku");
  auto prices = form.all("v_price");
  auto compares = form.all("v_compare_at");
  auto stocks = form.all("v_stock");
  auto stocks_was = form.all("v_stock_was");
  std::vector<VariantRow> out;
  auto at = [](const std::vector<std::string>& list, size_t i) {
    if (i >= list.size()) return std::string();
    std::string s = list[i];
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  };
  for (size_t i = 0; i < ids.size() && i < 500; ++i)
    out.push_back({at(ids, i), at(skus, i), at(prices, i), at(compares, i), at(stocks, i),
                   at(stocks_was, i)});
  return out;
}

Response render_editor(const Pages& p, const Request& req, const StaffContext& ctx, int status,
                       const Reference& ref, const ProductRecord& record, const Form* form,
                       const FormErrors& errors) {
  const auto& pr = record.product;
  ProductFormValues v = form ? values_of(*form) : values_of(pr);
  // The version the next save is checked against: always the record shown (a form is only shown
  // again after the conflict check passed, or with the record as it is after a partial save).
  v.updated_at = pr.updated_at;
  std::map<std::string, VariantRow> submitted;
  if (form)
    for (auto& row : rows_of(*form)) submitted[row.id] = row;
  bool show_stock = ctx.can("inventory:read");
  std::map<std::string, int64_t> stock;
  if (show_stock) {
    std::vector<std::string> ids;
    for (const auto& var : record.variants) ids.push_back(var.id);
    if (auto units = p.inventory.on_hand(ids)) stock = std::move(*units);
  }
  json::array variants;
  std::set<std::string> have_sizes, have_colours;
  for (const auto& var : record.variants) {
    have_sizes.insert(var.size);
    have_colours.insert(var.colour);
    VariantRow row{var.id,
                   var.sku,
                   decimal(var.price_minor),
                   var.compare_at_minor ? decimal(*var.compare_at_minor) : "",
                   std::to_string(stock[var.id]),
                   std::to_string(stock[var.id])};
    if (auto it = submitted.find(var.id); it != submitted.end()) row = it->second;
    json::object o{{"id", var.id},
                   {"sku", row.sku},
                   {"size", label_of(ref.options, "size", var.size)},
                   {"colour", label_of(ref.options, "colour", var.colour)},
                   {"price", row.price},
                   {"compare_at", row.compare_at},
                   {"stock", row.stock},
                   {"stock_was", row.stock_was},
                   {"in_stock", var.in_stock}};
    for (const char* name : {"sku", "price", "compare_at", "stock"}) {
      auto it = errors.fields.find("variant." + var.id + "." + name);
      if (it != errors.fields.end()) o[std::string(name) + "_error"] = it->second;
    }
    variants.push_back(std::move(o));
  }
  std::vector<catalog::Image> images = record.images;
  std::sort(images.begin(), images.end(),
            [](const auto& a, const auto& b) { return a.position < b.position; });
  json::array image_list;
  for (size_t i = 0; i < images.size(); ++i)
    image_list.push_back({{"id", images[i].id},
                          {"url", "/media/" + images[i].media_key + "/w320.webp"},
                          {"alt", images[i].alt},
                          {"n", static_cast<int64_t>(i + 1)},
                          {"first", i == 0},
                          {"last", i + 1 == images.size()}});
  json::object f{{"title", field("title", v.title, errors)},
                 {"slug", field("slug", v.slug, errors)},
                 {"description", field("description", v.description, errors)},
                 {"tags", field("tags", v.tags, errors)},
                 {"seo_title", field("seo_title", v.seo_title, errors)},
                 {"seo_description", field("seo_description", v.seo_description, errors)},
                 {"status", field("status", v.status, errors)},
                 {"category_id", field("category_id", v.category_id, errors)},
                 {"brand_id", field("brand_id", v.brand_id, errors)},
                 {"price", field("price", "", errors)},
                 {"stock", field("stock", "0", errors)}};
  json::object d{{"is_new", false},
                 {"id", pr.id},
                 {"product_title", pr.title},
                 {"status_label", status_label(pr.status)},
                 {"status_badge", status_badge(pr.status)},
                 {"preview", "/p/" + pr.slug},
                 {"live", pr.status == "active"},
                 {"updated_at", v.updated_at},
                 {"updated", when(pr.updated_at)},
                 {"f", std::move(f)},
                 {"errors", errors.to_json()},
                 {"categories", category_options(ref.categories, v.category_id)},
                 {"brands", brand_options(ref.brands, v.brand_id)},
                 {"statuses", status_options(v.status, false)},
                 {"variants", std::move(variants)},
                 {"has_variants", !record.variants.empty()},
                 {"sizes", option_boxes(ref.options, "size", have_sizes)},
                 {"colours", option_boxes(ref.options, "colour", have_colours)},
                 {"images", std::move(image_list)},
                 {"has_images", !images.empty()},
                 {"show_stock", show_stock},
                 {"can_stock", ctx.can("inventory:write")},
                 {"can_write", ctx.can("catalog:write")},
                 {"can_upload", ctx.can("media:write") && ctx.can("catalog:write")},
                 {"max_upload_mb", 20},
                 {"action", "/admin/products/" + pr.id}};
  return p.admin.render(req, ctx, status, "catalog_product", std::move(d),
                        AdminPage{.title = pr.title,
                                  .section = "products",
                                  .crumbs = {{"Products", "/admin/products"}},
                                  .own_heading = true});
}

Response editor_page(const Pages& p, const Request& req, const StaffContext& ctx) {
  auto record = p.catalog.staff_product(std::string(req.param("id")));
  if (!record) return failure(p, req, ctx, record.error());
  auto ref = reference(p.catalog);
  if (!ref) return failure(p, req, ctx, ref.error());
  return render_editor(p, req, ctx, 200, *ref, *record, nullptr, {});
}

// Someone saved the product after this form was loaded: both versions side by side, and a way
// to save one's own over theirs knowingly.
Response conflict_page(const Pages& p, const Request& req, const StaffContext& ctx,
                       const Reference& ref, const ProductRecord& theirs, const Form& form) {
  ProductFormValues mine = values_of(form);
  ProductFormValues current = values_of(theirs.product);
  auto category = [&](const std::string& id) {
    for (const auto& c : ref.categories)
      if (c.id == id) return c.name;
    return std::string("—");
  };
  auto brand = [&](const std::string& id) {
    for (const auto& b : ref.brands)
      if (b.id == id) return b.name;
    return std::string("—");
  };
  json::array rows;
  auto row = [&](const char* label, const std::string& a, const std::string& b) {
    rows.push_back({{"label", label}, {"theirs", a}, {"mine", b}, {"differs", a != b}});
  };
  row("Title", current.title, mine.title);
  row("Slug", current.slug, mine.slug);
  row("Status", status_label(current.status), status_label(mine.status));
  row("Category", category(current.category_id), category(mine.category_id));
  row("Brand", brand(current.brand_id), brand(mine.brand_id));
  row("Tags", current.tags, mine.tags);
  row("Description", current.description, mine.description);
  row("SEO title", current.seo_title, mine.seo_title);
  row("SEO description", current.seo_description, mine.seo_description);
  std::map<std::string, const catalog::Variant*> by_id;
  for (const auto& v : theirs.variants) by_id[v.id] = &v;
  for (const auto& r : rows_of(form)) {
    auto it = by_id.find(r.id);
    if (it == by_id.end()) continue;
    const auto& v = *it->second;
    std::string name = "Variant " + v.sku;
    // Variants only where the two versions differ: a product has up to hundreds of them.
    if (v.sku != r.sku)
      rows.push_back(
          {{"label", name + " SKU"}, {"theirs", v.sku}, {"mine", r.sku}, {"differs", true}});
    if (decimal(v.price_minor) != r.price)
      rows.push_back({{"label", name + " price"},
                      {"theirs", decimal(v.price_minor)},
                      {"mine", r.price},
                      {"differs", true}});
  }
  // "Save mine anyway" posts what was submitted again, against their version.
  json::array hidden;
  for (const char* name : {"title", "slug", "description", "category_id", "brand_id", "tags",
                           "status", "seo_title", "seo_description"})
    hidden.push_back({{"name", name}, {"value", form.get(name)}});
  for (const auto& r : rows_of(form)) {
    hidden.push_back({{"name", "v_id"}, {"value", r.id}});
    hidden.push_back({{"name", "v_sku"}, {"value", r.sku}});
    hidden.push_back({{"name", "v_price"}, {"value", r.price}});
    hidden.push_back({{"name", "v_compare_at"}, {"value", r.compare_at}});
    hidden.push_back({{"name", "v_stock"}, {"value", r.stock}});
    hidden.push_back({{"name", "v_stock_was"}, {"value", r.stock_was}});
  }
  hidden.push_back({{"name", "updated_at"}, {"value", theirs.product.updated_at}});
  json::object d{{"id", theirs.product.id},
                 {"product_title", theirs.product.title},
                 {"changed_at", when(theirs.product.updated_at)},
                 {"loaded_at", when(form.get("updated_at"))},
                 {"rows", std::move(rows)},
                 {"hidden", std::move(hidden)},
                 {"action", "/admin/products/" + theirs.product.id}};
  return p.admin.render(
      req, ctx, 409, "catalog_conflict", std::move(d),
      AdminPage{.title = "Changed by someone else",
                .section = "products",
                .crumbs = {{"Products", "/admin/products"},
                           {theirs.product.title, "/admin/products/" + theirs.product.id}},
                .own_heading = false});
}

Response save_product(const Pages& p, const Request& req, const StaffContext& ctx) {
  std::string id(req.param("id"));
  auto record = p.catalog.staff_product(id);
  if (!record) return failure(p, req, ctx, record.error());
  auto ref = reference(p.catalog);
  if (!ref) return failure(p, req, ctx, ref.error());
  Form form = Form::of(req);
  std::string expected = form.get("updated_at");
  if (expected != record->product.updated_at)
    return conflict_page(p, req, ctx, *ref, *record, form);

  // Check the variant rows before writing anything.
  FormErrors errors;
  struct VariantChange {
    std::string id;
    catalog::VariantInput input;
    bool changed = false;
    std::optional<int64_t> count;
  };
  std::vector<VariantChange> changes;
  std::map<std::string, const catalog::Variant*> by_id;
  for (const auto& v : record->variants) by_id[v.id] = &v;
  bool stock_allowed = ctx.can("inventory:write");
  for (const auto& row : rows_of(form)) {
    auto it = by_id.find(row.id);
    if (it == by_id.end()) continue;
    const auto& v = *it->second;
    VariantChange c{row.id, {}, false, std::nullopt};
    std::string key = "variant." + row.id + ".";
    if (row.sku != v.sku) {
      c.input.sku = row.sku;
      c.changed = true;
    }
    auto price = parse_price(row.price);
    if (!price)
      errors.fields[key + "price"] = "Enter a price such as 49.90";
    else if (*price != v.price_minor) {
      c.input.price_minor = *price;
      c.changed = true;
    }
    if (row.compare_at.empty()) {
      if (v.compare_at_minor) {
        c.input.compare_at_minor = std::optional<int64_t>();
        c.changed = true;
      }
    } else if (auto cmp = parse_price(row.compare_at); !cmp) {
      errors.fields[key + "compare_at"] = "Enter a price, or leave it empty";
    } else if (*cmp != v.compare_at_minor.value_or(-1)) {
      c.input.compare_at_minor = *cmp;
      c.changed = true;
    }
    if (stock_allowed && row.stock != row.stock_was) {
      auto n = parse_count(row.stock);
      if (!n)
        errors.fields[key + "stock"] = "Enter a whole number of units (0 or more)";
      else
        c.count = *n;
    }
    changes.push_back(std::move(c));
  }
  if (!errors.fields.empty()) {
    errors.summary = "Please fix the fields marked below. Nothing was saved.";
    return render_editor(p, req, ctx, 422, *ref, *record, &form, errors);
  }

  auto saved = p.catalog.update_product(id, input_of(values_of(form), false), expected);
  if (!saved) {
    const Error& e = saved.error();
    if (e.code == "edit_conflict") {
      auto now = p.catalog.staff_product(id);
      if (!now) return failure(p, req, ctx, now.error());
      return conflict_page(p, req, ctx, *ref, *now, form);
    }
    if (e.kind == ErrorKind::internal || e.kind == ErrorKind::unavailable)
      return failure(p, req, ctx, e);
    FormErrors fe = errors_of(e);
    if (fe.summary.empty()) fe.summary = e.message;
    return render_editor(p, req, ctx, e.kind == ErrorKind::conflict ? 409 : 422, *ref, *record,
                         &form, fe);
  }
  // The product is saved; variants one by one (each its own write).
  FormErrors later;
  for (auto& c : changes) {
    std::string key = "variant." + c.id + ".";
    if (c.changed) {
      auto r = p.catalog.update_variant(id, c.id, c.input);
      if (!r) {
        bool placed = false;
        for (const auto& fe : r.error().fields) {
          std::string name = fe.field == "compare_at_price" ? "compare_at" : fe.field;
          later.fields[key + name] = fe.message;
          placed = true;
        }
        if (!placed) later.fields[key + "sku"] = r.error().message;
      }
    }
    if (c.count) {
      inventory::StockAdjustment a;
      a.variant_id = c.id;
      a.set_on_hand = *c.count;
      a.reason = "count";
      a.note = "admin product editor";
      a.actor = ctx.who->account_id;
      if (auto r = p.inventory.adjust(a); !r) later.fields[key + "stock"] = r.error().message;
    }
  }
  if (!later.fields.empty()) {
    auto now = p.catalog.staff_product(id);
    if (!now) return failure(p, req, ctx, now.error());
    later.summary = "The product was saved, but some variants were not: see below.";
    Form resubmitted = form;
    return render_editor(p, req, ctx, 422, *ref, *now, &resubmitted, later);
  }
  return p.admin.redirect_with_notice(req, "/admin/products/" + id, "Product saved");
}

Response add_variants(const Pages& p, const Request& req, const StaffContext& ctx) {
  std::string id(req.param("id"));
  auto record = p.catalog.staff_product(id);
  if (!record) return failure(p, req, ctx, record.error());
  Form form = Form::of(req);
  std::string back = "/admin/products/" + id;
  auto sizes = form.all("sizes");
  auto colours = form.all("colours");
  auto price = parse_price(form.get("price"));
  if (sizes.empty() || colours.empty())
    return p.admin.redirect_with_notice(req, back, "Choose at least one size and one colour",
                                        NoticeKind::danger);
  if (!price)
    return p.admin.redirect_with_notice(req, back, "Enter the new variants' price, such as 49.90",
                                        NoticeKind::danger);
  std::optional<int64_t> stock = 0;
  if (!form.get("stock").empty()) stock = parse_count(form.get("stock"));
  if (!stock)
    return p.admin.redirect_with_notice(req, back, "Stock must be a whole number (0 or more)",
                                        NoticeKind::danger);
  std::set<std::string> have;
  for (const auto& v : record->variants) have.insert(v.colour + "/" + v.size);
  std::string prefix = sku_part(record->product.slug);
  if (prefix.size() > 40) prefix.resize(40);
  int added = 0;
  std::string problem;
  for (const auto& colour : colours)
    for (const auto& size : sizes) {
      if (have.count(colour + "/" + size)) continue;
      catalog::VariantInput v;
      v.sku = prefix + "-" + sku_part(colour) + "-" + sku_part(size);
      v.size = size;
      v.colour = colour;
      v.price_minor = price;
      auto made = p.catalog.add_variant(id, v);
      if (!made) {
        problem = v.sku.value_or("") + ": " +
                  (made.error().fields.empty() ? made.error().message
                                               : made.error().fields.front().field + " " +
                                                     made.error().fields.front().message);
        continue;
      }
      ++added;
      if (*stock > 0 && ctx.can("inventory:write")) {
        inventory::StockAdjustment a;
        a.variant_id = made->id;
        a.delta = *stock;
        a.reason = "receipt";
        a.note = "initial stock (admin product editor)";
        a.actor = ctx.who->account_id;
        if (auto r = p.inventory.adjust(a); !r) problem = "stock: " + r.error().message;
      }
    }
  if (!problem.empty())
    return p.admin.redirect_with_notice(
        req, back, std::to_string(added) + " variants added; not added: " + problem,
        NoticeKind::danger);
  if (added == 0)
    return p.admin.redirect_with_notice(req, back, "Those variants exist already",
                                        NoticeKind::warning);
  return p.admin.redirect_with_notice(
      req, back, std::to_string(added) + (added == 1 ? " variant added" : " variants added"));
}

Response image_action(const Pages& p, const Request& req, const StaffContext& ctx) {
  std::string id(req.param("id"));
  std::string image_id(req.param("image_id"));
  auto record = p.catalog.staff_product(id);
  if (!record) return failure(p, req, ctx, record.error());
  std::vector<catalog::Image> images = record->images;
  std::sort(images.begin(), images.end(),
            [](const auto& a, const auto& b) { return a.position < b.position; });
  auto it =
      std::find_if(images.begin(), images.end(), [&](const auto& i) { return i.id == image_id; });
  if (it == images.end()) return p.admin.not_found(req, ctx, "image");
  Form form = Form::of(req);
  std::string action = form.get("action");
  std::string back = "/admin/products/" + id + "#images";
  if (action == "remove") {
    if (auto r = p.catalog.remove_image(id, image_id); !r)
      return p.admin.redirect_with_notice(req, back, r.error().message, NoticeKind::danger);
    return p.admin.redirect_with_notice(req, back, "Image removed");
  }
  if (action == "up" || action == "down" || action == "first") {
    size_t i = static_cast<size_t>(it - images.begin());
    if (action == "up" && i > 0) std::swap(images[i], images[i - 1]);
    if (action == "down" && i + 1 < images.size()) std::swap(images[i], images[i + 1]);
    if (action == "first") std::rotate(images.begin(), images.begin() + i, images.begin() + i + 1);
    std::vector<std::string> order;
    for (const auto& img : images) order.push_back(img.id);
    if (auto r = p.catalog.reorder_images(id, order); !r)
      return p.admin.redirect_with_notice(req, back, r.error().message, NoticeKind::danger);
    return p.admin.redirect_with_notice(req, back, "Image order saved");
  }
  catalog::ImageInput in;
  in.alt = form.get("alt");
  if (auto r = p.catalog.update_image(id, image_id, in); !r) {
    std::string message = r.error().fields.empty() ? r.error().message
                                                   : "Alt text " + r.error().fields.front().message;
    return p.admin.redirect_with_notice(req, back, message, NoticeKind::danger);
  }
  return p.admin.redirect_with_notice(req, back, "Alt text saved");
}

// ---- import / export -------------------------------------------------------------------------

Response render_import(const Pages& p, const Request& req, const StaffContext& ctx, int status,
                       json::object result) {
  json::object d{{"result", std::move(result)}, {"max_rows", 10000}};
  return p.admin.render(req, ctx, status, "catalog_import", std::move(d),
                        AdminPage{.title = "Import products",
                                  .section = "products",
                                  .crumbs = {{"Products", "/admin/products"}},
                                  .own_heading = false});
}

Response import_page(const Pages& p, const Request& req, const StaffContext& ctx) {
  return render_import(p, req, ctx, 200, {});
}

Response run_import(const Pages& p, const Request& req, const StaffContext& ctx) {
  std::string csv;
  std::string type(req.headers.get("Content-Type").value_or(""));
  if (type.find("multipart/form-data") != std::string::npos) {
    auto parts = http::parse_form_data(type, req.body);
    if (!parts)
      return render_import(p, req, ctx, 422,
                           {{"failed", true},
                            {"message", "The upload could not be read: " + parts.error().message}});
    for (const auto& part : *parts)
      if (part.name == "file" && part.filename) csv = std::string(part.body);
  } else {
    csv = Form::of(req).get("csv");
  }
  if (csv.empty())
    return render_import(
        p, req, ctx, 422,
        {{"failed", true}, {"message", "Choose a CSV file (or paste CSV) first."}});
  std::vector<catalog::ImportRowError> errors;
  auto products = catalog::import_rows_from_csv(csv, errors);
  auto report_of = [](const catalog::ImportReport& r, bool failed, const std::string& message) {
    json::array rows;
    for (const auto& e : r.errors)
      rows.push_back(
          {{"row", e.row}, {"field", e.field}, {"code", e.code}, {"message", e.message}});
    return json::object{{"failed", failed},
                        {"message", message},
                        {"written", r.written},
                        {"products_created", r.products_created},
                        {"products_updated", r.products_updated},
                        {"variants_created", r.variants_created},
                        {"variants_updated", r.variants_updated},
                        {"errors", std::move(rows)},
                        {"has_errors", !r.errors.empty()}};
  };
  if (!products) {
    catalog::ImportReport r;
    for (const auto& f : products.error().fields)
      r.errors.push_back({1, f.field, products.error().code, f.message});
    return render_import(
        p, req, ctx, 422,
        report_of(r, true, "The file was not imported: " + products.error().message));
  }
  if (!errors.empty()) {
    catalog::ImportReport r;
    r.errors = std::move(errors);
    return render_import(p, req, ctx, 422, report_of(r, true, not_imported(r.errors)));
  }
  auto report = p.catalog.import_products(*products, catalog::ImportMode::all_or_nothing);
  if (!report) {
    if (report.error().kind == ErrorKind::internal || report.error().kind == ErrorKind::unavailable)
      return failure(p, req, ctx, report.error());
    return render_import(
        p, req, ctx, 422,
        {{"failed", true}, {"message", "Nothing was imported: " + report.error().message}});
  }
  std::sort(report->errors.begin(), report->errors.end(),
            [](const auto& a, const auto& b) { return a.row < b.row; });
  if (!report->written)
    return render_import(p, req, ctx, 422, report_of(*report, true, not_imported(report->errors)));
  return render_import(p, req, ctx, 200, report_of(*report, false, "Import complete."));
}

Response export_csv(const Pages& p, const Request& req, const StaffContext& ctx) {
  auto document = catalog::export_csv(
      p.catalog, [&p](const std::vector<std::string>& ids) { return p.inventory.on_hand(ids); });
  if (!document) return failure(p, req, ctx, document.error());
  Response res = Response::text(200, std::move(*document), "text/csv; charset=utf-8");
  res.headers.set("Content-Disposition", "attachment; filename=\"products.csv\"");
  res.headers.set("Cache-Control", "no-store");
  return res;
}

}  // namespace

void add_catalog_pages(http::Router& router, const Admin& admin, CatalogPageServices services) {
  auto pages = std::make_shared<Pages>(Pages{admin, services.catalog, services.inventory});
  auto page = [&](const char* method, const char* pattern,
                  Response (*handler)(const Pages&, const Request&, const StaffContext&),
                  http::RouteOptions options = {}) {
    admin.add_page(
        router, method, pattern, "catalog",
        [pages, handler](const Request& req, const StaffContext& ctx) {
          return handler(*pages, req, ctx);
        },
        options);
  };
  page("GET", "/admin/products", list_page);
  page("POST", "/admin/products/bulk", bulk_action);
  page("GET", "/admin/products/new", new_page);
  page("POST", "/admin/products/new", create_product);
  page("GET", "/admin/products/import", import_page);
  page("POST", "/admin/products/import", run_import,
       http::RouteOptions{.body_limit = kImportBodyLimit});
  page("GET", "/admin/products/export", export_csv);
  page("GET", "/admin/products/{id}", editor_page);
  page("POST", "/admin/products/{id}", save_product);
  page("POST", "/admin/products/{id}/variants", add_variants);
  page("POST", "/admin/products/{id}/images/{image_id}", image_action);
}

}  // namespace fff::web::admin
