#include "infra/mail/mailer.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdio>

namespace fff::mail {
namespace {

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// RFC 2047: a non-ASCII header value as encoded words, each short enough for a 78-column line,
// never splitting a UTF-8 sequence.
std::string encode_header(std::string_view value) {
  if (is_ascii(value)) return std::string(value);
  std::string out;
  size_t at = 0;
  while (at < value.size()) {
    size_t end = std::min(value.size(), at + 45);
    while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(value.substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

// RFC 2045 quoted-printable with CRLF line ends and soft breaks before 76 columns.
std::string quoted_printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t column = 0;
  auto put = [&](std::string_view piece) {
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\r\n";
      column = 0;
      continue;
    }
    if (c == '\r') continue;
    bool line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
    if (literal) {
      char one[2] = {static_cast<char>(c), 0};
      put(one);
    } else {
      char escaped[4] = {'=', kHex[c >> 4], kHex[c & 15], 0};
      put(escaped);
    }
  }
  return out;
}

std::string rfc5322_date(Timestamp t) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  auto days = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{seconds - days};
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::chrono::weekday wd{days};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

std::string render_eml(const MailMessage& m, std::string_view from, Timestamp date,
                       std::string_view unique_id) {
  std::string domain = "fff.local";
  if (auto at = from.rfind('@'); at != std::string_view::npos) {
    domain = std::string(from.substr(at + 1));
    if (!domain.empty() && domain.back() == '>') domain.pop_back();
  }
  std::string boundary = "fff-alt-" + std::string(unique_id);
  std::string out;
  out += "From: " + std::string(from) + "\r\n";
  out += "To: " + m.to + "\r\n";
  out += "Subject: " + encode_header(m.subject) + "\r\n";
  out += "Date: " + rfc5322_date(date) + "\r\n";
  out += "Message-ID: <" + std::string(unique_id) + "@" + domain + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  auto part_headers = [](const char* type) {
    return std::string("Content-Type: ") + type +
           "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  };
  if (m.html.empty()) {
    out += part_headers("text/plain");
    out += quoted_printable(m.text) + "\r\n";
    return out;
  }
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  out += "--" + boundary + "\r\n" + part_headers("text/plain") + quoted_printable(m.text) + "\r\n";
  out += "--" + boundary + "\r\n" + part_headers("text/html") + quoted_printable(m.html) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace fff::mail
