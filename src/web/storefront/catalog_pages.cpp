// The catalog's routes, the home page, the `nav` layout filler, search suggestions and the
// sitemap. Listings are in catalog_listing.cpp, the product page in catalog_product.cpp.
#include "web/storefront/catalog_pages.hpp"

#include <boost/json/serialize.hpp>
#include <set>

#include "web/storefront/catalog_views.hpp"

namespace fff::web {

namespace cv = catalog_views;
namespace json = boost::json;

namespace catalog_views {

json::array breadcrumb_view(const std::vector<std::pair<std::string, std::string>>& trail) {
  json::array out;
  for (size_t i = 0; i < trail.size(); ++i)
    out.push_back(json::object{
        {"name", trail[i].first}, {"url", trail[i].second}, {"current", i + 1 == trail.size()}});
  return out;
}

std::string breadcrumb_json_ld(const Site& site,
                               const std::vector<std::pair<std::string, std::string>>& trail) {
  json::array items;
  for (size_t i = 0; i < trail.size(); ++i)
    items.push_back(json::object{{"@type", "ListItem"},
                                 {"position", static_cast<int64_t>(i + 1)},
                                 {"name", trail[i].first},
                                 {"item", absolute_url(site, trail[i].second)}});
  return json_ld(json::object{{"@context", "https://schema.org"},
                              {"@type", "BreadcrumbList"},
                              {"itemListElement", std::move(items)}});
}

http::Response home_page(Shared& shared, const http::Request& req) {
  return shared.site.cached(req, [&](const PageContext& ctx) {
    const Site& site = shared.site;
    auto& catalog = shared.catalog;
    const std::string& locale = ctx.locale;
    json::object data;

    auto best = catalog.list_products({}, catalog::ProductSort::best_selling, 1, 8, locale);
    auto fresh = catalog.list_products({}, catalog::ProductSort::newest, 1, 8, locale);
    if (!best || !fresh) return site.server_error(req);
    data["best_sellers"] = cv::grid_view(cv::card_views(site, locale, *best, 0), false);
    data["new_arrivals"] = cv::grid_view(cv::card_views(site, locale, *fresh, 0), false);

    PageMeta meta;
    meta.title = site.t(locale, "catalog_home_title");
    meta.description = site.t(locale, "catalog_home_description");
    meta.canonical = "/";

    auto tree = shared.categories.get(catalog, locale);
    std::set<std::string> used;  // pictures shown already: each card gets its own
    // hero pictures: the two best sellers of the first top category
    json::array hero;
    Result<catalog::ProductPage> hero_page = *best;
    if (tree && !tree->roots.empty()) {
      catalog::ProductFilter filter;
      filter.categories = {tree->nodes[static_cast<size_t>(tree->roots.front())].slug};
      auto top = catalog.list_products(filter, catalog::ProductSort::best_selling, 1, 4, locale);
      if (top && top->items.size() >= 2) hero_page = std::move(top);
    }
    for (size_t i = 0; i < hero_page->items.size() && hero.size() < 2; ++i) {
      const auto& item = *hero_page->items[i];
      if (item.images.empty()) continue;
      catalog::Image image = item.images.front();
      if (image.alt.empty()) image.alt = item.product.title;
      bool first = hero.empty();
      auto view = cv::image_view(image, first ? "(min-width: 992px) 30vw, 60vw" : "20vw", first);
      view["url"] = "/p/" + item.product.slug;
      view["first"] = first;
      if (first) {
        meta.preload_image = cv::image_url(image.media_key, cv::kImageWidth);
        meta.preload_srcset = cv::image_srcset(image.media_key);
        meta.preload_sizes = "(min-width: 992px) 30vw, 60vw";
        meta.og_image = cv::absolute_url(site, meta.preload_image);
      }
      used.insert(image.media_key);
      hero.push_back(std::move(view));
    }
    data["hero_images"] = std::move(hero);

    // featured categories: the top ones, then the biggest subcategories of the first
    json::array featured;
    if (tree) {
      std::vector<const cv::CategoryEntry*> picks;
      for (int r : tree->roots)
        if (tree->nodes[static_cast<size_t>(r)].count > 0)
          picks.push_back(&tree->nodes[static_cast<size_t>(r)]);
      if (!tree->roots.empty()) {
        std::vector<const cv::CategoryEntry*> subs;
        for (int c : tree->nodes[static_cast<size_t>(tree->roots.front())].children)
          if (tree->nodes[static_cast<size_t>(c)].count > 0)
            subs.push_back(&tree->nodes[static_cast<size_t>(c)]);
        std::stable_sort(subs.begin(), subs.end(),
                         [](auto* a, auto* b) { return a->count > b->count; });
        for (size_t i = 0; i < subs.size() && picks.size() < 6; ++i) picks.push_back(subs[i]);
      }
      if (picks.size() > 3 && picks.size() < 6) picks.resize(3);
      for (const auto* c : picks) {
        catalog::ProductFilter filter;
        filter.categories = {c->slug};
        auto one = catalog.list_products(filter, catalog::ProductSort::best_selling, 1, 8, locale);
        json::object card{{"name", c->name},
                          {"url", c->url},
                          {"count_label", site.t(locale, "catalog_n_products",
                                                 {{"n", std::to_string(c->count)}})}};
        const catalog::Image* picked = nullptr;
        if (one)
          for (const auto& item : one->items)
            if (!item->images.empty() && !used.count(item->images.front().media_key)) {
              picked = &item->images.front();
              break;
            }
        if (picked) {
          used.insert(picked->media_key);
          catalog::Image image = *picked;
          image.alt = "";  // the card's name says it; the picture is decoration
          card["image"] = cv::image_view(
              image, "(min-width: 992px) 30vw, (min-width: 576px) 45vw, 90vw", false);
        }
        featured.push_back(std::move(card));
      }
      if (!tree->roots.empty()) {
        json::array ctas;
        for (size_t i = 0; i < tree->roots.size() && i < 2; ++i) {
          const auto& r = tree->nodes[static_cast<size_t>(tree->roots[i])];
          ctas.push_back(
              json::object{{"url", r.url},
                           {"label", site.t(locale, "catalog_shop_category", {{"name", r.name}})},
                           {"primary", i == 0}});
        }
        data["hero_ctas"] = std::move(ctas);
      }
    }
    data["featured"] = std::move(featured);
    return site.render(req, ctx, 200, "home", std::move(data), meta);
  });
}

}  // namespace catalog_views

namespace {

http::Response suggest_json(cv::Shared& shared, const http::Request& req) {
  std::string q = req.query_param("q").value_or("");
  if (q.size() > 200) q.resize(200);
  json::array items;
  if (!q.empty()) {
    auto found = shared.catalog.suggest(q, 8);
    if (found)
      for (const auto& s : *found) items.push_back(json::string(s));
  }
  auto r = http::Response::text(200, json::serialize(json::object{{"query", q}, {"items", items}}),
                                "application/json");
  r.headers.set("Cache-Control", "public, max-age=300");
  return r;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

http::Response sitemap(cv::Shared& shared, const http::Request& req) {
  uint64_t version = shared.catalog.version();
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(shared.sitemap_mutex);
    if (shared.sitemap_version == version && now - shared.sitemap_made < std::chrono::minutes(5)) {
      auto r = http::Response::text(200, shared.sitemap, "application/xml; charset=utf-8");
      r.headers.set("Cache-Control", "public, max-age=300");
      return r;
    }
  }
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  auto url = [&](const std::string& path, const std::string& lastmod) {
    body += "<url><loc>" + xml_escape(cv::absolute_url(shared.site, path)) + "</loc>";
    if (lastmod.size() >= 10) body += "<lastmod>" + lastmod.substr(0, 10) + "</lastmod>";
    body += "</url>\n";
  };
  url("/", "");
  if (auto tree = shared.categories.get(shared.catalog, "en"))
    for (const auto& c : tree->nodes)
      if (c.count > 0) url(c.url, "");
  constexpr int kPer = catalog::CatalogService::kMaxPerPage;
  constexpr size_t kMaxUrls = 45000;
  size_t n = 0;
  for (int page = 1;; ++page) {
    auto got = shared.catalog.list_products({}, catalog::ProductSort::newest, page, kPer, "en");
    if (!got) return shared.site.server_error(req);
    for (const auto& item : got->items) {
      url("/p/" + item->product.slug, item->product.updated_at);
      ++n;
    }
    if (got->items.size() < static_cast<size_t>(kPer) ||
        static_cast<int64_t>(page) * kPer >= got->total || n >= kMaxUrls)
      break;
  }
  body += "</urlset>\n";
  {
    std::lock_guard lock(shared.sitemap_mutex);
    shared.sitemap = body;
    shared.sitemap_version = version;
    shared.sitemap_made = now;
  }
  auto r = http::Response::text(200, std::move(body), "application/xml; charset=utf-8");
  r.headers.set("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace

void add_catalog_pages(http::Router& router, Site& site, CatalogPageServices services) {
  auto shared = std::make_shared<cv::Shared>(site, services.catalog, services.availability);
  const http::RouteOptions page{.page = true};
  router.add(
      "GET", "/", [shared](const http::Request& r) { return cv::home_page(*shared, r); }, page);
  router.add(
      "GET", "/c/{top}", [shared](const http::Request& r) { return cv::category_page(*shared, r); },
      page);
  router.add(
      "GET", "/c/{top}/{sub}",
      [shared](const http::Request& r) { return cv::category_page(*shared, r); }, page);
  router.add(
      "GET", "/search", [shared](const http::Request& r) { return cv::search_page(*shared, r); },
      page);
  router.add(
      "GET", "/search/suggest",
      [shared](const http::Request& r) { return suggest_json(*shared, r); }, page);
  router.add(
      "GET", "/p/{slug}", [shared](const http::Request& r) { return cv::product_page(*shared, r); },
      page);
  router.add(
      "GET", "/sitemap.xml", [shared](const http::Request& r) { return sitemap(*shared, r); },
      page);
  site.add_layout_filler(
      [shared](const http::Request&, const PageContext& ctx, json::object& data) {
        auto tree = shared->categories.get(shared->catalog, ctx.locale);
        json::array nav = tree ? tree->nav : json::array{};
        for (auto& item : nav) {
          auto& o = item.as_object();
          std::string_view url = o["href"].as_string();
          bool here = ctx.path == url || (ctx.path.size() > url.size() &&
                                          ctx.path.starts_with(url) && ctx.path[url.size()] == '/');
          o["current"] = here;
        }
        data["nav"] = std::move(nav);
      });
}

}  // namespace fff::web
