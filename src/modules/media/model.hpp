// modules/media: the shop's images. Uploads are checked by their bytes (JPEG, PNG and WebP only,
// dimensions read from the header and refused before anything is decoded), kept
// content-addressed under <data_dir>/media with WebP variants at several widths made by libvips,
// and served with immutable caching. Staff upload through a pre-signed URL or multipart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fff::media {

// A stored original image. Its key is the SHA-256 of its bytes (64 lower-case hex digits), so
// the same picture uploaded twice is one asset and its URLs never change meaning.
struct Asset {
  std::string key;
  std::string content_type;  // image/jpeg, image/png or image/webp
  int64_t width = 0;         // as displayed (after EXIF orientation)
  int64_t height = 0;
  int64_t bytes = 0;
  std::string created_at;
  // Widths of the WebP renditions on disk, ascending: each standard width narrower than the
  // original, plus the original's own width when it is narrower than the widest standard one.
  std::vector<int> variant_widths;
};

// Widths a storefront asks for (srcset); an asset answers each with its nearest rendition.
inline constexpr int kStandardWidths[] = {320, 640, 960, 1280};

}  // namespace fff::media
