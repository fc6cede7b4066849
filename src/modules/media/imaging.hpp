// modules/media/imaging: libvips behind a small interface. Only this file and app's demo
// images include vips; the rest of the module sees bytes in, WebP bytes out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "modules/media/image_header.hpp"
#include "modules/media/model.hpp"

namespace fff::media {

// Starts libvips once per process (later calls do nothing) with `threads` worker threads per
// pipeline, and turns its operation cache off: every image is processed once, and a cached
// operation would hold on to buffers the caller has already freed. Thread-safe.
void start_imaging(int threads);

struct Rendition {
  int width = 0;
  int height = 0;
  std::string webp;
};

struct Renditions {
  int64_t width = 0;  // the original as displayed (EXIF orientation applied)
  int64_t height = 0;
  std::vector<Rendition> variants;  // ascending width
};

// Widths to render for an image `width` pixels wide (as displayed): each standard width
// narrower than it, plus its own width when it is no wider than the widest standard width.
std::vector<int> variant_widths(int64_t width);

// WebP renditions (metadata stripped, sRGB) of an image whose header has been checked with
// read_image_header. A WebP original that is already web-weight (at most half a byte per pixel)
// is its own rendition at its own width rather than being encoded again.
// REQUIRES: start_imaging() was called; `original` stays alive during the call.
// Runs libvips: never call it on a network thread. Error: unprocessable "image_unreadable" when
// the pixels cannot be decoded (truncated or corrupt data).
Result<Renditions> render_variants(std::string_view original, const ImageHeader& header);

}  // namespace fff::media
