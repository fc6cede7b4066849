#include "core/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fff {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error::invalid("not_positive", "must be positive", {{"v", "must be > 0"}});
  return v;
}

TEST(Result, CarriesValueWhenOk) {
  auto r = parse_positive(3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
}

TEST(Result, CarriesErrorWithKindCodeAndFields) {
  auto r = parse_positive(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().code, "not_positive");
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].field, "v");
}

TEST(Result, VoidResultDefaultsToOk) {
  Result<void> ok;
  EXPECT_TRUE(ok.ok());
  Result<void> bad = Error::conflict("taken", "already taken");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::conflict);
}

TEST(ErrorKind, NamesEveryKind) {
  EXPECT_STREQ(to_string(ErrorKind::not_found), "not_found");
  EXPECT_STREQ(to_string(ErrorKind::unprocessable), "unprocessable");
  EXPECT_STREQ(to_string(ErrorKind::unavailable), "unavailable");
}

}  // namespace
}  // namespace fff
