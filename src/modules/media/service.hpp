// modules/media/service: the media module's only door.
//
// Files live under <root> (normally <data_dir>/media), content-addressed:
//   <root>/ab/<key>.<jpg|png|webp>     the original, byte for byte
//   <root>/ab/<key>.w640.webp          a WebP rendition 640 pixels wide
// where <key> is the SHA-256 of the original and "ab" its first two hex digits (so no folder
// grows past a few thousand entries). Every file is written to a temporary name, flushed to
// disk and renamed, so a killed process never leaves half a file under a final name; the
// database row is written last, so a row always means the files are there.
//
// Thread-safety: every method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/media/model.hpp"
#include "modules/media/store.hpp"
#include "modules/media/upload_signature.hpp"

namespace fff::media {

// A file ready to serve.
struct MediaFile {
  std::filesystem::path path;
  std::string content_type;
  std::string etag;  // quoted; never changes for a given URL
};

// An upload URL for staff (or a browser they hand it to).
struct UploadTicket {
  std::string url;  // path and query: PUT the bytes there with the signed Content-Type
  UploadGrant grant;
};

class MediaService {
 public:
  // How long a pre-signed upload URL stays valid.
  static constexpr int64_t kUploadLifetimeSeconds = 15 * 60;
  // Where signed uploads are PUT; the API registers the route at the same path.
  static constexpr std::string_view kUploadPath = "/api/v1/media/uploads";

  // REQUIRES: start_imaging() was called; `database` has the media migrations applied;
  // `signing_secret` is not empty. `root` is created on first store.
  // `metrics`, when given, receives fff_media_images_stored_total,
  // fff_media_processing_seconds and fff_media_refused_total{code}; it must outlive the service.
  MediaService(db::Database& database, const Clock& clock, std::filesystem::path root,
               std::string_view signing_secret, MetricsRegistry* metrics = nullptr);

  // Stores an image: checks its bytes (format by magic bytes, dimensions from the header, both
  // before decoding), writes the original and its WebP variants, records it. Idempotent: the
  // same bytes give the same key and are not processed twice. `declared_type` is what the
  // client said it sends (a Content-Type; empty or application/octet-stream: not declared).
  // Errors: too_large "image_too_large" (over kMaxUploadBytes), unsupported
  // "unsupported_media_type" (not JPEG/PNG/WebP, or an unknown declared type), unsupported
  // "media_type_mismatch" (the bytes are another format than declared), unprocessable
  // "image_too_large" (dimensions over the limit), unprocessable "image_unreadable",
  // unavailable "media_storage_unwritable" (the disk refused), and database errors.
  // Runs libvips: never call it on a network thread.
  Result<Asset> store(std::string_view bytes, std::string_view declared_type = {});

  // The asset with this key. Errors: not_found "media_not_found" (also for a malformed key).
  Result<Asset> find(const std::string& key);

  // The file behind "/media/<key>/<file>", where file is "original.<ext>" or "w<width>.webp"
  // for a standard width (or one of the asset's own); a width the asset has no rendition for
  // is answered with the widest rendition narrower than it. Error: not_found
  // "media_not_found" for anything else, including any name that is not one of those.
  Result<MediaFile> file(const std::string& key, std::string_view name);

  // A pre-signed upload URL for `bytes` bytes of `content_type`, valid for
  // kUploadLifetimeSeconds. Errors: unprocessable "invalid_upload" naming the field.
  Result<UploadTicket> create_upload(std::string_view content_type, int64_t bytes);

  // Checks a signed upload (the query parameters of its URL, the request's Content-Type and
  // body) and stores the image. Errors: forbidden "upload_signature_invalid" / "upload_expired",
  // unsupported "upload_type_mismatch" (Content-Type is not the signed one), unprocessable
  // "upload_size_mismatch" (the body is not exactly the signed size), then those of store().
  Result<Asset> accept_upload(const UploadGrant& claimed, std::string_view signature,
                              std::string_view content_type, std::string_view body);

  // The public URL of one of an asset's files: "/media/<key>/w640.webp".
  static std::string variant_url(const std::string& key, int width);
  static std::string original_url(const Asset& asset);

 private:
  Result<Asset> store_image(std::string_view bytes, std::string_view declared_type);
  std::filesystem::path base_path(const std::string& key) const;
  bool files_present(const Asset& asset) const;
  Result<void> write_file(const std::filesystem::path& path, std::string_view bytes);
  void remember(const Asset& asset);

  AssetStore store_;
  const Clock& clock_;
  std::filesystem::path root_;
  UploadSigner signer_;
  MetricsRegistry* metrics_;
  Histogram* processing_seconds_ = nullptr;
  Counter* images_stored_ = nullptr;
  // Assets never change once stored, so serving may keep them; bounded by clearing when full.
  std::mutex cache_mutex_;
  std::unordered_map<std::string, Asset> cache_;
};

// True for 64 lower-case hex digits (a SHA-256 in hex): the only keys that can name an asset.
bool is_media_key(std::string_view key);

}  // namespace fff::media
