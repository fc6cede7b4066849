#include "infra/search/text.hpp"

#include <gtest/gtest.h>

namespace fff::search {
namespace {

using Words = std::vector<std::string>;

TEST(SearchText, WordsAreLowerCasedAndSplitOnPunctuation) {
  EXPECT_EQ(words_of("Red WRAP-Dress, size: M!"), (Words{"red", "wrap", "dress", "size", "m"}));
}

TEST(SearchText, TShirtIsOneWordHoweverItIsWritten) {
  EXPECT_EQ(words_of("T-Shirt"), Words{"tshirt"});
  EXPECT_EQ(words_of("t shirts"), Words{"tshirts"});
  EXPECT_EQ(words_of("TShirt"), Words{"tshirt"});
}

TEST(SearchText, ApostropheInsideAWordIsDropped) {
  EXPECT_EQ(words_of("Women's jeans"), (Words{"womens", "jeans"}));
  EXPECT_EQ(words_of("'quoted'"), Words{"quoted"});
}

TEST(SearchText, NonAsciiLettersAreLowerCasedAndKept) {
  EXPECT_EQ(words_of("ÁO DÀI"), (Words{"áo", "dài"}));
}

TEST(SearchText, InvalidUtf8AndOverlongWordsDoNotBreakTokenising) {
  std::string junk = "dress \xff\xfe\x80 " + std::string(500, 'x') + " jeans";
  auto words = words_of(junk);
  ASSERT_GE(words.size(), 2u);
  EXPECT_EQ(words.front(), "dress");
  EXPECT_EQ(words.back(), "jeans");
  for (const auto& w : words) EXPECT_LE(w.size(), kMaxWordBytes) << w;
}

TEST(SearchText, TruncationNeverSplitsACharacter) {
  std::string s = "ab\xc3\xa1";  // "abá": á is two bytes
  EXPECT_EQ(truncate_utf8(s, 3), "ab");
  EXPECT_EQ(truncate_utf8(s, 4), s);
  EXPECT_EQ(truncate_utf8("dress", 2), "dr");
}

TEST(SearchText, EnglishStemsFoldPlurals) {
  EXPECT_EQ(stem("dresses"), stem("dress"));
  EXPECT_EQ(stem("jeans"), stem("jean"));
  EXPECT_EQ(stem("sweaters"), stem("sweater"));
}

TEST(SearchText, SynonymsCoverTheGroupBothWays) {
  auto has = [](const std::vector<std::string>& stems, const std::string& word) {
    return std::find(stems.begin(), stems.end(), stem(word)) != stems.end();
  };
  EXPECT_TRUE(has(stems_matching("tee"), "tshirt"));
  EXPECT_TRUE(has(stems_matching("tshirts"), "tee"));
  EXPECT_TRUE(has(stems_matching("trainers"), "sneaker"));
  EXPECT_TRUE(has(stems_matching("sneakers"), "trainer"));
  EXPECT_TRUE(has(stems_matching("pants"), "trousers"));
  EXPECT_TRUE(has(stems_matching("jumper"), "sweaters"));
  EXPECT_EQ(stems_matching("dress"), std::vector<std::string>{stem("dress")});
  EXPECT_EQ(stems_matching("tee").front(), stem("tee"));
}

TEST(SearchText, StopwordsIncludeOperatorsAndSize) {
  EXPECT_TRUE(is_stopword("and"));
  EXPECT_TRUE(is_stopword("not"));
  EXPECT_TRUE(is_stopword("size"));
  EXPECT_FALSE(is_stopword("dress"));
}

}  // namespace
}  // namespace fff::search
