// Category listings (/c/{top}, /c/{top}/{sub}) and search results (/search?q=).
#include "web/storefront/catalog_views.hpp"

namespace fff::web::catalog_views {

namespace {

constexpr int kPerPage = 24;
constexpr int kEagerCards = 4;  // the first row is above the fold on a desktop

struct Resolved {
  const CategoryEntry* entry = nullptr;
  std::string redirect;  // the canonical URL when the request named the category another way
};

Resolved resolve(const CategoryIndex& tree, std::string_view top, std::string_view sub) {
  Resolved out;
  int t = -1;
  for (int r : tree.roots)
    if (tree.nodes[static_cast<size_t>(r)].slug == top) t = r;
  if (t < 0) {
    // /c/women-dresses: a subcategory's own slug at the top level
    if (sub.empty())
      if (const auto* e = tree.by_slug(top); e && e->parent >= 0) out.redirect = e->url;
    return out;
  }
  if (sub.empty()) {
    out.entry = &tree.nodes[static_cast<size_t>(t)];
    return out;
  }
  for (const auto& e : tree.nodes)
    if (e.top == t && e.parent >= 0 && e.short_slug == sub) {
      out.entry = &e;
      return out;
    }
  for (const auto& e : tree.nodes)
    if (e.top == t && e.parent >= 0 && e.slug == sub) {
      out.redirect = e.url;
      return out;
    }
  return out;
}

}  // namespace

http::Response category_page(Shared& shared, const http::Request& req) {
  return shared.site.cached(req, [&](const PageContext& ctx) {
    const Site& site = shared.site;
    const std::string& locale = ctx.locale;
    auto tree = shared.categories.get(shared.catalog, locale);
    if (!tree) return site.server_error(req);
    auto found = resolve(*tree, req.param("top"), req.param("sub"));
    ListingQuery query = parse_listing(req.query, false);
    if (!found.redirect.empty()) return Site::redirect(found.redirect + query_string(query), 301);
    if (!found.entry) return site.not_found(req);
    const CategoryEntry& entry = *found.entry;

    catalog::ProductFilter filter = to_filter(query);
    filter.categories = {entry.slug};
    auto page =
        shared.catalog.list_products(filter, to_sort(query, false), query.page, kPerPage, locale);
    if (!page) return site.server_error(req);
    if (page->items.empty() && query.page > 1) return site.not_found(req);

    json::object data;
    data["heading"] = entry.name;
    std::vector<std::pair<std::string, std::string>> trail{{site.t(locale, "catalog_home"), "/"}};
    {
      std::vector<const CategoryEntry*> chain;
      for (const CategoryEntry* e = &entry; e;
           e = e->parent < 0 ? nullptr : &tree->nodes[static_cast<size_t>(e->parent)])
        chain.insert(chain.begin(), e);
      for (const auto* e : chain) trail.emplace_back(e->name, e->url);
    }
    data["breadcrumbs"] = breadcrumb_view(trail);
    data["has_breadcrumbs"] = true;
    data["is_search"] = false;

    // subcategories to move to: the children, or the siblings of a leaf
    const CategoryEntry* parent_for_links = entry.children.empty() && entry.parent >= 0
                                                ? &tree->nodes[static_cast<size_t>(entry.parent)]
                                                : &entry;
    json::array subs;
    if (!entry.children.empty() || entry.parent >= 0) {
      subs.push_back(json::object{
          {"name", site.t(locale, "catalog_all_in", {{"name", parent_for_links->name}})},
          {"url", parent_for_links->url},
          {"active", parent_for_links == &entry}});
      for (int c : parent_for_links->children) {
        const auto& child = tree->nodes[static_cast<size_t>(c)];
        if (child.count == 0) continue;
        subs.push_back(
            json::object{{"name", child.name}, {"url", child.url}, {"active", &child == &entry}});
      }
    }
    data["has_subcategories"] = !subs.empty();
    data["subcategories"] = std::move(subs);

    data["grid"] = grid_view(card_views(site, locale, *page, kEagerCards), true);
    data["has_products"] = !page->items.empty();
    data["filtered"] = has_filters(query);
    data["empty_text"] = site.t(locale, "catalog_empty_category");
    add_listing_views(site, locale, entry.url, query, *page, false, data);

    PageMeta meta;
    std::string title = entry.name;
    if (entry.parent >= 0) title += " – " + tree->nodes[static_cast<size_t>(entry.top)].name;
    if (query.page > 1)
      title += " – " + site.t(locale, "catalog_page_n", {{"n", std::to_string(query.page)}});
    meta.title = title;
    meta.description = site.t(locale, "catalog_category_description",
                              {{"name", title}, {"n", std::to_string(page->total)}});
    meta.canonical = entry.url + query_string(query);
    meta.json_ld.push_back(breadcrumb_json_ld(site, trail));
    if (!page->items.empty() && !page->items.front()->images.empty())
      meta.og_image =
          absolute_url(site, image_url(page->items.front()->images.front().media_key, kImageWidth));
    return site.render(req, ctx, 200, "category", std::move(data), meta);
  });
}

http::Response search_page(Shared& shared, const http::Request& req) {
  return shared.site.cached(req, [&](const PageContext& ctx) {
    const Site& site = shared.site;
    const std::string& locale = ctx.locale;
    ListingQuery query = parse_listing(req.query, true);
    json::object data;
    data["query"] = query.q;
    data["search_query"] = query.q;  // the header's search box keeps it
    data["is_search"] = true;
    PageMeta meta;
    meta.noindex = true;
    meta.canonical = "";
    if (query.q.empty()) {
      meta.title = site.t(locale, "catalog_search_title");
      meta.description = site.t(locale, "catalog_search_description");
      data["heading"] = site.t(locale, "catalog_search_title");
      data["no_query"] = true;
      return site.render(req, ctx, 200, "category", std::move(data), meta);
    }
    meta.title = site.t(locale, "catalog_search_results_for", {{"q", query.q}});
    meta.description = site.t(locale, "catalog_search_description");
    data["heading"] = meta.title;

    auto page = shared.catalog.search_products(query.q, to_filter(query), to_sort(query, true),
                                               query.page, kPerPage, locale);
    if (!page) {
      if (page.error().kind == ErrorKind::unavailable) {
        data["unavailable"] = true;
        return site.render(req, ctx, 200, "category", std::move(data), meta);
      }
      if (page.error().kind != ErrorKind::invalid) return site.server_error(req);
      catalog::ProductPage empty;  // a page beyond the result window
      page = std::move(empty);
    }
    if (page->did_you_mean && *page->did_you_mean != query.q) {
      ListingQuery dym;
      dym.q = *page->did_you_mean;
      data["did_you_mean"] = json::object{{"text", *page->did_you_mean},
                                          {"url", "/search" + query_string(dym)},
                                          {"corrected", page->corrected}};
    }
    data["grid"] = grid_view(card_views(site, locale, *page, kEagerCards), true);
    data["has_products"] = !page->items.empty();
    data["filtered"] = has_filters(query);
    data["empty_text"] = site.t(locale, "catalog_search_no_results", {{"q", query.q}});
    add_listing_views(site, locale, "/search", query, *page, true, data);
    return site.render(req, ctx, 200, "category", std::move(data), meta);
  });
}

}  // namespace fff::web::catalog_views
