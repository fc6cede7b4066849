// modules/media/image_header: what an uploaded file is, from its first bytes alone.
//
// Nothing here decodes pixels: the format comes from magic bytes and the dimensions from the
// header, so a decompression bomb (a few KB declaring 50000×50000 pixels) is refused before
// libvips ever allocates for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fff::media {

enum class ImageFormat { jpeg, png, webp };

const char* content_type(ImageFormat format);  // "image/jpeg"
const char* extension(ImageFormat format);     // "jpg", "png", "webp"

struct ImageHeader {
  ImageFormat format = ImageFormat::jpeg;
  int64_t width = 0;  // as stored, before any EXIF orientation
  int64_t height = 0;
};

// Limits on what is accepted for decoding.
inline constexpr int64_t kMaxSide = 10'000;          // pixels on either side
inline constexpr int64_t kMaxPixels = 40'000'000;    // 40 megapixels
inline constexpr size_t kMaxUploadBytes = 20 << 20;  // 20 MiB

// The format and dimensions of `bytes`.
// Errors: unsupported "unsupported_media_type" (not JPEG, PNG or WebP; GIF, SVG and other known
// formats are named in the message), unprocessable "image_unreadable" (the header is cut short
// or inconsistent), unprocessable "image_too_large" (over kMaxSide or kMaxPixels; the message
// states the limit).
Result<ImageHeader> read_image_header(std::string_view bytes);

// The format a Content-Type names ("image/png", parameters ignored; the unregistered image/jpg
// and image/pjpeg some clients send count as JPEG). Error: unsupported
// "unsupported_media_type" for any other type.
Result<ImageFormat> format_for_content_type(std::string_view content_type);

}  // namespace fff::media
