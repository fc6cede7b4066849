#include "modules/media/service.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>

#include "core/log.hpp"
#include "modules/media/image_header.hpp"
#include "modules/media/imaging.hpp"

namespace fff::media {
namespace {

constexpr size_t kCacheLimit = 20'000;

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

const char* extension_for(const std::string& content_type) {
  if (content_type == "image/png") return "png";
  if (content_type == "image/webp") return "webp";
  return "jpg";
}

Error not_found(const std::string& what) {
  return Error::not_found("media_not_found", what + " does not exist");
}

Error unwritable(const std::filesystem::path& path, int error) {
  log::error("media file not written", {{"path", path.string()}, {"error", std::strerror(error)}});
  return Error::unavailable("media_storage_unwritable",
                            "the media store cannot write files right now; try again later");
}

// application/octet-stream, in any case: a client that does not know what it sends.
bool is_octet_stream(std::string_view type) {
  constexpr std::string_view kOctetStream = "application/octet-stream";
  if (type.size() != kOctetStream.size()) return false;
  for (size_t i = 0; i < type.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(type[i])) != kOctetStream[i]) return false;
  return true;
}

// Writes all of `bytes` to `fd`. False with errno set on failure.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool is_media_key(std::string_view key) {
  if (key.size() != 64) return false;
  for (char c : key)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

MediaService::MediaService(db::Database& database, const Clock& clock, std::filesystem::path root,
                           std::string_view signing_secret, MetricsRegistry* metrics)
    : store_(database),
      clock_(clock),
      root_(std::move(root)),
      signer_(signing_secret),
      metrics_(metrics) {
  if (metrics_) {
    images_stored_ =
        &metrics_->counter("fff_media_images_stored_total",
                           "Distinct images stored (repeats of stored bytes excluded).");
    processing_seconds_ = &metrics_->histogram("fff_media_processing_seconds",
                                               "Time to check, render and write one new image.");
  }
}

std::filesystem::path MediaService::base_path(const std::string& key) const {
  return root_ / key.substr(0, 2) / key;
}

std::string MediaService::variant_url(const std::string& key, int width) {
  return "/media/" + key + "/w" + std::to_string(width) + ".webp";
}

std::string MediaService::original_url(const Asset& asset) {
  return "/media/" + asset.key + "/original." + extension_for(asset.content_type);
}

bool MediaService::files_present(const Asset& asset) const {
  std::error_code ec;
  std::string base = base_path(asset.key).string();
  if (!std::filesystem::exists(base + "." + extension_for(asset.content_type), ec)) return false;
  for (int w : asset.variant_widths)
    if (!std::filesystem::exists(base + ".w" + std::to_string(w) + ".webp", ec)) return false;
  return true;
}

Result<void> MediaService::write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return unwritable(path.parent_path(), ec.value());
  // A unique temporary beside the final name (same file system, so rename is atomic).
  thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".tmp-%016llx", static_cast<unsigned long long>(random()));
  std::filesystem::path temp = path;
  temp += suffix;
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return unwritable(temp, errno);
  bool ok = write_all(fd, bytes) && ::fsync(fd) == 0;
  int error = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) error = errno;
    ::unlink(temp.c_str());
    return unwritable(path, error);
  }
  // The rename itself is durable only once the directory is flushed.
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

void MediaService::remember(const Asset& asset) {
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_[asset.key] = asset;
}

Result<Asset> MediaService::store(std::string_view bytes, std::string_view declared_type) {
  auto asset = store_image(bytes, declared_type);
  if (metrics_ && !asset)
    metrics_
        ->counter("fff_media_refused_total", "Images refused, by problem code.",
                  {{"code", asset.error().code}})
        .add();
  return asset;
}

Result<Asset> MediaService::store_image(std::string_view bytes, std::string_view declared_type) {
  auto started = std::chrono::steady_clock::now();
  if (bytes.size() > kMaxUploadBytes)
    return Error::too_large("image_too_large", "the file has " + std::to_string(bytes.size()) +
                                                   " bytes; the limit is " +
                                                   std::to_string(kMaxUploadBytes) + " bytes");
  auto header = read_image_header(bytes);
  if (!header) return header.error();
  std::string_view declared = declared_type.substr(0, declared_type.find(';'));
  while (!declared.empty() && declared.back() == ' ') declared.remove_suffix(1);
  if (!declared.empty() && !is_octet_stream(declared)) {
    auto format = format_for_content_type(declared);
    if (!format) return format.error();
    if (*format != header->format)
      return Error::unsupported("media_type_mismatch",
                                std::string("the file is a ") + content_type(header->format) +
                                    " image but was sent as " + std::string(declared));
  }

  std::string key = sha256_hex(bytes);
  auto existing = store_.find(key);
  if (!existing) return existing.error();
  if (*existing && files_present(**existing)) {
    remember(**existing);
    return std::move(**existing);
  }

  auto renditions = render_variants(bytes, *header);
  if (!renditions) return renditions.error();
  Asset asset;
  asset.key = key;
  asset.content_type = content_type(header->format);
  asset.width = renditions->width;
  asset.height = renditions->height;
  asset.bytes = static_cast<int64_t>(bytes.size());
  asset.created_at = to_iso8601(clock_.now());
  std::string base = base_path(key).string();
  if (auto w = write_file(base + "." + extension(header->format), bytes); !w) return w.error();
  for (const auto& v : renditions->variants) {
    asset.variant_widths.push_back(v.width);
    if (auto w = write_file(base + ".w" + std::to_string(v.width) + ".webp", v.webp); !w)
      return w.error();
  }
  auto stored = store_.insert(asset);
  if (!stored) return stored.error();
  remember(*stored);
  if (images_stored_) {
    images_stored_->add();
    processing_seconds_->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  log::info("media stored", {{"key", key},
                             {"content_type", asset.content_type},
                             {"width", asset.width},
                             {"height", asset.height},
                             {"bytes", asset.bytes}});
  return stored;
}

Result<Asset> MediaService::find(const std::string& key) {
  if (!is_media_key(key)) return not_found("media " + key.substr(0, 80));
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  auto found = store_.find(key);
  if (!found) return found.error();
  if (!*found) return not_found("media " + key);
  remember(**found);
  return std::move(**found);
}

Result<MediaFile> MediaService::file(const std::string& key, std::string_view name) {
  auto asset = find(key);
  if (!asset) return asset.error();
  std::string base = base_path(key).string();
  std::string original = std::string("original.") + extension_for(asset->content_type);
  if (name == original)
    return MediaFile{base + "." + extension_for(asset->content_type), asset->content_type,
                     "\"" + key + "-original\""};
  // "w<digits>.webp" and nothing else: no dots, slashes or other names reach the file system.
  int asked = 0;
  if (name.size() > 6 && name.front() == 'w' && name.substr(name.size() - 5) == ".webp") {
    std::string_view digits = name.substr(1, name.size() - 6);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), asked);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.front() == '0')
      asked = 0;
  }
  const auto& widths = asset->variant_widths;
  bool standard = std::find(std::begin(kStandardWidths), std::end(kStandardWidths), asked) !=
                  std::end(kStandardWidths);
  bool own = std::find(widths.begin(), widths.end(), asked) != widths.end();
  if (asked <= 0 || (!standard && !own) || widths.empty())
    return not_found("media file " + key + "/" + std::string(name.substr(0, 80)));
  int served = widths.front();
  for (int w : widths)
    if (w <= asked) served = w;
  return MediaFile{base + ".w" + std::to_string(served) + ".webp", "image/webp",
                   "\"" + key + "-w" + std::to_string(served) + "\""};
}

Result<UploadTicket> MediaService::create_upload(std::string_view content_type, int64_t bytes) {
  auto format = format_for_content_type(content_type);
  if (!format)
    return Error::unprocessable("invalid_upload",
                                "content_type must be image/jpeg, image/png or image/webp",
                                {{"content_type", "must be image/jpeg, image/png or image/webp"}});
  if (bytes < 1 || bytes > static_cast<int64_t>(kMaxUploadBytes)) {
    std::string message = "must be between 1 and " + std::to_string(kMaxUploadBytes);
    return Error::unprocessable("invalid_upload", "bytes " + message, {{"bytes", message}});
  }
  UploadTicket ticket;
  ticket.grant.content_type = media::content_type(*format);
  ticket.grant.bytes = bytes;
  ticket.grant.expires =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count() +
      kUploadLifetimeSeconds;
  std::string type = ticket.grant.content_type;
  type.replace(type.find('/'), 1, "%2F");
  ticket.url = std::string(kUploadPath) + "?content_type=" + type +
               "&bytes=" + std::to_string(bytes) +
               "&expires=" + std::to_string(ticket.grant.expires) +
               "&signature=" + signer_.sign(ticket.grant);
  return ticket;
}

Result<Asset> MediaService::accept_upload(const UploadGrant& claimed, std::string_view signature,
                                          std::string_view content_type, std::string_view body) {
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  if (auto ok = signer_.verify(claimed, signature, now); !ok) return ok.error();
  auto sent = format_for_content_type(content_type);
  if (!sent || media::content_type(*sent) != claimed.content_type)
    return Error::unsupported("upload_type_mismatch",
                              "the upload URL is for " + claimed.content_type +
                                  "; the request's Content-Type is '" +
                                  std::string(content_type.substr(0, 100)) + "'");
  if (static_cast<int64_t>(body.size()) != claimed.bytes)
    return Error::unprocessable("upload_size_mismatch",
                                "the upload URL is for exactly " + std::to_string(claimed.bytes) +
                                    " bytes; the body has " + std::to_string(body.size()));
  return store(body, claimed.content_type);
}

}  // namespace fff::media
