#include "core/time.hpp"

#include <gtest/gtest.h>

namespace fff {
namespace {

TEST(Time, FormatsFixedWidthUtc) {
  auto t = parse_iso8601("2026-11-25T23:08:53.123456Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(to_iso8601(*t), "2026-11-25T23:08:53.123456Z");
  EXPECT_EQ(to_iso8601(Timestamp{}), "1970-01-01T00:00:00.000000Z");
}

TEST(Time, NormalisesOffsetsAndPostgresSpelling) {
  EXPECT_EQ(to_iso8601(*parse_iso8601("2026-11-26T06:08:53+07:00")), "2026-11-25T23:08:53.000000Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2026-11-25 23:08:53.5+00")), "2026-11-25T23:08:53.500000Z");
  EXPECT_EQ(to_iso8601(*parse_iso8601("2026-01-01T00:30:00-01:30")), "2026-01-01T02:00:00.000000Z");
}

TEST(Time, RejectsAmbiguousOrImpossibleTimes) {
  for (const char* bad :
       {"", "2026-11-25", "2026-11-25T23:08:53", "2026-02-30T00:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T23:08:53.Z", "2026-11-25T23:08:53Zjunk", "20261125T230853Z"})
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
}

TEST(Time, TextOrderIsTimeOrder) {
  auto a = to_iso8601(*parse_iso8601("2026-11-25T09:59:59.999999Z"));
  auto b = to_iso8601(*parse_iso8601("2026-11-25T10:00:00Z"));
  EXPECT_LT(a, b);
}

TEST(Time, SystemClockIsNearNow) {
  auto now = Clock::system().now();
  auto sys = std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(sys - now), std::chrono::seconds(2));
}

}  // namespace
}  // namespace fff
