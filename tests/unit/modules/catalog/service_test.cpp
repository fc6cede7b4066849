// Catalog service: the in-stock mirror that list filters and facets read, on every storage
// config.
#include "modules/catalog/service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/catalog.hpp"
#include "migrations/jobs.hpp"
#include "support/test_databases.hpp"

namespace fff::catalog {
namespace {

class CatalogServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), {});
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    ASSERT_TRUE(db::migrate(*db_, db::jobs_migrations()).ok());  // catalog writes publish events
    ASSERT_TRUE(db::migrate(*db_, db::catalog_migrations()).ok());
    service_ = std::make_unique<CatalogService>(*db_, Clock::system());

    CatalogBatch batch;
    batch.option_values = {{"colour", "black", "Black", "#111111", 0},
                           {"size", "m", "M", std::nullopt, 0}};
    Product p;
    p.id = new_id();
    p.slug = "black-tee";
    p.title = "Black Tee";
    p.price = Money(1990, Currency::USD);
    p.status = "active";
    p.created_at = "2026-01-01T00:00:00.000000Z";
    p.updated_at = p.created_at;
    p.tags = {"new"};
    batch.products.push_back(p);
    for (const char* size : {"m", "l"}) {
      Variant v;
      v.id = new_id();
      v.product_id = p.id;
      v.sku = std::string("TEE-BLK-") + size;
      v.size = size;
      v.colour = "black";
      v.price_minor = 1990;
      v.in_stock = std::string(size) == "m";
      batch.variants.push_back(v);
    }
    variant_m_ = batch.variants[0].id;
    variant_l_ = batch.variants[1].id;
    auto added = service_->load_batch(batch);
    ASSERT_TRUE(added.ok()) << added.error().message;
    ASSERT_EQ(*added, 1);
  }

  int64_t in_stock_total(std::vector<std::string> sizes = {}) {
    ProductFilter filter;
    filter.in_stock = true;
    filter.sizes = std::move(sizes);
    auto page = service_->list_products(filter, ProductSort::newest, 1, 24);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->total : -1;
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<CatalogService> service_;
  std::string variant_m_, variant_l_;
};
INSTANTIATE_TEST_SUITE_P(, CatalogServiceTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(CatalogServiceTest, FacetsCountTheLoadedProduct) {
  auto page = service_->list_products({}, ProductSort::newest, 1, 24);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
  ASSERT_EQ(page->facets.colours.size(), 1u);
  EXPECT_EQ(page->facets.colours[0].value, "black");
  EXPECT_EQ(page->facets.colours[0].swatch_hex, "#111111");
  EXPECT_EQ(page->facets.sizes.size(), 2u);
  ASSERT_EQ(page->facets.tags.size(), 1u);
  EXPECT_EQ(page->facets.tags[0].value, "new");
  EXPECT_EQ(page->facets.in_stock, 1);
}

TEST_P(CatalogServiceTest, SellingOutTheLastVariantTakesTheProductOutOfInStock) {
  EXPECT_EQ(in_stock_total(), 1);
  EXPECT_EQ(in_stock_total({"l"}), 0);  // size and stock are asked of one variant
  ASSERT_TRUE(service_->set_variant_in_stock(variant_l_, true).ok());
  EXPECT_EQ(in_stock_total({"l"}), 1);
  ASSERT_TRUE(service_->set_variant_in_stock(variant_m_, false).ok());
  EXPECT_EQ(in_stock_total(), 1);
  ASSERT_TRUE(service_->set_variant_in_stock(variant_l_, false).ok());
  EXPECT_EQ(in_stock_total(), 0);
  auto page = service_->list_products({}, ProductSort::newest, 1, 24);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->facets.in_stock, 0);
}

TEST_P(CatalogServiceTest, UnknownVariantIsNotFound) {
  auto r = service_->set_variant_in_stock(new_id(), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "variant_not_found");
}

// The search index the service keeps: built when missing, rebuilt when damaged or out of step
// with the database, and current when a write returns.
class CatalogSearchTest : public CatalogServiceTest {
 protected:
  void SetUp() override {
    CatalogServiceTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("fff-catalog-search-" + new_id());
  }
  void TearDown() override {
    service_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int64_t search_total(const std::string& text, bool in_stock = false) {
    ProductFilter filter;
    filter.in_stock = in_stock;
    auto page = service_->search_products(text, filter, ProductSort::relevance, 1, 24);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    return page.ok() ? page->total : -1;
  }

  Product tee(const std::string& slug, const std::string& title) {
    Product p;
    p.id = new_id();
    p.slug = slug;
    p.title = title;
    p.price = Money(2500, Currency::USD);
    p.status = "active";
    p.created_at = "2026-02-01T00:00:00.000000Z";
    p.updated_at = p.created_at;
    return p;
  }

  std::filesystem::path dir_;
};
INSTANTIATE_TEST_SUITE_P(, CatalogSearchTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(CatalogSearchTest, WithoutAnIndexSearchIsUnavailableAndListingsUseSql) {
  ProductFilter none;
  auto found = service_->search_products("tee", none, ProductSort::relevance, 1, 24);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, "search_unavailable");
  auto page = service_->list_products(none, ProductSort::newest, 1, 24);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
}

TEST_P(CatalogSearchTest, AMissingIndexIsBuiltAndAnsweredFrom) {
  uint64_t reported = 0;
  ASSERT_TRUE(service_->open_search(dir_, [&](uint64_t done, uint64_t) { reported = done; }).ok());
  EXPECT_EQ(reported, 1u);
  EXPECT_EQ(search_total("tee"), 1);
  EXPECT_EQ(search_total("tees"), 1);      // stemmed
  EXPECT_EQ(search_total("blak tee"), 1);  // corrected
  EXPECT_EQ(search_total("jeans"), 0);
}

TEST_P(CatalogSearchTest, ADamagedIndexIsRebuiltNotServed) {
  ASSERT_TRUE(service_->open_search(dir_).ok());
  service_ = std::make_unique<CatalogService>(*db_, Clock::system());  // closes the index
  // Damage every file of the served build.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_))
    if (entry.is_regular_file() && entry.path().filename() != "CURRENT")
      std::filesystem::resize_file(entry.path(), entry.file_size() / 2);
  uint64_t rebuilt = 0;
  ASSERT_TRUE(service_->open_search(dir_, [&](uint64_t done, uint64_t) { rebuilt = done; }).ok());
  EXPECT_EQ(rebuilt, 1u);
  EXPECT_EQ(search_total("tee"), 1);
}

TEST_P(CatalogSearchTest, AnIndexOutOfStepWithTheDatabaseIsRebuilt) {
  ASSERT_TRUE(service_->open_search(dir_).ok());
  service_ = std::make_unique<CatalogService>(*db_, Clock::system());
  // Products written while no process kept the index (another node, `fff seed`).
  CatalogBatch more;
  more.products = {tee("navy-tee", "Navy Tee"), tee("grey-tee", "Grey Tee")};
  ASSERT_TRUE(service_->load_batch(more).ok());
  ASSERT_TRUE(service_->open_search(dir_).ok());
  EXPECT_EQ(search_total("tee"), 3);
}

TEST_P(CatalogSearchTest, AWriteIsSearchableWhenItReturns) {
  ASSERT_TRUE(service_->open_search(dir_).ok());
  EXPECT_EQ(search_total("tee", true), 1);  // the M is in stock
  ASSERT_TRUE(service_->set_variant_in_stock(variant_m_, false).ok());
  EXPECT_EQ(search_total("tee", true), 0);
  EXPECT_EQ(search_total("tee"), 1);
  ASSERT_TRUE(service_->set_variant_in_stock(variant_l_, true).ok());
  EXPECT_EQ(search_total("tee", true), 1);
  // A bulk load rebuilds in the background; it is searchable within a second or so.
  CatalogBatch more;
  more.products = {tee("linen-tee", "Linen Tee")};
  ASSERT_TRUE(service_->load_batch(more).ok());
  int64_t total = 0;
  for (int i = 0; i < 100 && total != 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    total = search_total("tee");
  }
  EXPECT_EQ(total, 2);
}

}  // namespace
}  // namespace fff::catalog
