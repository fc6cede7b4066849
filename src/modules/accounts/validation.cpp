#include "modules/accounts/validation.hpp"

#include <algorithm>
#include <cstdint>

namespace fff::accounts {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Decodes one code point at `i`; false on malformed UTF-8.
bool next_code_point(std::string_view s, size_t& i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t extra = 0;
  uint32_t min = 0;
  if (c < 0x80) {
    cp = c;
    ++i;
    return true;
  }
  if ((c & 0xE0) == 0xC0) {
    extra = 1, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3, cp = c & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (i + extra >= s.size()) return false;
  for (size_t k = 1; k <= extra; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += extra + 1;
  return true;
}

bool is_control(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

Error field_error(const char* code, const char* field, const std::string& message) {
  return Error::unprocessable(code, std::string(field) + " " + message, {{field, message}});
}

bool atext(unsigned char c) {
  if (c >= 0x80) return true;  // UTF-8 (RFC 6531), checked as a whole beforehand
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t labels = 0;
  std::string_view last;
  size_t at = 0;
  while (true) {
    size_t dot = domain.find('.', at);
    std::string_view label =
        domain.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (unsigned char c : label)
      if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  if (labels < 2) return false;
  return !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  uint32_t cp = 0;
  while (i < text.size())
    if (!next_code_point(text, i, cp)) return false;
  return true;
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Result<std::string> normalise_email(std::string_view raw, const char* field) {
  std::string_view t = trim(raw);
  if (t.empty()) return field_error("invalid_email", field, "is required");
  if (!valid_utf8(t)) return field_error("invalid_email", field, "is not valid UTF-8");
  if (t.size() > kMaxEmailBytes)
    return field_error("invalid_email", field, "is longer than 254 bytes");
  std::string email(t);
  for (char& c : email)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size())
    return field_error("invalid_email", field, "is not an email address");
  std::string_view local = std::string_view(email).substr(0, at);
  std::string_view domain = std::string_view(email).substr(at + 1);
  bool local_ok = local.size() <= 64 && local.front() != '.' && local.back() != '.' &&
                  local.find("..") == std::string_view::npos;
  for (unsigned char c : local)
    if (!(atext(c) || c == '.')) local_ok = false;
  if (!local_ok || !valid_domain(domain))
    return field_error("invalid_email", field, "is not an email address");
  return email;
}

Result<std::string> check_text(std::string_view raw, const char* field, size_t min, size_t max) {
  std::string_view t = trim(raw);
  size_t i = 0;
  uint32_t cp = 0;
  size_t count = 0;
  while (i < t.size()) {
    if (!next_code_point(t, i, cp))
      return field_error("invalid_field", field, "is not valid UTF-8");
    if (is_control(cp))
      return field_error("invalid_field", field, "must not contain control characters");
    ++count;
  }
  if (count < min)
    return field_error(
        "invalid_field", field,
        min == 1 ? "is required" : "needs at least " + std::to_string(min) + " characters");
  if (count > max)
    return field_error("invalid_field", field,
                       "must be at most " + std::to_string(max) + " characters");
  return std::string(t);
}

Result<std::string> check_phone(std::string_view raw, const char* field) {
  std::string_view t = trim(raw);
  size_t digits = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || (c == '+' && i == 0)))
      return field_error("invalid_field", field, "is not a phone number");
  }
  if (digits < 6 || digits > 20 || t.size() > 32)
    return field_error("invalid_field", field, "is not a phone number");
  return std::string(t);
}

bool is_country_code(std::string_view code) {
  // ISO 3166-1 alpha-2, officially assigned codes.
  static constexpr std::string_view kCodes =
      "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
      "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
      "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
      "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
      "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
      "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
      "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
      "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
      "VN VU WF WS YE YT ZA ZM ZW";
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
    return false;
  for (size_t i = 0; i + 1 < kCodes.size(); i += 3)
    if (kCodes.substr(i, 2) == code) return true;
  return false;
}

}  // namespace fff::accounts
