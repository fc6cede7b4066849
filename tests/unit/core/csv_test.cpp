// RFC 4180 CSV: what spreadsheets write must read back field for field, and what we write must
// read back the same.
#include "core/csv.hpp"

#include <gtest/gtest.h>

namespace fff::csv {
namespace {

std::vector<Record> ok(std::string_view text) {
  auto r = parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Record>{};
}

TEST(CsvTest, ReadsPlainRecordsWithCrlfOrLf) {
  auto rows = ok("slug,title\r\nlinen-shirt,Linen Shirt\nwool-coat,Wool Coat\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (Record{"linen-shirt", "Linen Shirt"}));
  EXPECT_EQ(rows[2], (Record{"wool-coat", "Wool Coat"}));
}

TEST(CsvTest, ReadsQuotedCommasQuotesAndLineBreaks) {
  auto rows = ok("a,b,c\r\n\"Shirt, linen\",\"He said \"\"hi\"\"\",\"line one\r\nline two\"\r\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "Shirt, linen");
  EXPECT_EQ(rows[1][1], "He said \"hi\"");
  EXPECT_EQ(rows[1][2], "line one\r\nline two");
}

TEST(CsvTest, KeepsEmptyFieldsAndTheLastRecordWithoutNewline) {
  auto rows = ok("a,,c\n,,\nx");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (Record{"a", "", "c"}));
  EXPECT_EQ(rows[1], (Record{"", "", ""}));
  EXPECT_EQ(rows[2], (Record{"x"}));
}

TEST(CsvTest, SkipsBlankLinesAndTheByteOrderMark) {
  auto rows = ok("\xEF\xBB\xBFslug\n\nlinen-shirt\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "slug");
  EXPECT_EQ(rows[1][0], "linen-shirt");
}

TEST(CsvTest, AQuotedEmptyFieldIsARecord) {
  auto rows = ok("\"\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Record{""}));
}

TEST(CsvTest, RefusesAnUnclosedQuoteNamingItsLine) {
  auto r = parse("a\nb\n\"never closed\nmore");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "malformed_csv");
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos);
}

TEST(CsvTest, RefusesAStrayQuote) {
  EXPECT_EQ(parse("ab\"c\n").error().code, "malformed_csv");
  EXPECT_EQ(parse("\"ab\"c\n").error().code, "malformed_csv");
}

TEST(CsvTest, RefusesMoreRecordsThanTheLimit) {
  Limits limits;
  limits.max_records = 2;
  auto r = parse("a\nb\nc\n", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::too_large);
}

TEST(CsvTest, WritesQuotesOnlyWhereNeededAndEndsWithCrlf) {
  EXPECT_EQ(format_record({"a", "b c", ""}), "a,b c,\r\n");
  EXPECT_EQ(format_record({"x,y", "say \"hi\"", "two\nlines", " padded"}),
            "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\"\r\n");
}

TEST(CsvTest, WhatIsWrittenReadsBackTheSame) {
  std::vector<Record> records = {{"slug", "title", "description"},
                                 {"linen-shirt", "Linen, \"relaxed\"", "line one\r\nline two"},
                                 {"", "", ""}};
  std::string text;
  for (const auto& r : records) text += format_record(r);
  EXPECT_EQ(ok(text), records);
}

}  // namespace
}  // namespace fff::csv
