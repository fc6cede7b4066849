#include "modules/media/imaging.hpp"

#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "core/log.hpp"

namespace fff::media {
namespace {

// Large enough that only the width constrains a thumbnail (vips fits into width × height).
constexpr int kUnboundedHeight = 10'000'000;
constexpr int kWebpQuality = 80;

std::string encode_webp(const vips::VImage& image) {
  VipsBlob* blob = image.webpsave_buffer(
      vips::VImage::option()->set("Q", kWebpQuality)->set("strip", true)->set("effort", 4));
  std::string out(static_cast<const char*>(VIPS_AREA(blob)->data), VIPS_AREA(blob)->length);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

}  // namespace

void start_imaging(int threads) {
  static std::once_flag once;
  std::call_once(once, [threads] {
    if (VIPS_INIT("fff") != 0)
      throw std::runtime_error(std::string("libvips cannot start: ") + vips_error_buffer());
    vips_concurrency_set(threads);
    // libvips reports recoverable trouble (a truncated file it then refuses) as GLib warnings on
    // stderr; route them into the JSON log so every line fff prints stays parseable.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
        [](const gchar*, GLogLevelFlags, const gchar* message, gpointer) {
          log::debug("libvips", {{"message", message ? message : ""}});
        },
        nullptr);
    vips_cache_set_max(0);
    // Loaders for formats nobody should feed a web shop (ImageMagick, MATLAB, FITS …) stay
    // blocked even if a future code path asked vips to guess a format.
    vips_block_untrusted_set(TRUE);
  });
}

std::vector<int> variant_widths(int64_t width) {
  std::vector<int> out;
  for (int w : kStandardWidths)
    if (w < width) out.push_back(w);
  if (width <= kStandardWidths[std::size(kStandardWidths) - 1])
    out.push_back(static_cast<int>(width));
  return out;
}

Result<Renditions> render_variants(std::string_view original, const ImageHeader& header) {
  // thumbnail_buffer picks its loader by sniffing too; insist it agrees with ours, so no other
  // loader (SVG, which the demo shop unblocks for its own drawings) ever sees uploaded bytes.
  const char* expected = header.format == ImageFormat::jpeg  ? "VipsForeignLoadJpegBuffer"
                         : header.format == ImageFormat::png ? "VipsForeignLoadPngBuffer"
                                                             : "VipsForeignLoadWebpBuffer";
  const char* loader = vips_foreign_find_load_buffer(original.data(), original.size());
  if (!loader || std::string_view(loader) != expected) {
    vips_error_clear();
    return Error::unprocessable("image_unreadable",
                                "the image data is corrupt or cut short and cannot be decoded");
  }
  try {
    VipsBlob* blob = vips_blob_new(nullptr, original.data(), original.size());
    // One decode, shrinking on load where the format allows (JPEG, WebP), to the widest
    // rendition; the narrower ones are made from that small copy in memory. fail_on=error
    // refuses truncated data instead of padding it with grey.
    int widest = kStandardWidths[std::size(kStandardWidths) - 1];
    vips::VImage big;
    try {
      big = vips::VImage::thumbnail_buffer(blob, widest,
                                           vips::VImage::option()
                                               ->set("height", kUnboundedHeight)
                                               ->set("size", VIPS_SIZE_DOWN)
                                               ->set("option_string", "fail_on=error"));
      big = big.colourspace(VIPS_INTERPRETATION_sRGB);
      if (big.format() != VIPS_FORMAT_UCHAR) big = big.cast(VIPS_FORMAT_UCHAR);
      big = big.copy_memory();
    } catch (...) {
      vips_area_unref(VIPS_AREA(blob));
      throw;
    }
    vips_area_unref(VIPS_AREA(blob));

    // The header gives stored dimensions; an EXIF rotation may have turned them.
    Renditions out;
    out.width = header.width;
    out.height = header.height;
    bool header_landscape = header.width > header.height;
    bool shown_landscape = big.width() > big.height();
    if (header.width != header.height && big.width() != big.height() &&
        header_landscape != shown_landscape)
      std::swap(out.width, out.height);

    bool web_ready = header.format == ImageFormat::webp && out.width == header.width &&
                     static_cast<int64_t>(original.size()) * 2 <= header.width * header.height;
    for (int w : variant_widths(out.width)) {
      if (web_ready && w == header.width) {
        out.variants.push_back({w, static_cast<int>(header.height), std::string(original)});
        continue;
      }
      vips::VImage v =
          w >= big.width()
              ? big
              : big.thumbnail_image(w, vips::VImage::option()->set("height", kUnboundedHeight));
      out.variants.push_back({v.width(), v.height(), encode_webp(v)});
      out.variants.back().width = w;
    }
    return out;
  } catch (const vips::VError& e) {
    log::info("image not decodable", {{"error", std::string(e.what()).substr(0, 300)}});
    vips_error_clear();
    return Error::unprocessable("image_unreadable",
                                "the image data is corrupt or cut short and cannot be decoded");
  }
}

}  // namespace fff::media
