#include "infra/http/multipart.hpp"

#include <cctype>

namespace fff::http {
namespace {

Error malformed(const std::string& what) {
  return Error::invalid("malformed_multipart", "the multipart body is malformed: " + what);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parameters after the first ';' of a header value: name=token or name="quoted \" string".
// False when the syntax is broken. Names are lower-cased.
bool parse_parameters(std::string_view text,
                      std::vector<std::pair<std::string, std::string>>& out) {
  size_t i = text.find(';');
  while (i != std::string_view::npos && i < text.size()) {
    ++i;  // past ';'
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) return true;  // a trailing ';'
    size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) return false;
    std::string name = lower(trim(text.substr(i, eq - i)));
    if (name.empty()) return false;
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '\\' && i < text.size()) {
          value += text[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) return false;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] != ';') return false;
    } else {
      size_t end = text.find(';', i);
      value = std::string(trim(text.substr(i, end == std::string_view::npos ? end : end - i)));
      i = end;
      if (value.empty()) return false;
    }
    out.emplace_back(std::move(name), std::move(value));
    if (i != std::string_view::npos && i < text.size() && text[i] != ';') return false;
  }
  return true;
}

const std::string* parameter(const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return &v;
  return nullptr;
}

}  // namespace

Result<std::vector<FormPart>> parse_form_data(std::string_view content_type,
                                              std::string_view body) {
  std::string_view media = trim(content_type.substr(0, content_type.find(';')));
  if (!iequals(media, "multipart/form-data"))
    return Error::unsupported(
        "unsupported_media_type",
        "this endpoint takes multipart/form-data, not '" + std::string(media.substr(0, 100)) + "'");
  std::vector<std::pair<std::string, std::string>> params;
  if (!parse_parameters(content_type, params))
    return malformed("the Content-Type parameters cannot be parsed");
  const std::string* boundary = parameter(params, "boundary");
  if (!boundary) return malformed("the Content-Type has no boundary parameter");
  if (boundary->empty() || boundary->size() > 70)
    return malformed("the boundary must be 1 to 70 characters");

  const std::string dash_boundary = "--" + *boundary;
  const std::string delimiter = "\r\n" + dash_boundary;
  // The first delimiter opens the body, or ends a preamble (which is ignored, as RFC 2046 says).
  size_t pos;
  if (body.substr(0, dash_boundary.size()) == dash_boundary) {
    pos = dash_boundary.size();
  } else {
    size_t found = body.find(delimiter);
    if (found == std::string_view::npos) return malformed("the boundary never appears");
    pos = found + delimiter.size();
  }

  std::vector<FormPart> parts;
  while (true) {
    // After a delimiter: "--" closes the body; otherwise optional padding and CRLF start a part.
    if (body.substr(pos, 2) == "--") return parts;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return malformed("a boundary line is not followed by CRLF");
    pos += 2;
    if (parts.size() == kMaxFormParts)
      return malformed("more than " + std::to_string(kMaxFormParts) + " parts");

    size_t headers_end = body.find("\r\n\r\n", pos);
    // A part with no headers at all starts with the blank line straight away.
    bool no_headers = body.substr(pos, 2) == "\r\n";
    if (!no_headers && headers_end == std::string_view::npos)
      return malformed("part " + std::to_string(parts.size() + 1) + " has no end of headers");
    std::string_view header_block =
        no_headers ? std::string_view() : body.substr(pos, headers_end - pos);
    if (header_block.size() > kMaxPartHeaderBytes)
      return malformed("part headers over " + std::to_string(kMaxPartHeaderBytes) + " bytes");
    size_t content_start = no_headers ? pos + 2 : headers_end + 4;

    FormPart part;
    bool has_disposition = false;
    size_t line_start = 0;
    while (line_start <= header_block.size() && !header_block.empty()) {
      size_t line_end = header_block.find("\r\n", line_start);
      std::string_view line = header_block.substr(
          line_start, line_end == std::string_view::npos ? line_end : line_end - line_start);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0)
        return malformed("a header line of part " + std::to_string(parts.size() + 1) +
                         " has no name");
      std::string_view name = trim(line.substr(0, colon));
      std::string_view value = trim(line.substr(colon + 1));
      if (iequals(name, "Content-Disposition")) {
        std::vector<std::pair<std::string, std::string>> disposition;
        if (!iequals(trim(value.substr(0, value.find(';'))), "form-data") ||
            !parse_parameters(value, disposition))
          return malformed("part " + std::to_string(parts.size() + 1) +
                           " needs 'Content-Disposition: form-data; name=\"…\"'");
        const std::string* n = parameter(disposition, "name");
        if (!n || n->empty())
          return malformed("part " + std::to_string(parts.size() + 1) + " has no name");
        part.name = *n;
        if (const std::string* f = parameter(disposition, "filename")) part.filename = *f;
        has_disposition = true;
      } else if (iequals(name, "Content-Type")) {
        part.content_type = std::string(value);
      }
      if (line_end == std::string_view::npos) break;
      line_start = line_end + 2;
    }
    if (!has_disposition)
      return malformed("part " + std::to_string(parts.size() + 1) +
                       " has no Content-Disposition header");

    size_t content_end = body.find(delimiter, content_start);
    if (content_end == std::string_view::npos)
      return malformed("the body ends before the closing boundary");
    part.body = body.substr(content_start, content_end - content_start);
    parts.push_back(std::move(part));
    pos = content_end + delimiter.size();
  }
}

}  // namespace fff::http
