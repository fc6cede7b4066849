// core/csv: RFC 4180 comma-separated values, for the staff's bulk import and export.
//
// Reading accepts what spreadsheets write: fields quoted with '"' (a quote inside doubled),
// commas, CR, LF and CRLF inside quoted fields, CRLF or bare LF between records, a UTF-8 byte
// order mark before the first record, and no line break after the last one. Writing quotes a
// field only when it must and ends every record with CRLF, as the RFC says.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace fff::csv {

using Record = std::vector<std::string>;

struct Limits {
  size_t max_records = 100'000;  // the header counts
  size_t max_fields = 200;       // per record
  size_t max_field_bytes = 1 << 20;
};

// Every record of `text`, the header first. A blank line between records is skipped (it is
// what a trailing newline in an editor leaves). Errors (invalid "malformed_csv", naming the
// 1-based line): a quote inside an unquoted field, text after a closing quote, a quoted field
// never closed; too_large "csv_too_large" past a limit.
Result<std::vector<Record>> parse(std::string_view text, const Limits& limits = {});

// One record with its CRLF. Fields holding a comma, a quote, CR or LF, or leading or trailing
// spaces are quoted.
std::string format_record(const Record& record);

}  // namespace fff::csv
