// multipart/form-data: parts come out exactly; anything malformed is named, never guessed.
#include "infra/http/multipart.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fff::http {
namespace {

using namespace std::string_literals;

const std::string kType = "multipart/form-data; boundary=XyZ";

std::string error_of(const std::string& type, const std::string& body) {
  auto parts = parse_form_data(type, body);
  return parts.ok() ? "ok" : parts.error().code + ": " + parts.error().message;
}

TEST(Multipart, ParsesFieldsAndAFileWithBinaryContent) {
  std::string file = "\x89PNG\r\n\x1A\n\0\0--XyZ-not-a-boundary\r\n"s;
  std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"alt\"\r\n\r\n"
      "Red dress\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      file + "\r\n--XyZ--\r\n";
  auto parts = parse_form_data(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "alt");
  EXPECT_FALSE((*parts)[0].filename);
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_EQ((*parts)[0].body, "Red dress");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "a \"b\".png");
  EXPECT_EQ((*parts)[1].content_type, "image/png");
  EXPECT_EQ((*parts)[1].body, file);
}

TEST(Multipart, AcceptsAQuotedBoundaryAPreambleAndAnEmptyPart) {
  std::string body =
      "ignored preamble\r\n--a b\r\n"
      "content-disposition: FORM-DATA; name=f; filename=\"\"\r\n\r\n"
      "\r\n--a b--";
  auto parts = parse_form_data("Multipart/Form-Data; boundary=\"a b\"", body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_TRUE((*parts)[0].body.empty());
}

TEST(Multipart, RefusesOtherMediaTypes) {
  auto parts = parse_form_data("application/json", "{}");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().kind, ErrorKind::unsupported);
  EXPECT_EQ(parts.error().code, "unsupported_media_type");
}

TEST(Multipart, NamesWhatIsMalformed) {
  const std::string part = "Content-Disposition: form-data; name=\"f\"\r\n\r\nx";
  struct Case {
    std::string type, body, says;
  };
  for (const auto& c : {
           Case{"multipart/form-data", "--x\r\n", "no boundary"},
           Case{"multipart/form-data; boundary=\"open", "", "cannot be parsed"},
           Case{"multipart/form-data; boundary=" + std::string(71, 'b'), "", "1 to 70"},
           Case{kType, "no delimiter here", "never appears"},
           Case{kType, "--XyZ\r\n" + part, "before the closing boundary"},
           Case{kType, "--XyZ\r\n" + part + "\r\n--XyZ", "not followed by CRLF"},
           Case{kType, "--XyZ garbage\r\n", "not followed by CRLF"},
           Case{kType, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", "no name"},
           Case{kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
                "no Content-Disposition"},
           Case{kType, "--XyZ\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--XyZ--",
                "form-data"},
           Case{kType, "--XyZ\r\nno colon\r\n\r\nx\r\n--XyZ--", "no name"},
           Case{kType, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"", "no end of headers"},
       }) {
    std::string got = error_of(c.type, c.body);
    EXPECT_EQ(got.rfind("malformed_multipart: ", 0), 0u) << c.body << " → " << got;
    EXPECT_NE(got.find(c.says), std::string::npos) << c.body << " → " << got;
  }
}

TEST(Multipart, LimitsTheNumberOfParts) {
  std::string body;
  for (size_t i = 0; i <= kMaxFormParts; ++i)
    body += "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nv\r\n";
  body += "--XyZ--";
  EXPECT_NE(error_of(kType, body).find("more than 16 parts"), std::string::npos);
}

}  // namespace
}  // namespace fff::http
