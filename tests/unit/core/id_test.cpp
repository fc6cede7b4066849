#include "core/id.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace fff {
namespace {

TEST(Uuid, V7HasVersionAndVariantBits) {
  Uuid id = Uuid::v7();
  EXPECT_EQ(id.version(), 7);
  EXPECT_EQ(id.bytes()[8] & 0xc0, 0x80);
  std::string s = id.str();
  ASSERT_EQ(s.size(), 36u);
  EXPECT_EQ(s[14], '7');
}

TEST(Uuid, V7EmbedsCurrentTime) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  Uuid id = Uuid::v7();
  EXPECT_LE(static_cast<int64_t>(id.unix_ms()) - now, 1000);
  EXPECT_GE(static_cast<int64_t>(id.unix_ms()) - now, -1000);
}

TEST(Uuid, ManyIdsAreUniqueAndSortInCreationOrder) {
  std::string previous;
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    std::string s = new_id();
    EXPECT_GT(s, previous) << "id " << i << " sorts before the one made before it";
    previous = s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(Uuid, ParsesCanonicalFormAndRoundTrips) {
  Uuid id = Uuid::v7(), back;
  ASSERT_TRUE(Uuid::parse(id.str(), back));
  EXPECT_EQ(id, back);
  ASSERT_TRUE(Uuid::parse("0192F0C1-1234-7ABC-8DEF-0123456789AB", back));
  EXPECT_EQ(back.str(), "0192f0c1-1234-7abc-8def-0123456789ab");
}

TEST(Uuid, RejectsMalformedText) {
  Uuid out;
  EXPECT_FALSE(Uuid::parse("", out));
  EXPECT_FALSE(Uuid::parse("0192f0c1-1234-7abc-8def-0123456789a", out));
  EXPECT_FALSE(Uuid::parse("0192f0c1x1234-7abc-8def-0123456789ab", out));
  EXPECT_FALSE(Uuid::parse("0192f0c1-1234-7abc-8def-0123456789ag", out));
  EXPECT_FALSE(is_uuid("'; DROP TABLE products; --"));
}

}  // namespace
}  // namespace fff
