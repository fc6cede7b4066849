// app/demo_images: the demo shop's product pictures. Each is a garment silhouette (dress, jeans,
// bag …) in a product colour on a soft studio background, drawn as SVG and rasterised to WebP by
// libvips, so a fresh shop looks like a shop without shipping any photographs.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fff::app {

// Size of a rendered demo picture: 4:5 portrait, as fashion product photos are.
inline constexpr int kDemoImageWidth = 640;
inline constexpr int kDemoImageHeight = 800;

// The SVG for a garment kind (a demo category name: "Dresses", "Jeans", "Bags" …; unknown kinds
// get a generic top) filled with `hex` ("#b3282d"). Pure and deterministic.
std::string garment_svg(std::string_view kind, std::string_view hex);

// Rasterises our own SVG (never a client's: SVG may reference files and run scripts) to WebP.
// REQUIRES: media::start_imaging() was called. Error: internal when libvips fails.
Result<std::string> render_svg_to_webp(const std::string& svg);

}  // namespace fff::app
