#include "modules/media/api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/log.hpp"
#include "infra/http/json.hpp"
#include "infra/http/multipart.hpp"
#include "infra/http/problem.hpp"

namespace fff::media {
namespace {

namespace json = boost::json;

json::object asset_json(const Asset& asset) {
  json::array widths;
  std::string srcset;
  for (int w : asset.variant_widths) {
    widths.push_back(w);
    if (!srcset.empty()) srcset += ", ";
    srcset += MediaService::variant_url(asset.key, w) + " " + std::to_string(w) + "w";
  }
  // The default picture: 640 wide, or the nearest narrower rendition of a small image.
  int shown = asset.variant_widths.empty() ? 640 : asset.variant_widths.front();
  for (int w : asset.variant_widths)
    if (w <= 640) shown = w;
  return {{"key", asset.key},
          {"content_type", asset.content_type},
          {"width", asset.width},
          {"height", asset.height},
          {"bytes", asset.bytes},
          {"created_at", asset.created_at},
          {"url", MediaService::variant_url(asset.key, shown)},
          {"url_template", "/media/" + asset.key + "/w{width}.webp"},
          {"original_url", MediaService::original_url(asset)},
          {"widths", std::move(widths)},
          {"srcset", srcset}};
}

http::Response created(const Asset& asset) {
  http::Response r = http::json_response(asset_json(asset), 201);
  r.headers.set("Location", MediaService::original_url(asset));
  return r;
}

std::optional<int64_t> parse_count(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || ptr != text->data() + text->size()) return std::nullopt;
  return n;
}

http::Response upload_url(MediaService& service, const http::Request& req) {
  auto body = http::json_body(req);
  if (!body) return http::problem(body.error(), req.request_id);
  const json::object* o = body->if_object();
  if (!o)
    return http::problem(Error::unprocessable("invalid_upload", "the body must be a JSON object"),
                         req.request_id);
  std::vector<FieldError> fields;
  std::string type;
  int64_t bytes = 0;
  const json::value* type_value = o->if_contains("content_type");
  if (type_value && type_value->is_string())
    type = std::string(type_value->get_string());
  else
    fields.push_back({"content_type", type_value ? "must be a string: image/jpeg, image/png or "
                                                   "image/webp"
                                                 : "is required: image/jpeg, image/png or "
                                                   "image/webp"});
  const json::value* bytes_value = o->if_contains("bytes");
  if (bytes_value && bytes_value->is_int64())
    bytes = bytes_value->get_int64();
  else if (bytes_value && bytes_value->is_uint64())
    bytes = -1;  // too big for int64: fails the range check in create_upload
  else
    fields.push_back({"bytes", bytes_value ? "must be a whole number of bytes"
                                           : "is required: the exact size of the file in bytes"});
  if (!fields.empty())
    return http::problem(
        Error::unprocessable("invalid_upload", fields.front().field + " " + fields.front().message,
                             fields),
        req.request_id);
  auto ticket = service.create_upload(type, bytes);
  if (!ticket) return http::problem(ticket.error(), req.request_id);
  std::string expires_at = to_iso8601(Timestamp(std::chrono::seconds(ticket->grant.expires)));
  return http::json_response({{"upload_url", ticket->url},
                              {"method", "PUT"},
                              {"headers", {{"Content-Type", ticket->grant.content_type}}},
                              {"content_type", ticket->grant.content_type},
                              {"bytes", ticket->grant.bytes},
                              {"expires_at", expires_at}},
                             201);
}

http::Response signed_upload(MediaService& service, const http::Request& req) {
  UploadGrant claimed;
  claimed.content_type = req.query_param("content_type").value_or("");
  auto bytes = parse_count(req.query_param("bytes"));
  auto expires = parse_count(req.query_param("expires"));
  std::string signature = req.query_param("signature").value_or("");
  // A URL missing any signed part was not made by us or was cut: the same answer as tampering.
  if (claimed.content_type.empty() || !bytes || !expires || signature.empty())
    return http::problem(Error::forbidden("upload_signature_invalid",
                                          "the upload URL is incomplete: it needs content_type, "
                                          "bytes, expires and signature; ask for a new one"),
                         req.request_id);
  claimed.bytes = *bytes;
  claimed.expires = *expires;
  auto asset = service.accept_upload(claimed, signature,
                                     req.headers.get("Content-Type").value_or(""), req.body);
  if (!asset) return http::problem(asset.error(), req.request_id);
  return created(*asset);
}

http::Response multipart_upload(MediaService& service, const http::Request& req) {
  auto parts = http::parse_form_data(req.headers.get("Content-Type").value_or(""), req.body);
  if (!parts) return http::problem(parts.error(), req.request_id);
  const http::FormPart* file = nullptr;
  size_t files = 0;
  for (const auto& part : *parts)
    if (part.filename) {
      file = &part;
      ++files;
    }
  if (files != 1)
    return http::problem(Error::invalid("malformed_multipart",
                                        "expected exactly one file part (with a filename); found " +
                                            std::to_string(files)),
                         req.request_id);
  auto asset = service.store(file->body, file->content_type);
  if (!asset) return http::problem(asset.error(), req.request_id);
  return created(*asset);
}

http::Response serve_file(MediaService& service, const http::Request& req) {
  auto file = service.file(std::string(req.param("key")), req.param("file"));
  if (!file) return http::problem(file.error(), req.request_id);
  http::Response r;
  r.headers.set("Cache-Control", "public, max-age=31536000, immutable");
  r.headers.set("ETag", file->etag);
  if (auto match = req.headers.get("If-None-Match");
      match && (match->find(file->etag) != std::string_view::npos || *match == "*")) {
    r.status = 304;
    return r;
  }
  std::ifstream in(file->path, std::ios::binary);
  std::ostringstream content;
  if (!in || !(content << in.rdbuf())) {
    // The row exists but this node has no file (another node stored it, or it was removed).
    log::warn("media file missing", {{"path", file->path.string()}});
    return http::problem(Error::not_found("media_not_found", "the media file is not available"),
                         req.request_id);
  }
  r.status = 200;
  r.headers.set("Content-Type", file->content_type);
  r.body = std::move(content).str();
  return r;
}

}  // namespace

void add_routes(http::Router& router, MediaService& service, const http::StaffAccess& access) {
  http::add_staff_route(
      router, access, "media", "POST", "/api/v1/admin/media/uploads",
      [&service](const http::Request& r) { return upload_url(service, r); },
      http::RouteOptions{.body_limit = 4 * 1024});
  http::add_staff_route(
      router, access, "media", "POST", "/api/v1/admin/media",
      [&service](const http::Request& r) { return multipart_upload(service, r); },
      http::RouteOptions{.body_limit = kUploadBodyLimit});
  router.add(
      "PUT", std::string(MediaService::kUploadPath),
      [&service](const http::Request& req) { return signed_upload(service, req); },
      http::RouteOptions{.body_limit = kMaxUploadBytes});
  router.add("GET", "/media/{key}/{file}",
             [&service](const http::Request& req) { return serve_file(service, req); });
}

}  // namespace fff::media
