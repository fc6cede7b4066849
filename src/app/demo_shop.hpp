// app/demo_shop: a realistic, deterministic fashion catalog for first starts, demos and
// benchmarks (`fff seed --demo`, and `fff serve` on an empty database).
//
// The same (products, seed) always gives the same catalog, ids included: ids are UUIDv7-shaped
// values drawn from the seeded generator, so two nodes seeding one empty database at once
// write identical rows and the second finds them already there.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "modules/catalog/model.hpp"

namespace fff::catalog {
class CatalogService;
}
namespace fff::inventory {
class InventoryService;
}
namespace fff::media {
class MediaService;
}

namespace fff::app {

struct DemoShopOptions {
  int64_t products = 2000;
  uint64_t seed = 1;
  // Products per transaction; progress is reported after each.
  int64_t chunk = 1000;
  // Called after each chunk with (products written so far, products in all).
  std::function<void(int64_t done, int64_t total)> progress;
  // Render a picture per garment kind and colour (when a media service is given). Off, products
  // keep stand-in image keys that serve nothing: quicker, for tests that never look at images.
  bool images = true;
  // Called after each picture with (pictures stored so far, pictures in all).
  std::function<void(int64_t done, int64_t total)> image_progress;
};

// One chunk of the demo catalog: products [first, first + count) with their variants, images
// and tags, plus each variant's opening stock. Pure: no I/O, no clock, no global randomness.
struct DemoChunk {
  catalog::CatalogBatch catalog;  // reference rows (categories, brands, options) in every chunk
  std::vector<std::pair<std::string, int64_t>> stock;  // variant id -> units on hand
};
DemoChunk generate_demo_chunk(uint64_t seed, int64_t first, int64_t count);

struct DemoShopReport {
  int64_t products_added = 0;
  int64_t variants = 0;
  int64_t images = 0;  // distinct pictures stored
  double seconds = 0;
};

// Writes the demo shop: its pictures (through `media`, content-addressed, so products of one
// kind and colour share one), then catalog rows and opening stock at the "main" location, chunk
// by chunk. Rows that exist already are kept, so running it twice adds nothing. Without `media`
// (or with options.images off) images keep their stand-in keys.
Result<DemoShopReport> seed_demo_shop(catalog::CatalogService& catalog,
                                      inventory::InventoryService& inventory,
                                      media::MediaService* media, const DemoShopOptions& options);

}  // namespace fff::app
