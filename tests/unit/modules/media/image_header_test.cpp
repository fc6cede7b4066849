// Media: what a file is, from its header alone; bombs and oversize images refused unread.
#include "modules/media/image_header.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fff::media {
namespace {

using namespace std::string_literals;

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A PNG signature and IHDR chunk declaring width × height (no pixel data follows: the header is
// all read_image_header looks at).
std::string png_header(uint32_t width, uint32_t height) {
  return "\x89PNG\r\n\x1A\n"s + be32(13) + "IHDR" + be32(width) + be32(height) +
         "\x08\x02\x00\x00\x00"s + be32(0);
}

// SOI, an APP0 segment, then a baseline start-of-frame with the dimensions.
std::string jpeg_header(uint16_t width, uint16_t height) {
  std::string app0 = "\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"s;
  std::string sof = "\xFF\xC0\x00\x11\x08"s;
  sof += static_cast<char>(height >> 8);
  sof += static_cast<char>(height);
  sof += static_cast<char>(width >> 8);
  sof += static_cast<char>(width);
  sof += "\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"s;
  return "\xFF\xD8"s + app0 + sof;
}

std::string le(uint32_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>(v >> (8 * i));
  return out;
}

std::string webp_vp8x(uint32_t width, uint32_t height) {
  return "RIFF"s + le(30, 4) + "WEBPVP8X" + le(10, 4) + "\x00\x00\x00\x00"s + le(width - 1, 3) +
         le(height - 1, 3) + std::string(4, '\0');
}

std::string webp_lossless(uint32_t width, uint32_t height) {
  uint32_t bits = (width - 1) | ((height - 1) << 14);
  return "RIFF"s + le(30, 4) + "WEBPVP8L" + le(10, 4) + "\x2F"s + le(bits, 4) +
         std::string(5, '\0');
}

std::string webp_lossy(uint16_t width, uint16_t height) {
  return "RIFF"s + le(30, 4) + "WEBPVP8 " + le(10, 4) + "\x00\x00\x00\x9d\x01\x2a"s + le(width, 2) +
         le(height, 2) + std::string(4, '\0');
}

TEST(ImageHeader, ReadsPngDimensions) {
  auto h = read_image_header(png_header(800, 600));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->format, ImageFormat::png);
  EXPECT_EQ(h->width, 800);
  EXPECT_EQ(h->height, 600);
}

TEST(ImageHeader, ReadsJpegDimensionsAfterOtherSegments) {
  auto h = read_image_header(jpeg_header(1024, 768));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->format, ImageFormat::jpeg);
  EXPECT_EQ(h->width, 1024);
  EXPECT_EQ(h->height, 768);
}

TEST(ImageHeader, ReadsEveryWebpFlavour) {
  for (const auto& [bytes, w, h] :
       {std::tuple{webp_lossy(640, 480), 640, 480}, std::tuple{webp_lossless(300, 200), 300, 200},
        std::tuple{webp_vp8x(1200, 900), 1200, 900}}) {
    auto header = read_image_header(bytes);
    ASSERT_TRUE(header.ok()) << header.error().message;
    EXPECT_EQ(header->format, ImageFormat::webp);
    EXPECT_EQ(header->width, w);
    EXPECT_EQ(header->height, h);
  }
}

TEST(ImageHeader, RefusesADecompressionBombBeforeDecoding) {
  // 45 bytes that would decode to 2.5 billion pixels.
  auto h = read_image_header(png_header(50000, 50000));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().kind, ErrorKind::unprocessable);
  EXPECT_EQ(h.error().code, "image_too_large");
  EXPECT_NE(h.error().message.find("10000 pixels per side"), std::string::npos)
      << h.error().message;
}

TEST(ImageHeader, RefusesTooManyPixelsWithinTheSideLimit) {
  auto h = read_image_header(jpeg_header(9000, 9000));  // 81 megapixels
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "image_too_large");
  EXPECT_NE(h.error().message.find("40 megapixels"), std::string::npos);
}

TEST(ImageHeader, RefusesOversizeWebpCanvas) {
  auto h = read_image_header(webp_vp8x(16000, 100));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "image_too_large");
}

TEST(ImageHeader, AcceptsTheLargestAllowedImage) {
  EXPECT_TRUE(read_image_header(png_header(10000, 4000)).ok());
}

TEST(ImageHeader, NamesRefusedFormats) {
  struct Case {
    std::string bytes;
    std::string named;
  };
  for (const auto& c : {Case{"GIF89a\x01\x00\x01\x00"s, "GIF"},
                        Case{"<?xml version=\"1.0\"?><svg xmlns=\"x\"/>", "SVG"},
                        Case{"  <svg width=\"10\"></svg>", "SVG"},
                        Case{"BM\x3a\x00\x00\x00"s, "BMP"}, Case{"%PDF-1.7", "PDF"},
                        Case{"hello, world", "not a recognised image"}, Case{"", "empty"}}) {
    auto h = read_image_header(c.bytes);
    ASSERT_FALSE(h.ok()) << c.named;
    EXPECT_EQ(h.error().kind, ErrorKind::unsupported);
    EXPECT_EQ(h.error().code, "unsupported_media_type");
    EXPECT_NE(h.error().message.find(c.named), std::string::npos) << h.error().message;
  }
}

TEST(ImageHeader, RefusesHeadersCutShort) {
  for (const std::string& bytes :
       {png_header(10, 10).substr(0, 20), jpeg_header(10, 10).substr(0, 25), "\xFF\xD8\xFF"s,
        webp_lossy(10, 10).substr(0, 20)}) {
    auto h = read_image_header(bytes);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().code, "image_unreadable") << h.error().message;
  }
}

TEST(ImageHeader, RefusesAJpegWhoseImageDataComesBeforeAnyFrame) {
  auto h = read_image_header("\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3f\x00"s);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "image_unreadable");
}

TEST(ImageHeader, RefusesZeroDimensions) {
  auto h = read_image_header(png_header(0, 10));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, "image_unreadable");
}

TEST(ImageHeader, MapsContentTypes) {
  EXPECT_EQ(*format_for_content_type("image/jpeg"), ImageFormat::jpeg);
  EXPECT_EQ(*format_for_content_type("image/jpg"), ImageFormat::jpeg);  // seen in the wild
  EXPECT_EQ(*format_for_content_type("IMAGE/PNG; charset=binary"), ImageFormat::png);
  EXPECT_EQ(*format_for_content_type("image/webp"), ImageFormat::webp);
  for (const char* refused : {"image/gif", "image/svg+xml", "text/plain", ""}) {
    auto f = format_for_content_type(refused);
    ASSERT_FALSE(f.ok()) << refused;
    EXPECT_EQ(f.error().code, "unsupported_media_type");
  }
}

}  // namespace
}  // namespace fff::media
