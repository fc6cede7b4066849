#include "core/csv.hpp"

namespace fff::csv {
namespace {

Error malformed(size_t line, const std::string& what) {
  return Error::invalid("malformed_csv", "CSV line " + std::to_string(line) + ": " + what,
                        {{"line " + std::to_string(line), what}});
}

}  // namespace

Result<std::vector<Record>> parse(std::string_view text, const Limits& limits) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // Excel's UTF-8 mark
  std::vector<Record> records;
  Record record;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  // A record that is one empty unquoted field is a blank line, not data.
  bool field_quoted = false;
  auto end_field = [&]() -> Result<void> {
    if (field.size() > limits.max_field_bytes)
      return Error::too_large("csv_too_large",
                              "CSV line " + std::to_string(line) + ": a field is longer than " +
                                  std::to_string(limits.max_field_bytes) + " bytes");
    record.push_back(std::move(field));
    field.clear();
    if (record.size() > limits.max_fields)
      return Error::too_large("csv_too_large", "CSV line " + std::to_string(line) + ": more than " +
                                                   std::to_string(limits.max_fields) + " fields");
    return {};
  };
  auto end_record = [&]() -> Result<void> {
    if (auto f = end_field(); !f) return f;
    bool blank = record.size() == 1 && record[0].empty() && !field_quoted;
    if (!blank) {
      records.push_back(std::move(record));
      if (records.size() > limits.max_records)
        return Error::too_large("csv_too_large",
                                "more than " + std::to_string(limits.max_records) + " CSV records");
    }
    record.clear();
    field_quoted = false;
    return {};
  };

  while (i < n) {
    char c = text[i];
    if (c == '"' && field.empty() && !field_quoted) {
      // A quoted field: runs to the next quote not followed by another quote.
      field_quoted = true;
      size_t start_line = line;
      ++i;
      bool closed = false;
      while (i < n) {
        char q = text[i];
        if (q == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (q == '\n') ++line;
        field.push_back(q);
        ++i;
      }
      if (!closed) return malformed(start_line, "a quoted field is never closed");
      if (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
        return malformed(line, "text after the closing quote of a field");
      continue;
    }
    if (c == '"') return malformed(line, "a quote inside an unquoted field (quote the field)");
    if (c == ',') {
      if (auto f = end_field(); !f) return f.error();
      field_quoted = false;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (auto r = end_record(); !r) return r.error();
      i += (c == '\r' && i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
      ++line;
      continue;
    }
    field.push_back(c);
    ++i;
  }
  if (!field.empty() || !record.empty() || field_quoted)
    if (auto r = end_record(); !r) return r.error();
  return records;
}

std::string format_record(const Record& record) {
  std::string out;
  for (size_t i = 0; i < record.size(); ++i) {
    if (i) out.push_back(',');
    const std::string& f = record[i];
    bool quote = f.find_first_of(",\"\r\n") != std::string::npos ||
                 (!f.empty() && (f.front() == ' ' || f.back() == ' '));
    if (!quote) {
      out += f;
      continue;
    }
    out.push_back('"');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out += "\r\n";
  return out;
}

}  // namespace fff::csv
