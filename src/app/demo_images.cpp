#include "app/demo_images.hpp"

#include <vips/vips8>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace fff::app {
namespace {

// Garment outlines in a 400×500 box, centred, standing on a floor at y≈455. Each is one
// closed shape (filled in the product colour) plus details drawn as thin strokes on top.
struct Silhouette {
  const char* shape;
  const char* details;
  const char* accents = "";    // collars, lapels, waistbands: shaded a little darker
  const char* placement = "";  // an SVG transform that stands a small item on the floor
};

const Silhouette& silhouette_for(std::string_view kind) {
  static const Silhouette kDress{
      "M160 70 Q200 96 240 70 L262 78 L286 132 L262 142 L252 122 L248 200 Q246 214 256 230 "
      "L322 438 Q200 462 78 438 L144 230 Q154 214 152 200 L148 122 L138 142 L114 132 L138 78 Z",
      "M152 204 Q200 216 248 204 M150 300 Q146 370 128 440 M250 300 Q254 370 272 440"};
  static const Silhouette kTop{
      "M152 92 Q200 122 248 92 L310 116 L336 186 L296 202 L280 166 L282 400 Q200 412 118 400 "
      "L120 166 L104 202 L64 186 L90 116 Z",
      "M152 92 Q200 132 248 92 M120 392 Q200 404 280 392"};
  static const Silhouette kShirt{
      "M148 86 L252 86 L306 106 L336 330 L302 338 L284 192 L284 412 L116 412 L116 192 L98 338 "
      "L64 330 L94 106 Z",
      "M200 128 L200 412 M300 318 L334 310 M100 318 L66 310",
      "M158 70 L200 96 L242 70 L254 88 L216 122 L200 104 L184 122 L146 88 Z"};
  static const Silhouette kJeans{
      "M134 60 L266 60 L276 112 L292 452 L220 456 L203 172 L197 172 L180 456 L108 452 L124 112 Z",
      "M146 84 Q150 120 180 124 M254 84 Q250 120 220 124 M200 80 L200 168 "
      "M112 430 L180 434 M220 434 L290 430",
      "M134 60 L266 60 L270 80 L130 80 Z"};
  static const Silhouette kTrousers{
      "M136 62 L264 62 L276 110 L304 452 L222 456 L202 176 L198 176 L178 456 L96 452 L124 110 Z",
      "M136 82 L264 82 M162 86 L138 456 M238 86 L262 456 M200 82 L200 172"};
  static const Silhouette kSkirt{
      "M148 118 L252 118 L260 150 L322 400 Q200 428 78 400 L140 150 Z",
      "M142 146 L258 146 M170 150 L140 410 M200 150 L200 416 M230 150 L260 410"};
  static const Silhouette kJacket{
      "M138 78 L262 78 L320 104 L346 362 L308 370 L290 202 L294 432 L106 432 L110 202 L92 370 "
      "L54 362 L80 104 Z",
      "M162 78 L200 210 L238 78 M162 78 L150 150 L188 170 M238 78 L250 150 L212 170 "
      "M200 210 L200 432 M120 300 L170 300 M230 300 L280 300",
      "M162 78 L200 210 L188 170 L150 150 Z M238 78 L200 210 L212 170 L250 150 Z"};
  static const Silhouette kKnitwear{
      "M150 94 Q200 124 250 94 L306 112 Q330 200 340 342 L300 348 L284 202 L286 398 L114 398 "
      "L116 202 L100 348 L60 342 Q70 200 94 112 Z",
      "M150 94 Q200 138 250 94 M116 372 L286 372 M62 322 L100 326 M338 322 L300 326 "
      "M140 376 L140 398 M170 376 L170 398 M200 376 L200 398 M230 376 L230 398 M260 376 "
      "L260 398"};
  // A trainer in profile, toe to the right: upper with a collar dip at the ankle, then the sole.
  static const Silhouette kShoes{
      "M70 330 C70 300 80 262 120 258 L150 256 C165 256 172 270 185 272 C200 274 215 262 230 "
      "262 C262 264 300 282 330 300 C348 310 352 325 350 338 L70 338 Z",
      "M190 276 L206 300 M206 270 L222 294 M222 266 L238 290 M300 296 Q322 318 350 332 "
      "M84 298 L104 300",
      "M62 336 L356 336 C358 350 352 360 340 362 L76 362 C66 362 60 352 62 336 Z",
      "translate(200 452) scale(1.15) translate(-208 -362)"};
  static const Silhouette kBag{
      "M108 200 L292 200 L308 424 L92 424 Z M144 202 L144 176 Q146 108 200 108 Q254 108 256 176 "
      "L256 202 L240 202 L240 178 Q238 124 200 124 Q162 124 160 178 L160 202 Z",
      "M112 236 L288 236 M200 236 L200 262", "", "translate(0 26)"};
  static const Silhouette kAccessory{
      "M118 306 Q114 146 200 142 Q286 146 282 306 Z M104 296 L296 296 Q306 296 306 308 L306 338 "
      "Q306 350 294 350 L106 350 Q94 350 94 338 L94 308 Q94 296 104 296 Z "
      "M200 92 A30 30 0 1 1 199.9 92 Z",
      "M130 310 L130 340 M160 310 L160 340 M190 310 L190 340 M220 310 L220 340 M250 310 "
      "L250 340 M280 310 L280 340 M200 150 L200 296",
      "", "translate(200 452) scale(1.15) translate(-200 -350)"};
  struct Entry {
    std::string_view kind;
    const Silhouette* silhouette;
  };
  static const Entry kEntries[] = {{"Dresses", &kDress},        {"Tops", &kTop},
                                   {"Shirts", &kShirt},         {"Jeans", &kJeans},
                                   {"Trousers", &kTrousers},    {"Skirts", &kSkirt},
                                   {"Jackets", &kJacket},       {"Knitwear", &kKnitwear},
                                   {"Shoes", &kShoes},          {"Bags", &kBag},
                                   {"Accessories", &kAccessory}};
  for (const auto& e : kEntries)
    if (e.kind == kind) return *e.silhouette;
  return kTop;
}

// Relative luminance of "#rrggbb", 0 (black) to 1 (white); 0.5 for anything unparsable.
double luminance(std::string_view hex) {
  if (hex.size() != 7 || hex[0] != '#') return 0.5;
  unsigned rgb =
      static_cast<unsigned>(std::strtoul(std::string(hex.substr(1)).c_str(), nullptr, 16));
  double r = ((rgb >> 16) & 0xFF) / 255.0, g = ((rgb >> 8) & 0xFF) / 255.0,
         b = (rgb & 0xFF) / 255.0;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

}  // namespace

std::string garment_svg(std::string_view kind, std::string_view hex) {
  const Silhouette& s = silhouette_for(kind);
  // Seams show as a darker line on light cloth and a lighter one on dark cloth.
  bool light = luminance(hex) > 0.55;
  const char* seam = light ? "#000000" : "#ffffff";
  const char* seam_opacity = light ? "0.18" : "0.22";
  char size[64];
  std::snprintf(size, sizeof size, "width=\"%d\" height=\"%d\"", kDemoImageWidth, kDemoImageHeight);
  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ";
  svg += size;
  svg += " viewBox=\"0 0 400 500\">";
  svg +=
      "<defs>"
      "<linearGradient id=\"backdrop\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
      "<stop offset=\"0\" stop-color=\"#f3f0eb\"/><stop offset=\"0.78\" stop-color=\"#e7e2da\"/>"
      "<stop offset=\"1\" stop-color=\"#dcd6cc\"/></linearGradient>"
      "<linearGradient id=\"shade\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0.3\">"
      "<stop offset=\"0\" stop-color=\"#ffffff\" stop-opacity=\"0.22\"/>"
      "<stop offset=\"0.45\" stop-color=\"#ffffff\" stop-opacity=\"0\"/>"
      "<stop offset=\"1\" stop-color=\"#000000\" stop-opacity=\"0.22\"/></linearGradient>"
      "<radialGradient id=\"floor\"><stop offset=\"0\" stop-color=\"#000000\" "
      "stop-opacity=\"0.2\"/><stop offset=\"1\" stop-color=\"#000000\" stop-opacity=\"0\"/>"
      "</radialGradient>"
      "<path id=\"garment\" fill-rule=\"nonzero\" d=\"";
  svg += s.shape;
  svg += "\"/></defs>";
  svg += "<rect width=\"400\" height=\"500\" fill=\"url(#backdrop)\"/>";
  // A soft shadow on the floor (a radial gradient: a blur filter costs four times the render).
  svg += "<ellipse cx=\"200\" cy=\"458\" rx=\"150\" ry=\"16\" fill=\"url(#floor)\"/>";
  svg += "<g transform=\"";
  svg += s.placement;
  svg += "\">";
  svg += "<use xlink:href=\"#garment\" fill=\"";
  svg += hex;
  svg += "\"/>";
  svg += "<use xlink:href=\"#garment\" fill=\"url(#shade)\"/>";
  svg +=
      "<use xlink:href=\"#garment\" fill=\"none\" stroke=\"#000000\" stroke-opacity=\"0.25\" "
      "stroke-width=\"1.5\" stroke-linejoin=\"round\"/>";
  if (*s.accents) {
    // In the cloth's colour first: a collar may stand above the body's outline.
    svg += "<path d=\"";
    svg += s.accents;
    svg += "\" fill=\"";
    svg += hex;
    svg += "\"/><path d=\"";
    svg += s.accents;
    svg +=
        "\" fill=\"#000000\" fill-opacity=\"0.14\" stroke=\"#000000\" stroke-opacity=\"0.2\" "
        "stroke-width=\"1\" stroke-linejoin=\"round\"/>";
  }
  svg += "<path d=\"";
  svg += s.details;
  svg += "\" fill=\"none\" stroke=\"";
  svg += seam;
  svg += "\" stroke-opacity=\"";
  svg += seam_opacity;
  svg += "\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-dasharray=\"5 4\"/>";
  svg += "</g></svg>";
  return svg;
}

Result<std::string> render_svg_to_webp(const std::string& svg) {
  // media::start_imaging blocks libvips' untrusted loaders, SVG among them, because SVG from a
  // client may read files and fetch URLs. These drawings are ours, so their loader is let back
  // in; uploads never reach it (media checks that vips picks the loader of the sniffed format).
  static std::once_flag unblocked;
  std::call_once(unblocked, [] { vips_operation_block_set("VipsForeignLoadSvgBuffer", FALSE); });
  try {
    VipsBlob* source = vips_blob_new(nullptr, svg.data(), svg.size());
    vips::VImage image;
    try {
      image = vips::VImage::svgload_buffer(source, vips::VImage::option())
                  .flatten()
                  .colourspace(VIPS_INTERPRETATION_sRGB)
                  .copy_memory();
    } catch (...) {
      vips_area_unref(VIPS_AREA(source));
      throw;
    }
    vips_area_unref(VIPS_AREA(source));
    VipsBlob* blob = image.webpsave_buffer(
        vips::VImage::option()->set("Q", 85)->set("strip", true)->set("effort", 2));
    std::string out(static_cast<const char*>(VIPS_AREA(blob)->data), VIPS_AREA(blob)->length);
    vips_area_unref(VIPS_AREA(blob));
    return out;
  } catch (const vips::VError& e) {
    vips_error_clear();
    return Error::internal(std::string("demo image not rendered: ") + e.what());
  }
}

}  // namespace fff::app
