#include "infra/http/router.hpp"

#include <gtest/gtest.h>

namespace fff::http {
namespace {

Handler named(std::string name) {
  return [name](const Request&) { return Response::text(200, name); };
}

std::string call(const RouteMatch& m) {
  Request r;
  return m.route->handler(r).body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/api/v1/products", named("list"));
    router.add("POST", "/api/v1/products", named("create"));
    router.add("GET", "/api/v1/products/{slug}", named("show"));
    router.add("DELETE", "/api/v1/products/{slug}", named("delete"));
    router.add("GET", "/api/v1/products/new", named("new"));
    router.add("GET", "/api/v1/carts/{cart}/lines/{line}", named("line"));
    router.add("GET", "/", named("home"));
  }
  Router router;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  auto m = router.match("GET", "/api/v1/products");
  ASSERT_EQ(m.outcome, RouteMatch::Outcome::found);
  EXPECT_EQ(call(m), "list");
  EXPECT_EQ(call(router.match("POST", "/api/v1/products")), "create");
  EXPECT_EQ(call(router.match("GET", "/")), "home");
}

TEST_F(RouterTest, CapturesDecodedParameters) {
  auto m = router.match("GET", "/api/v1/carts/c%201/lines/42");
  ASSERT_EQ(m.outcome, RouteMatch::Outcome::found);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"cart", "c 1"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"line", "42"}));
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameter) {
  EXPECT_EQ(call(router.match("GET", "/api/v1/products/new")), "new");
  EXPECT_EQ(call(router.match("GET", "/api/v1/products/linen-dress")), "show");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  EXPECT_EQ(router.match("GET", "/api/v1/nothing").outcome, RouteMatch::Outcome::not_found);
  EXPECT_EQ(router.match("GET", "/api/v1/products/a/b").outcome, RouteMatch::Outcome::not_found);
  // One canonical URL per resource: a trailing slash is a different path.
  EXPECT_EQ(router.match("GET", "/api/v1/products/").outcome, RouteMatch::Outcome::not_found);
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
  auto m = router.match("PUT", "/api/v1/products/x");
  ASSERT_EQ(m.outcome, RouteMatch::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "DELETE, GET, HEAD");
}

TEST_F(RouterTest, HeadMatchesGetRoutes) {
  EXPECT_EQ(call(router.match("HEAD", "/api/v1/products")), "list");
}

TEST_F(RouterTest, InvalidPercentEscapeIsFlagged) {
  auto m = router.match("GET", "/api/v1/products/%zz");
  EXPECT_TRUE(m.bad_path);
  EXPECT_NE(m.outcome, RouteMatch::Outcome::found);
}

TEST_F(RouterTest, DuplicateRegistrationIsAProgrammerError) {
  EXPECT_THROW(router.add("GET", "/api/v1/products", named("again")), std::logic_error);
  EXPECT_THROW(router.add("GET", "/api/v1/products/{other}/x", named("x")), std::logic_error);
  EXPECT_THROW(router.add("GET", "no-slash", named("x")), std::logic_error);
}

TEST_F(RouterTest, ListsVisibleRoutesSorted) {
  router.add("GET", "/_test/hidden", named("hidden"), {}, false);
  auto routes = router.routes();
  ASSERT_EQ(routes.size(), 7u);
  EXPECT_EQ(routes.front()->pattern, "/");
  for (const auto* r : routes) EXPECT_NE(r->pattern, "/_test/hidden");
}

TEST(QueryParam, DecodesPlusAndPercent) {
  Request r;
  r.query = "q=red+dress&size=M%2FL&empty=&flag&q=second";
  EXPECT_EQ(r.query_param("q"), "red dress");
  EXPECT_EQ(r.query_param("size"), "M/L");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_FALSE(r.query_param("missing"));
}

TEST(Headers, AreCaseInsensitiveAndReplaceable) {
  Headers h;
  h.add("Content-Type", "text/plain");
  h.add("X-Thing", "1");
  h.add("x-thing", "2");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("X-THING"), "1");
  h.set("X-Thing", "3");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("x-thing"), "3");
}

}  // namespace
}  // namespace fff::http
