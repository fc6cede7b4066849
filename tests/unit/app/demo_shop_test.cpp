// The demo shop generator: deterministic, realistic in shape, and safe to load twice.
#include "app/demo_shop.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "infra/db/migrator.hpp"
#include "migrations/catalog.hpp"
#include "migrations/inventory.hpp"
#include "migrations/jobs.hpp"
#include "migrations/media.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/media/imaging.hpp"
#include "modules/media/service.hpp"
#include "support/test_databases.hpp"

namespace fff::app {
namespace {

// Everything the generator decides, as text, so two catalogs compare with one EXPECT_EQ.
std::string fingerprint(const DemoChunk& chunk) {
  std::ostringstream out;
  const auto& c = chunk.catalog;
  for (const auto& x : c.categories)
    out << "C " << x.id << ' ' << x.parent_id.value_or("-") << ' ' << x.slug << ' ' << x.name
        << '\n';
  for (const auto& x : c.brands) out << "B " << x.id << ' ' << x.slug << '\n';
  for (const auto& x : c.option_values)
    out << "O " << x.option << ' ' << x.code << ' ' << x.swatch_hex.value_or("-") << '\n';
  for (const auto& p : c.products) {
    out << "P " << p.id << ' ' << p.slug << ' ' << p.title << ' ' << p.price.minor() << ' '
        << p.category_id.value_or("-") << ' ' << p.brand_id.value_or("-") << ' ' << p.status << ' '
        << p.created_at << ' ' << p.sales_count << ' ' << p.description << '\n';
    for (const auto& t : p.tags) out << "T " << t << '\n';
  }
  for (const auto& v : c.variants)
    out << "V " << v.id << ' ' << v.sku << ' ' << v.size << ' ' << v.colour << ' ' << v.price_minor
        << ' ' << v.compare_at_minor.value_or(-1) << ' ' << v.barcode.value_or("-") << '\n';
  for (const auto& i : c.images) out << "I " << i.id << ' ' << i.media_key << '\n';
  for (const auto& [id, units] : chunk.stock) out << "S " << id << ' ' << units << '\n';
  return out.str();
}

// Well-formed UTF-8 (PostgreSQL refuses anything else).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

TEST(DemoShop, AllTextIsValidUtf8) {
  DemoChunk shop = generate_demo_chunk(1, 0, 3000);
  for (const auto& p : shop.catalog.products) {
    for (const std::string* text : {&p.title, &p.description, &p.seo_title, &p.seo_description})
      ASSERT_TRUE(valid_utf8(*text)) << p.slug << ": " << *text;
    EXPECT_LE(p.seo_description.size(), 155u);
  }
  for (const auto& t : shop.catalog.translations) ASSERT_TRUE(valid_utf8(t.value)) << t.value;
}

TEST(DemoShop, SameSeedGivesTheSameCatalog) {
  EXPECT_EQ(fingerprint(generate_demo_chunk(7, 0, 120)),
            fingerprint(generate_demo_chunk(7, 0, 120)));
}

TEST(DemoShop, AnotherSeedGivesAnotherCatalog) {
  EXPECT_NE(fingerprint(generate_demo_chunk(7, 0, 50)), fingerprint(generate_demo_chunk(8, 0, 50)));
}

TEST(DemoShop, ChunksAddUpToTheWholeCatalog) {
  DemoChunk whole = generate_demo_chunk(3, 0, 60);
  DemoChunk first = generate_demo_chunk(3, 0, 25);
  DemoChunk rest = generate_demo_chunk(3, 25, 35);
  ASSERT_EQ(whole.catalog.products.size(), 60u);
  for (size_t i = 0; i < 25; ++i)
    EXPECT_EQ(whole.catalog.products[i].slug, first.catalog.products[i].slug);
  for (size_t i = 0; i < 35; ++i)
    EXPECT_EQ(whole.catalog.products[25 + i].id, rest.catalog.products[i].id);
  EXPECT_EQ(whole.catalog.variants.size(),
            first.catalog.variants.size() + rest.catalog.variants.size());
}

TEST(DemoShop, EveryCategoryHasProductsAndIdentifiersAreUnique) {
  DemoChunk shop = generate_demo_chunk(1, 0, 2000);
  std::set<std::string> leaves_used, slugs, skus, ids;
  for (const auto& p : shop.catalog.products) {
    leaves_used.insert(*p.category_id);
    EXPECT_TRUE(slugs.insert(p.slug).second) << p.slug;
    EXPECT_TRUE(catalog::valid_slug(p.slug)) << p.slug;
    EXPECT_TRUE(ids.insert(p.id).second);
    EXPECT_FALSE(p.description.empty());
    EXPECT_GT(p.price.minor(), 0);
  }
  for (const auto& c : shop.catalog.categories)
    if (c.parent_id) {
      EXPECT_TRUE(leaves_used.count(c.id)) << c.slug << " has no products";
    }
  for (const auto& v : shop.catalog.variants) {
    EXPECT_TRUE(skus.insert(v.sku).second) << v.sku;
    EXPECT_TRUE(ids.insert(v.id).second);
  }
  EXPECT_GT(shop.catalog.variants.size(), 10'000u);
}

TEST(DemoShop, SizesFitTheCategoryAndSomeSizesAreSoldOut) {
  DemoChunk shop = generate_demo_chunk(1, 0, 400);
  std::map<std::string, std::string> category_slug;
  for (const auto& c : shop.catalog.categories) category_slug[c.id] = c.slug;
  std::map<std::string, std::string> product_category;
  for (const auto& p : shop.catalog.products)
    product_category[p.id] = category_slug[*p.category_id];
  std::set<std::string> letters{"xs", "s", "m", "l", "xl"};
  size_t sold_out = 0;
  for (size_t i = 0; i < shop.catalog.variants.size(); ++i) {
    const auto& v = shop.catalog.variants[i];
    const std::string& cat = product_category[v.product_id];
    if (cat == "women-jeans" || cat == "men-trousers") {
      int waist = std::stoi(v.size);
      EXPECT_TRUE(waist >= 26 && waist <= 36 && waist % 2 == 0) << v.sku;
    } else if (cat.ends_with("-shoes")) {
      int eu = std::stoi(v.size);
      EXPECT_TRUE(eu >= 36 && eu <= 46) << v.sku;
    } else if (cat == "women-dresses" || cat == "men-knitwear") {
      EXPECT_TRUE(letters.count(v.size)) << v.sku;
    } else if (cat.ends_with("-bags")) {
      EXPECT_EQ(v.size, "one-size");
    }
    EXPECT_EQ(shop.stock[i].first, v.id);
    EXPECT_EQ(v.in_stock, shop.stock[i].second > 0);
    if (shop.stock[i].second == 0) ++sold_out;
  }
  EXPECT_GT(sold_out, 0u);
  EXPECT_LT(sold_out, shop.catalog.variants.size() / 4);
}

class DemoShopStorageTest : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(, DemoShopStorageTest,
                         ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

// Loading twice adds nothing the second time, and the opening stock's ledger adds up.
TEST_P(DemoShopStorageTest, SeedingTwiceAddsNothingAndStockAgreesWithTheLedger) {
  fff::testing::ScratchDatabase scratch(GetParam());
  auto db = db::Database::open(scratch.url(), {});
  ASSERT_TRUE(db.ok());
  std::vector<db::Migration> all = db::jobs_migrations();
  for (auto& m : db::catalog_migrations()) all.push_back(m);
  for (auto& m : db::inventory_migrations()) all.push_back(m);
  ASSERT_TRUE(db::migrate(**db, all).ok());
  catalog::CatalogService catalog(**db, Clock::system());
  inventory::InventoryService inventory(**db, Clock::system());
  DemoShopOptions options;
  options.products = 90;
  options.seed = 5;
  options.chunk = 40;
  int64_t progress_calls = 0;
  options.progress = [&](int64_t done, int64_t total) {
    ++progress_calls;
    EXPECT_EQ(total, 90);
    EXPECT_LE(done, 90);
  };
  auto first = seed_demo_shop(catalog, inventory, nullptr, options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->products_added, 90);
  EXPECT_EQ(progress_calls, 3);
  auto second = seed_demo_shop(catalog, inventory, nullptr, options);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->products_added, 0);
  auto count = (*db)->query("SELECT count(*) FROM variants");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->rows[0].int64(0), first->variants);
  auto mismatches = inventory.verify();
  ASSERT_TRUE(mismatches.ok());
  EXPECT_TRUE(mismatches->empty());
  auto empty = catalog.is_empty();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(*empty);
}

// Every product image is a stored picture, shared by products of one kind and colour, and the
// same seed gives the same picture keys in a fresh shop.
TEST_P(DemoShopStorageTest, ProductImagesAreStoredPicturesWithDeterministicKeys) {
  media::start_imaging(2);
  auto seed_keys = [&](const std::string& tag) {
    fff::testing::ScratchDatabase scratch(GetParam());
    auto db = db::Database::open(scratch.url(), {});
    EXPECT_TRUE(db.ok());
    std::vector<db::Migration> all = db::jobs_migrations();
    for (auto& m : db::catalog_migrations()) all.push_back(m);
    for (auto& m : db::inventory_migrations()) all.push_back(m);
    for (auto& m : db::media_migrations()) all.push_back(m);
    EXPECT_TRUE(db::migrate(**db, all).ok());
    std::filesystem::path root = std::filesystem::temp_directory_path() /
                                 ("fff-demo-media-" + std::to_string(::getpid()) + "-" + tag);
    std::filesystem::remove_all(root);
    catalog::CatalogService catalog(**db, Clock::system());
    inventory::InventoryService inventory(**db, Clock::system());
    media::MediaService pictures(**db, Clock::system(), root, "demo test secret");
    DemoShopOptions options;
    options.products = 8;
    int64_t image_progress = 0;
    options.image_progress = [&](int64_t done, int64_t total) {
      image_progress = done;
      EXPECT_LE(done, total);
    };
    auto report = seed_demo_shop(catalog, inventory, &pictures, options);
    EXPECT_TRUE(report.ok()) << report.error().message;
    EXPECT_GT(report->images, 0);
    EXPECT_EQ(image_progress, report->images);
    auto rows = (*db)->query(
        "SELECT i.media_key, m.content_type, m.width, m.height FROM product_images i "
        "LEFT JOIN media_assets m ON m.media_key = i.media_key ORDER BY i.id");
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> keys;
    std::set<std::string> distinct;
    for (const auto& row : rows->rows) {
      EXPECT_FALSE(row.is_null(1)) << row.text(0) << " is not a stored picture";
      if (row.is_null(1)) continue;
      EXPECT_EQ(row.text(1), "image/webp");
      EXPECT_EQ(row.int64(2), 640);
      EXPECT_EQ(row.int64(3), 800);
      keys.push_back(row.text(0));
      distinct.insert(row.text(0));
    }
    EXPECT_EQ(static_cast<int64_t>(distinct.size()), report->images);
    std::filesystem::remove_all(root);
    return keys;
  };
  std::vector<std::string> first = seed_keys("a");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, seed_keys("b"));
}

}  // namespace
}  // namespace fff::app
