// Catalog service: the in-stock mirror that list filters and facets read, on every storage
// config.
#include "modules/catalog/service.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/catalog.hpp"
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

}  // namespace
}  // namespace fff::catalog
