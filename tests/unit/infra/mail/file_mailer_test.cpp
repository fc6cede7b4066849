// The file mail driver: RFC 5322 messages written whole under the mail folder.
#include "infra/mail/mailer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/id.hpp"

namespace fff::mail {
namespace {

namespace fs = std::filesystem;

class FileMailerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fs::temp_directory_path() / ("fff-mail-" + new_id()); }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> files() {
    std::vector<std::string> out;
    if (!fs::exists(dir_)) return out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(e.path().filename().string() + "\n" + text.str());
    }
    return out;
  }
  fs::path dir_;
};

TEST_F(FileMailerTest, WritesOneEmlFileWithHeadersAndBothParts) {
  FileMailer mailer(dir_, "FFF <no-reply@shop.example>");
  ASSERT_TRUE(
      mailer.send({"ann@example.com", "Xác nhận email", "Hello Ann,\nline two", "<p>Hi</p>"}).ok());
  auto all = files();
  ASSERT_EQ(all.size(), 1u);
  const std::string& f = all[0];
  EXPECT_NE(f.find(".eml\n"), std::string::npos);
  EXPECT_NE(f.find("From: FFF <no-reply@shop.example>\r\n"), std::string::npos);
  EXPECT_NE(f.find("To: ann@example.com\r\n"), std::string::npos);
  EXPECT_NE(f.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(f.find("\r\nDate: "), std::string::npos);
  EXPECT_NE(f.find("@shop.example>\r\n"), std::string::npos);  // Message-ID
  EXPECT_NE(f.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(f.find("multipart/alternative; boundary="), std::string::npos);
  EXPECT_NE(f.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(f.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  EXPECT_NE(f.find("Hello Ann,\r\nline two"), std::string::npos);
  EXPECT_EQ(f.find(".tmp"), std::string::npos);
}

TEST_F(FileMailerTest, RemembersTheLastMessagePerRecipient) {
  FileMailer mailer(dir_, "FFF <no-reply@shop.example>");
  ASSERT_TRUE(mailer.send({"ann@example.com", "one", "1", ""}).ok());
  ASSERT_TRUE(mailer.send({"ann@example.com", "two", "2", ""}).ok());
  EXPECT_EQ(files().size(), 2u);
  auto last = mailer.last_sent_to("ANN@example.com");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->subject, "two");
  EXPECT_FALSE(mailer.last_sent_to("bob@example.com").has_value());
}

TEST_F(FileMailerTest, RefusesHeaderInjection) {
  FileMailer mailer(dir_, "FFF <no-reply@shop.example>");
  auto r = mailer.send({"ann@example.com\r\nBcc: all@example.com", "x", "y", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_mail");
  EXPECT_FALSE(mailer.send({"ann@example.com", "x\nBcc: all@example.com", "y", ""}).ok());
  EXPECT_TRUE(files().empty());
}

TEST(RenderEmlTest, QuotedPrintableKeepsLinesShortAndEscapesUtf8) {
  std::string long_line(200, 'x');
  std::string eml = render_eml({"a@example.com", "s", long_line + " Hà", ""}, "f@example.com",
                               Timestamp{}, "id1");
  size_t body = eml.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  std::stringstream lines(eml.substr(body + 4));
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 77u) << line;
  EXPECT_NE(eml.find("H=C3=A0"), std::string::npos);
  EXPECT_NE(eml.find("Date: Thu, 01 Jan 1970 00:00:00 +0000"), std::string::npos);
}

}  // namespace
}  // namespace fff::mail
