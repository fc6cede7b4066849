#include "modules/media/image_header.hpp"

#include <cctype>
#include <string>

namespace fff::media {
namespace {

using namespace std::string_view_literals;

uint32_t be16(std::string_view b, size_t i) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << 8) |
         static_cast<unsigned char>(b[i + 1]);
}
uint32_t be32(std::string_view b, size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
uint32_t le16(std::string_view b, size_t i) {
  return static_cast<unsigned char>(b[i]) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[i + 1])) << 8);
}
uint32_t le24(std::string_view b, size_t i) {
  return le16(b, i) | (static_cast<uint32_t>(static_cast<unsigned char>(b[i + 2])) << 16);
}
uint32_t le32(std::string_view b, size_t i) {
  return le16(b, i) | (le16(b, i + 2) << 16);
}

bool starts_with(std::string_view b, std::string_view prefix) {
  return b.substr(0, prefix.size()) == prefix;
}

Error unreadable(const std::string& what) {
  return Error::unprocessable("image_unreadable", "the image cannot be read: " + what);
}

Error refused(const std::string& what) {
  return Error::unsupported("unsupported_media_type",
                            what + " cannot be used: upload a JPEG, PNG or WebP image");
}

// Names the formats people most often try, so the refusal says what was sent.
Error not_an_accepted_image(std::string_view b) {
  if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return refused("a GIF image");
  if (starts_with(b, "BM")) return refused("a BMP image");
  if (starts_with(b, "II*\0"sv) || starts_with(b, "MM\0*"sv)) return refused("a TIFF image");
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") return refused("a HEIC/AVIF image");
  if (starts_with(b, "%PDF")) return refused("a PDF document");
  // SVG is XML and may carry scripts and external references: never accepted as an upload.
  size_t i = 0;
  if (starts_with(b, "\xEF\xBB\xBF")) i = 3;
  while (i < b.size() && std::isspace(static_cast<unsigned char>(b[i]))) ++i;
  if (i < b.size() && b[i] == '<') {
    std::string_view head = b.substr(i, 4096);
    if (head.find("<svg") != std::string_view::npos) return refused("an SVG image");
    return refused("an XML or HTML document");
  }
  if (b.empty()) return refused("an empty file");
  return refused("this file (not a recognised image)");
}

// JPEG: walk the marker segments to the first start-of-frame, which holds the dimensions.
Result<ImageHeader> jpeg(std::string_view b) {
  size_t i = 2;
  while (true) {
    if (i >= b.size()) return unreadable("the JPEG ends before its frame header");
    if (static_cast<unsigned char>(b[i]) != 0xFF) return unreadable("a JPEG marker is corrupt");
    while (i < b.size() && static_cast<unsigned char>(b[i]) == 0xFF) ++i;  // fill bytes
    if (i >= b.size()) return unreadable("the JPEG ends before its frame header");
    unsigned marker = static_cast<unsigned char>(b[i++]);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length
    if (marker == 0xD9 || marker == 0xDA)
      return unreadable("the JPEG has no frame header before its image data");
    if (i + 2 > b.size()) return unreadable("the JPEG ends inside a segment");
    uint32_t length = be16(b, i);
    if (length < 2 || i + length > b.size()) return unreadable("a JPEG segment is cut short");
    bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (length < 7) return unreadable("the JPEG frame header is cut short");
      ImageHeader h{ImageFormat::jpeg, be16(b, i + 5), be16(b, i + 3)};
      return h;
    }
    i += length;
  }
}

Result<ImageHeader> png(std::string_view b) {
  // The signature is followed by the IHDR chunk, always first: length 13, "IHDR", width, height.
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return unreadable("the PNG has no IHDR header");
  uint32_t w = be32(b, 16), h = be32(b, 20);
  if (w > 0x7FFFFFFF || h > 0x7FFFFFFF) return unreadable("the PNG header is invalid");
  return ImageHeader{ImageFormat::png, w, h};
}

Result<ImageHeader> webp(std::string_view b) {
  if (b.size() < 30) return unreadable("the WebP ends inside its header");
  std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (b.substr(23, 3) != "\x9d\x01\x2a") return unreadable("the WebP frame start is corrupt");
    return ImageHeader{ImageFormat::webp, le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF};
  }
  if (chunk == "VP8L") {
    // Lossless: signature 0x2f, then width-1 and height-1 in 14 bits each.
    if (static_cast<unsigned char>(b[20]) != 0x2F)
      return unreadable("the WebP lossless signature is corrupt");
    uint32_t bits = le32(b, 21);
    return ImageHeader{ImageFormat::webp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (chunk == "VP8X") {
    // Extended: flags, 3 reserved bytes, then canvas width-1 and height-1 in 24 bits each.
    return ImageHeader{ImageFormat::webp, static_cast<int64_t>(le24(b, 24)) + 1,
                       static_cast<int64_t>(le24(b, 27)) + 1};
  }
  return unreadable("the WebP has an unknown first chunk");
}

}  // namespace

const char* content_type(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return "image/jpeg";
    case ImageFormat::png: return "image/png";
    case ImageFormat::webp: return "image/webp";
  }
  return "application/octet-stream";
}

const char* extension(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return "jpg";
    case ImageFormat::png: return "png";
    case ImageFormat::webp: return "webp";
  }
  return "bin";
}

Result<ImageHeader> read_image_header(std::string_view bytes) {
  Result<ImageHeader> header = Error::internal("unreachable");
  if (starts_with(bytes, "\xFF\xD8\xFF"))
    header = jpeg(bytes);
  else if (starts_with(bytes, "\x89PNG\r\n\x1A\n"))
    header = png(bytes);
  else if (bytes.size() >= 12 && starts_with(bytes, "RIFF") && bytes.substr(8, 4) == "WEBP")
    header = webp(bytes);
  else
    return not_an_accepted_image(bytes);
  if (!header) return header;
  const ImageHeader& h = *header;
  if (h.width <= 0 || h.height <= 0) return unreadable("the header declares an empty image");
  if (h.width > kMaxSide || h.height > kMaxSide || h.width * h.height > kMaxPixels)
    return Error::unprocessable("image_too_large",
                                "the image is " + std::to_string(h.width) + "×" +
                                    std::to_string(h.height) + " pixels; the limit is " +
                                    std::to_string(kMaxSide) + " pixels per side and " +
                                    std::to_string(kMaxPixels / 1'000'000) + " megapixels");
  return header;
}

Result<ImageFormat> format_for_content_type(std::string_view content_type) {
  std::string type;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // image/jpg and image/pjpeg are not registered types, but some clients still send them.
  if (type == "image/jpeg" || type == "image/jpg" || type == "image/pjpeg")
    return ImageFormat::jpeg;
  if (type == "image/png") return ImageFormat::png;
  if (type == "image/webp") return ImageFormat::webp;
  return Error::unsupported(
      "unsupported_media_type",
      "'" + type + "' is not accepted: upload image/jpeg, image/png or " + "image/webp");
}

}  // namespace fff::media
