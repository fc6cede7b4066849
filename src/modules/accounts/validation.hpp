// modules/accounts/validation: what the accounts module accepts as an email, a name, a phone
// number or an address line. Every check returns the normalised value or an unprocessable error
// naming the field (never echoing a secret).
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fff::accounts {

inline constexpr size_t kMaxEmailBytes = 254;

// Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view text);
// Code points in valid UTF-8 text.
size_t utf8_length(std::string_view text);

// Trims surrounding white space, lower-cases (ASCII letters, local part and domain), and checks
// the syntax: local@domain, a dot-atom local part of 1–64 bytes (UTF-8 allowed), a domain of two
// or more labels (letters, digits, hyphens, UTF-8; none starting or ending with '-', a top-level
// label that is not all digits), at most kMaxEmailBytes in all. Error: unprocessable
// "invalid_email" on field `field`.
Result<std::string> normalise_email(std::string_view raw, const char* field = "email");

// Trimmed text of min..max code points, valid UTF-8, with no control characters. Error:
// unprocessable "invalid_field" naming `field`.
Result<std::string> check_text(std::string_view raw, const char* field, size_t min, size_t max);

// A phone number: '+' optional, then digits with spaces, dots, dashes or parentheses; 6–20
// digits. Returned trimmed. Error: unprocessable "invalid_field" naming `field`.
Result<std::string> check_phone(std::string_view raw, const char* field = "phone");

// An assigned ISO 3166-1 alpha-2 code, upper case ("VN", "FR").
bool is_country_code(std::string_view code);

}  // namespace fff::accounts
