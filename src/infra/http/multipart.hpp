// infra/http/multipart: multipart/form-data request bodies (RFC 7578), parsed strictly.
//
// Parts are views into the request body: no copies of uploaded files. Anything malformed is an
// error naming what is wrong, never a guess, so a broken client is told rather than half-served.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "infra/http/message.hpp"

namespace fff::http {

struct FormPart {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // present for file parts
  std::string content_type;             // the part's Content-Type; empty when absent
  std::string_view body;                // into the parsed body: keep the request alive
};

// Limits that keep a hostile body from costing more than reading it.
inline constexpr size_t kMaxFormParts = 16;
inline constexpr size_t kMaxPartHeaderBytes = 8 * 1024;

// The parts of `body` sent with `content_type` (the request's Content-Type header).
// Errors: unsupported "unsupported_media_type" (not multipart/form-data), invalid
// "malformed_multipart" with a message naming the problem (no boundary, missing delimiter or
// closing boundary, bad part headers, no name, too many parts).
Result<std::vector<FormPart>> parse_form_data(std::string_view content_type, std::string_view body);

}  // namespace fff::http
