// web::Site: strings, forms, assets, rendering (ETag, 304, gzip), the page cache, locales, the
// error pages. No server and no database: routes are called through a Router.
#include "web/site.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "infra/http/perimeter.hpp"

namespace fff::web {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> keys_of(const std::string& locale) {
  std::set<std::string> keys;
  for (const auto& entry : fs::directory_iterator(fs::path(FFF_SOURCE_DIR) / "web/i18n" / locale)) {
    if (entry.path().extension() != ".json") continue;
    json::value v = json::parse(read_file(entry.path()));
    for (const auto& [k, text] : v.as_object()) {
      EXPECT_TRUE(keys.insert(std::string(k)).second)
          << "string " << k << " is defined twice (" << entry.path() << ")";
      EXPECT_FALSE(text.as_string().empty()) << locale << " string " << k << " is empty";
    }
  }
  return keys;
}

class SiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    csrf_ = std::make_shared<const http::CsrfTokens>(std::string(40, 's'));
    auto made =
        Site::create(SiteOptions{.shop_name = "FFF", .public_url = "https://shop.test"}, csrf_);
    ASSERT_TRUE(made) << made.error().message;
    site_ = std::move(*made);
    site_->add_routes(router_);
  }

  http::Request get(std::string target) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.request_id = "test-request";
    return req;
  }

  http::Response call(http::Request req) {
    auto match = router_.match(req.method, req.path);
    if (match.outcome != http::RouteMatch::Outcome::found)
      return site_->error_page(req, http::Response::text(404, "{}"));
    req.route = match.route;
    req.path_params = match.params;
    return match.route->handler(req);
  }

  http::Response page(const http::Request& req, std::string title = "Linen shirt") {
    PageContext ctx = site_->context(req);
    PageMeta meta;
    meta.title = std::move(title);
    meta.description = "A shirt";
    meta.canonical = "/p/linen-shirt";
    return site_->render(req, ctx, 200, "page_about", json::object{}, meta);
  }

  std::shared_ptr<const http::CsrfTokens> csrf_;
  std::unique_ptr<Site> site_;
  http::Router router_;
};

TEST(SiteStrings, EveryEnglishStringHasAVietnameseOneAndBack) {
  auto en = keys_of("en");
  auto vi = keys_of("vi");
  for (const auto& k : en) EXPECT_TRUE(vi.count(k)) << "no Vietnamese for " << k;
  for (const auto& k : vi) EXPECT_TRUE(en.count(k)) << "no English for " << k;
}

TEST(SiteStrings, EveryStringATemplateUsesExists) {
  auto en = keys_of("en");
  std::regex use(R"(\{\{[#^/]?\s*t\.([A-Za-z0-9_]+)\s*\}\})");
  size_t uses = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(FFF_SOURCE_DIR) / "web/templates/storefront")) {
    std::string text = read_file(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), use), end; it != end; ++it, ++uses)
      EXPECT_TRUE(en.count((*it)[1].str()))
          << entry.path().filename() << " uses the missing string t." << (*it)[1].str();
  }
  EXPECT_GT(uses, 20u);
}

TEST(FormTest, DecodesPlusPercentRepeatsAndTrims) {
  Form f = Form::parse("email=a%40b.vn&name=+Lan+Anh+&size=S&size=M&empty=&bad=%zz&flag");
  EXPECT_EQ(f.get("email"), "a@b.vn");
  EXPECT_EQ(f.get("name"), "Lan Anh");
  EXPECT_EQ(f.all("size"), (std::vector<std::string>{"S", "M"}));
  EXPECT_EQ(f.get("empty"), "");
  EXPECT_TRUE(f.has("empty"));
  EXPECT_EQ(f.get("bad"), "%zz");
  EXPECT_TRUE(f.has("flag"));
  EXPECT_FALSE(f.has("missing"));
}

TEST(FormTest, IgnoresBodiesThatAreNotForms) {
  http::Request req;
  req.method = "POST";
  req.headers.set("Content-Type", "application/json");
  req.body = "a=1";
  EXPECT_FALSE(Form::of(req).has("a"));
  req.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
  EXPECT_EQ(Form::of(req).get("a"), "1");
}

TEST_F(SiteTest, StringsFillPlaceholdersAndFallBackToEnglish) {
  EXPECT_EQ(site_->t("vi", "search_button"), "Tìm");
  EXPECT_EQ(site_->t("fr", "search_button"), "Search");
  EXPECT_EQ(site_->t("en", "no_such_key"), "no_such_key");
  EXPECT_EQ(Site::money(Money(123450, Currency::USD)), "$1,234.50");
  EXPECT_EQ(Site::money(Money(1234000, Currency::VND)), "1.234.000 ₫");
}

TEST_F(SiteTest, LocaleComesFromTheCookieThenAcceptLanguage) {
  auto req = get("/");
  req.headers.set("Accept-Language", "fr-FR,vi;q=0.9,en;q=0.8");
  EXPECT_EQ(site_->context(req).locale, "vi");
  req.headers.set("Accept-Language", "en;q=0.5, vi;q=0.4");
  EXPECT_EQ(site_->context(req).locale, "en");
  req.headers.set("Accept-Language", "de");
  EXPECT_EQ(site_->context(req).locale, "en");
  req.headers.set("Cookie", "fff_lang=vi");
  EXPECT_EQ(site_->context(req).locale, "vi");
  req.headers.set("Cookie", "fff_lang=xx");
  EXPECT_EQ(site_->context(req).locale, "en");
}

TEST_F(SiteTest, ASessionGetsItsCsrfTokenAndACartMakesThePagePersonal) {
  auto req = get("/");
  EXPECT_EQ(site_->context(req).csrf, "");
  EXPECT_FALSE(site_->context(req).personal());
  req.headers.set("Cookie", "fff_session=abc; fff_cart=c1");
  auto ctx = site_->context(req);
  EXPECT_EQ(ctx.csrf, csrf_->token_for("abc"));
  EXPECT_EQ(ctx.cart_id, "c1");
  EXPECT_TRUE(ctx.personal());
}

TEST_F(SiteTest, APageHasItsHeadTheLayoutAndAnETagThatAnswers304) {
  auto req = get("/p/linen-shirt");
  auto res = page(req);
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(res.body.find("<title>Linen shirt – FFF</title>"), std::string::npos);
  EXPECT_NE(res.body.find("<link rel=\"canonical\" href=\"https://shop.test/p/linen-shirt\">"),
            std::string::npos);
  EXPECT_NE(res.body.find("href=\"#main\""), std::string::npos);  // skip link
  EXPECT_NE(res.body.find(site_->asset_url("css/site.css")), std::string::npos);
  EXPECT_EQ(res.headers.get("Content-Language"), "en");
  auto etag = res.headers.get("ETag");
  ASSERT_TRUE(etag);
  req.headers.set("If-None-Match", std::string(*etag));
  auto again = page(req);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST_F(SiteTest, TextIsEscapedAndJsonLdCannotCloseItsScript) {
  auto req = get("/p/x");
  PageContext ctx = site_->context(req);
  PageMeta meta;
  meta.title = "<b>Bold</b>";
  meta.json_ld.push_back(R"({"name":"</script><script>alert(1)</script>"})");
  auto res = site_->render(req, ctx, 200, "page_about", json::object{}, meta);
  EXPECT_NE(res.body.find("&lt;b&gt;Bold&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(res.body.find("</script><script>alert"), std::string::npos);
  EXPECT_NE(res.body.find("<\\/script>"), std::string::npos);
}

TEST_F(SiteTest, PagesAreGzippedWhenTheBrowserAcceptsIt) {
  auto req = get("/p/x");
  req.headers.set("Accept-Encoding", "gzip, deflate, br");
  auto res = page(req);
  EXPECT_EQ(res.headers.get("Content-Encoding"), "gzip");
  ASSERT_GT(res.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(res.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(res.body[1]), 0x8b);
}

TEST_F(SiteTest, AnonymousPagesComeFromTheCacheUntilInvalidated) {
  int builds = 0;
  auto build = [&](const PageContext& ctx) {
    ++builds;
    return site_->render(get("/c/women"), ctx, 200, "page_about", json::object{}, PageMeta{});
  };
  auto first = site_->cached(get("/c/women"), build);
  auto second = site_->cached(get("/c/women"), build);
  EXPECT_EQ(builds, 1);
  EXPECT_EQ(first.body, second.body);
  EXPECT_TRUE(first.headers.has("ETag"));
  site_->cached(get("/c/women?page=2"), build);
  EXPECT_EQ(builds, 2);
  site_->invalidate_pages();
  site_->cached(get("/c/women"), build);
  EXPECT_EQ(builds, 3);
  auto with_cart = get("/c/women");
  with_cart.headers.set("Cookie", "fff_cart=abc");
  site_->cached(with_cart, build);
  site_->cached(with_cart, build);
  EXPECT_EQ(builds, 5);
}

TEST_F(SiteTest, AssetsHaveHashedNamesAndAreCachedForever) {
  std::string css = site_->asset_url("css/site.css");
  EXPECT_TRUE(std::regex_match(css, std::regex(R"(/assets/site\.[0-9a-f]{10}\.css)"))) << css;
  auto req = get(css);
  req.headers.set("Accept-Encoding", "gzip");
  auto res = call(req);
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(res.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(res.headers.get("Content-Type"), "text/css; charset=utf-8");
  auto plain = call(get(css));
  EXPECT_NE(plain.body.find("--bs-"), std::string::npos);      // Bootstrap is in the bundle
  EXPECT_NE(plain.body.find("--fff-ink"), std::string::npos);  // and ours after it
  EXPECT_EQ(plain.body.find("sourceMappingURL"), std::string::npos);
  auto cond = get(css);
  cond.headers.set("If-None-Match", std::string(*res.headers.get("ETag")));
  EXPECT_EQ(call(cond).status, 304);
  EXPECT_EQ(call(get("/assets/site.0000000000.css")).status, 404);
}

TEST_F(SiteTest, TheLanguageSwitchSetsACookieAndGoesBackOnlyToThisSite) {
  auto res = call(get("/lang/vi?back=%2Fc%2Fwomen"));
  EXPECT_EQ(res.status, 303);
  EXPECT_EQ(res.headers.get("Location"), "/c/women");
  auto cookie = res.headers.get("Set-Cookie");
  ASSERT_TRUE(cookie);
  EXPECT_NE(cookie->find("fff_lang=vi"), std::string_view::npos);
  EXPECT_EQ(call(get("/lang/vi?back=%2F%2Fevil.example")).headers.get("Location"), "/");
  EXPECT_EQ(call(get("/lang/vi?back=https://evil.example")).headers.get("Location"), "/");
  EXPECT_EQ(call(get("/lang/xx")).status, 404);
  EXPECT_EQ(Site::redirect("//evil.example").headers.get("Location"), "/");
}

TEST_F(SiteTest, BrowsersGetThe404PageAndApiClientsTheirProblem) {
  auto req = get("/no/such/page");
  req.headers.set("Accept", "text/html,application/xhtml+xml");
  auto res = call(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find("action=\"/search\""), std::string::npos);
  EXPECT_NE(res.body.find("noindex"), std::string::npos);
  auto api = get("/api/v1/nothing");
  api.headers.set("Accept", "text/html");
  http::Response problem = http::Response::text(404, "{}");
  EXPECT_EQ(site_->error_page(api, problem).body, "{}");
}

TEST_F(SiteTest, AFormRefusedBeforeItsHandlerGetsAPageSayingWhy) {
  http::Router router;
  router.add(
      "POST", "/cart/add", [](const http::Request&) { return http::Response{}; },
      http::RouteOptions{.page = true});
  auto req = get("/cart/add");
  req.method = "POST";
  req.route = router.match("POST", "/cart/add").route;
  http::Response refused = http::Response::text(
      403, R"({"status":403,"code":"csrf_token_invalid"})", "application/problem+json");
  auto page = site_->error_page(req, refused);
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(page.headers.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("Your session changed"), std::string::npos);
  req.headers.set("Accept", "application/json");
  EXPECT_EQ(site_->error_page(req, refused).body, refused.body);
}

TEST_F(SiteTest, TheServerErrorPageNeedsNoServices) {
  auto res = site_->server_error(get("/p/x"));
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("test-request"), std::string::npos);
  EXPECT_NE(res.body.find("<html lang=\"en\">"), std::string::npos);
}

TEST_F(SiteTest, StaticPagesAndRobotsAreServed) {
  for (const char* p :
       {"/pages/about", "/pages/shipping-returns", "/pages/contact", "/pages/faq"}) {
    auto res = call(get(p));
    EXPECT_EQ(res.status, 200) << p;
    EXPECT_NE(res.body.find("<h1>"), std::string::npos) << p;
  }
  EXPECT_EQ(call(get("/pages/none")).status, 404);
  auto robots = call(get("/robots.txt"));
  EXPECT_NE(robots.body.find("Sitemap: https://shop.test/sitemap.xml"), std::string::npos);
  EXPECT_NE(robots.body.find("Disallow: /checkout"), std::string::npos);
}

TEST_F(SiteTest, ANoticeShowsOnceAndIsCleared) {
  auto redirect = Site::redirect_with_notice("/cart", "back_home");
  EXPECT_NE(redirect.headers.get("Set-Cookie")->find("fff_notice=back_home"),
            std::string_view::npos);
  auto req = get("/cart");
  req.headers.set("Cookie", "fff_notice=back_home");
  auto res = page(req);
  EXPECT_NE(res.body.find("role=\"status\">Back to the home page"), std::string::npos);
  EXPECT_NE(res.headers.get("Set-Cookie")->find("fff_notice=; Path=/; Max-Age=0"),
            std::string_view::npos);
  req.headers.set("Cookie", "fff_notice=%3Cscript%3E");
  EXPECT_FALSE(site_->context(req).notice);  // only known strings
}

}  // namespace
}  // namespace fff::web
