// The product page (/p/{slug}): gallery, colour and size choice posting to /cart/add, stock
// notes, size guide, details, related products, JSON-LD Product and BreadcrumbList.
#include <algorithm>

#include "core/money.hpp"
#include "web/storefront/catalog_views.hpp"

namespace fff::web::catalog_views {

namespace {

constexpr std::string_view kMainSizes = "(min-width: 992px) 50vw, 100vw";

// A body-measurement table for clothing sizes (cm); shoes and one-size items have their own
// notes in the strings.
struct SizeRow {
  const char* size;
  const char* chest;
  const char* waist;
  const char* hips;
};
constexpr SizeRow kSizeGuide[] = {
    {"XS", "78–82", "60–64", "84–88"},    {"S", "82–86", "64–68", "88–92"},
    {"M", "86–92", "68–74", "92–98"},     {"L", "92–98", "74–80", "98–104"},
    {"XL", "98–104", "80–86", "104–110"}, {"XXL", "104–110", "86–92", "110–116"}};

std::string shorten(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = text.rfind(' ', max - 1);
  if (cut == std::string::npos || cut < max / 2) cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + "…";
}

}  // namespace

http::Response product_page(Shared& shared, const http::Request& req) {
  return shared.site.cached(req, [&](const PageContext& ctx) {
    const Site& site = shared.site;
    const std::string& locale = ctx.locale;
    std::string slug(req.param("slug"));
    if (!catalog::valid_slug(slug)) return site.not_found(req);
    auto detail = shared.catalog.product_by_slug(slug, locale);
    if (!detail) {
      if (detail.error().kind != ErrorKind::not_found) return site.server_error(req);
      // A renamed product: old links (search engines, shared links, mails) move for good.
      auto current = shared.catalog.current_slug_for(slug);
      if (current && *current) return Site::redirect("/p/" + **current, 301);
      return site.not_found(req);
    }
    const catalog::ProductSummary& s = detail->summary;
    const catalog::Product& p = s.product;

    // stock per variant
    std::map<std::string, int64_t> units;
    bool counted = false;
    if (shared.availability) {
      std::vector<std::string> ids;
      for (const auto& v : s.variants) ids.push_back(v.id);
      if (auto found = shared.availability(ids)) {
        units = std::move(*found);
        counted = true;
      }
    }
    auto units_of = [&](const catalog::Variant& v) -> int64_t {
      if (!counted) return v.in_stock ? catalog::kLowStockThreshold + 1 : 0;
      auto it = units.find(v.id);
      return it == units.end() ? 0 : std::max<int64_t>(it->second, 0);
    };

    // colours: the one asked for (?color=), else the first with stock
    std::string wanted = req.query_param("color").value_or(req.query_param("colour").value_or(""));
    std::string selected;
    for (const auto& c : detail->colours)
      if (c.code == wanted) selected = c.code;
    if (selected.empty())
      for (const auto& c : detail->colours) {
        bool any = false;
        for (const auto& v : s.variants)
          if (v.colour == c.code && units_of(v) > 0) any = true;
        if (any) {
          selected = c.code;
          break;
        }
      }
    if (selected.empty() && !detail->colours.empty()) selected = detail->colours.front().code;

    int64_t total_units = 0;
    int64_t cheapest = -1;
    std::optional<int64_t> compare_at;
    for (const auto& v : s.variants) {
      total_units += units_of(v);
      if (cheapest < 0 || v.price_minor < cheapest) {
        cheapest = v.price_minor;
        compare_at = v.compare_at_minor;
      }
    }
    if (cheapest < 0) cheapest = p.price.minor();

    json::object data;
    data["title"] = p.title;
    data["brand"] = s.brand ? s.brand->name : "";
    data["has_brand"] = s.brand.has_value();
    data["price"] = money(cheapest);
    data["on_sale"] = false;
    data["has_low_stock"] = false;
    data["has_related"] = false;
    if (compare_at && *compare_at > cheapest) {
      data["on_sale"] = true;
      data["compare_at"] = money(*compare_at);
      int64_t off = (*compare_at - cheapest) * 100 / *compare_at;
      data["discount"] = site.t(locale, "catalog_percent_off", {{"n", std::to_string(off)}});
    }
    data["in_stock"] = total_units > 0;
    if (counted && total_units > 0 && total_units <= catalog::kLowStockThreshold) {
      data["low_stock"] =
          site.t(locale, "catalog_only_n_left", {{"n", std::to_string(total_units)}});
      data["has_low_stock"] = true;
    }
    data["description"] = p.description;
    json::array details;
    auto detail_row = [&](const char* key, const std::string& value) {
      if (!value.empty())
        details.push_back(json::object{{"label", site.t(locale, key)}, {"value", value}});
    };
    if (s.brand) detail_row("catalog_detail_brand", s.brand->name);
    detail_row("catalog_detail_material", p.material);
    detail_row("catalog_detail_fit", p.fit);
    detail_row("catalog_detail_season", p.season);
    data["has_details"] = !details.empty();
    data["details"] = std::move(details);

    // gallery
    json::array images, thumbs;
    std::string first_key;
    int index = 0;
    size_t count = s.images.size();
    // the selected colour's pictures first
    std::vector<const catalog::Image*> ordered;
    for (const auto& i : s.images)
      if (i.colour && *i.colour == selected) ordered.push_back(&i);
    for (const auto& i : s.images)
      if (!(i.colour && *i.colour == selected)) ordered.push_back(&i);
    for (const auto* i : ordered) {
      catalog::Image image = *i;
      if (image.alt.empty()) image.alt = p.title;
      bool first = index == 0;
      auto view = image_view(image, kMainSizes, first);
      std::string id = "pdp-image-" + std::to_string(index + 1);
      view["id"] = id;
      view["colour"] = image.colour.value_or("");
      images.push_back(view);
      thumbs.push_back(json::object{
          {"href", "#" + id},
          {"src", image_url(image.media_key, 320)},
          {"index", index},
          {"current", first},
          {"colour", image.colour.value_or("")},
          {"label", site.t(locale, "catalog_show_image",
                           {{"n", std::to_string(index + 1)}, {"count", std::to_string(count)}})}});
      if (first) first_key = image.media_key;
      ++index;
    }
    data["images"] = std::move(images);
    data["has_thumbs"] = count > 1;
    data["thumbs"] = std::move(thumbs);

    // colour radios and, per colour, the size radios that carry the variant id
    json::array colours, size_groups;
    std::string selected_label;
    bool single_choice = false;
    std::vector<catalog::OptionValue> colour_options = detail->colours;
    if (colour_options.empty())
      colour_options.push_back(catalog::OptionValue{
          .option = "colour", .code = "", .label = "", .swatch_hex = std::nullopt});
    std::vector<catalog::OptionValue> size_options = detail->sizes;
    if (size_options.empty())
      size_options.push_back(catalog::OptionValue{.option = "size",
                                                  .code = "",
                                                  .label = site.t(locale, "catalog_one_size"),
                                                  .swatch_hex = std::nullopt});
    for (const auto& c : colour_options) {
      bool checked = c.code == selected;
      if (checked) selected_label = c.label;
      json::array sizes;
      int64_t colour_units = 0;
      int options = 0;
      for (const auto& size : size_options) {
        const catalog::Variant* variant = nullptr;
        for (const auto& v : s.variants)
          if (v.colour == c.code && v.size == size.code) variant = &v;
        if (!variant) continue;
        int64_t n = units_of(*variant);
        colour_units += n;
        ++options;
        json::object o{{"variant_id", variant->id}, {"id", "size-" + variant->id},
                       {"label", size.label},       {"sold_out", n == 0},
                       {"checked", false},          {"required", checked},
                       {"has_note", false},         {"has_price", false}};
        if (n == 0) {
          o["note"] = site.t(locale, "catalog_sold_out");
          o["has_note"] = true;
        }
        if (counted && n > 0 && n <= catalog::kLowStockThreshold) {
          o["note"] = site.t(locale, "catalog_n_left", {{"n", std::to_string(n)}});
          o["has_note"] = true;
        }
        if (variant->price_minor != cheapest) {
          o["price"] = money(variant->price_minor);
          o["has_price"] = true;
        }
        sizes.push_back(std::move(o));
      }
      if (checked && options == 1) {
        // one size only: chosen already
        auto& only = sizes.front().as_object();
        if (!only["sold_out"].as_bool()) {
          only["checked"] = true;
          single_choice = true;
        }
      }
      colours.push_back(json::object{{"code", c.code},
                                     {"label", c.label},
                                     {"id", "colour-" + c.code},
                                     {"hex", c.swatch_hex.value_or("#cccccc")},
                                     {"checked", checked},
                                     {"sold_out", colour_units == 0},
                                     {"url", "/p/" + p.slug + "?color=" + c.code}});
      size_groups.push_back(
          json::object{{"colour", c.code},
                       {"legend", site.t(locale, "catalog_size_for", {{"colour", c.label}})},
                       {"selected", checked},
                       {"sizes", std::move(sizes)}});
    }
    data["has_colours"] = !detail->colours.empty();
    data["colours"] = std::move(colours);
    data["selected_colour_label"] = selected_label;
    data["size_groups"] = std::move(size_groups);
    data["size_chosen"] = single_choice;
    data["product_id"] = p.id;

    // size guide
    json::array guide;
    for (const auto& row : kSizeGuide)
      guide.push_back(json::object{
          {"size", row.size}, {"chest", row.chest}, {"waist", row.waist}, {"hips", row.hips}});
    data["size_guide"] = std::move(guide);

    // breadcrumbs
    std::vector<std::pair<std::string, std::string>> trail{{site.t(locale, "catalog_home"), "/"}};
    auto tree = shared.categories.get(shared.catalog, locale);
    for (const auto& c : detail->breadcrumbs) {
      const CategoryEntry* e = tree ? tree->by_slug(c.slug) : nullptr;
      trail.emplace_back(c.name, e ? e->url : "/search?q=" + url_encode(c.name));
    }
    trail.emplace_back(p.title, "/p/" + p.slug);
    data["breadcrumbs"] = breadcrumb_view(trail);

    // related: best sellers of the same category
    if (s.category) {
      catalog::ProductFilter filter;
      filter.categories = {s.category->slug};
      auto related =
          shared.catalog.list_products(filter, catalog::ProductSort::best_selling, 1, 5, locale);
      if (related) {
        json::array cards = card_views(site, locale, *related, 0, p.id);
        if (cards.size() > 4) cards.resize(4);
        data["has_related"] = !cards.empty();
        data["related"] = grid_view(std::move(cards), false);
      }
    }

    PageMeta meta;
    meta.title = p.seo_title.empty() ? p.title : p.seo_title;
    if (s.brand && p.seo_title.empty()) meta.title += " – " + s.brand->name;
    meta.description = shorten(p.seo_description.empty() ? p.description : p.seo_description, 158);
    meta.canonical = "/p/" + p.slug;
    meta.og_type = "product";
    if (!first_key.empty()) {
      meta.preload_image = image_url(first_key, kImageWidth);
      meta.preload_srcset = image_srcset(first_key);
      meta.preload_sizes = std::string(kMainSizes);
      meta.og_image = absolute_url(site, meta.preload_image);
    }
    Money price(cheapest, catalog::CatalogService::kShopCurrency);
    json::array ld_images;
    for (const auto& i : s.images)
      ld_images.push_back(json::string(absolute_url(site, image_url(i.media_key, 960))));
    json::object product{
        {"@context", "https://schema.org"},
        {"@type", "Product"},
        {"name", p.title},
        {"description", p.description},
        {"image", std::move(ld_images)},
        {"url", absolute_url(site, "/p/" + p.slug)},
        {"productID", p.id},
        {"offers",
         json::object{{"@type", "Offer"},
                      {"url", absolute_url(site, "/p/" + p.slug)},
                      {"price", price.decimal()},
                      {"priceCurrency", std::string(currency_code(price.currency()))},
                      {"itemCondition", "https://schema.org/NewCondition"},
                      {"availability", total_units > 0 ? "https://schema.org/InStock"
                                                       : "https://schema.org/OutOfStock"}}}};
    if (!s.variants.empty()) product["sku"] = s.variants.front().sku;
    if (s.brand) product["brand"] = json::object{{"@type", "Brand"}, {"name", s.brand->name}};
    if (!p.material.empty()) product["material"] = p.material;
    meta.json_ld.push_back(json_ld(product));
    meta.json_ld.push_back(breadcrumb_json_ld(site, trail));
    return site.render(req, ctx, 200, "product", std::move(data), meta);
  });
}

}  // namespace fff::web::catalog_views
