// Catalog staff writes: validation naming fields, atomic product writes, the "from" price,
// optimistic concurrency, category rules, bulk import modes and change notifications, on every
// storage config.
#include <gtest/gtest.h>

#include <memory>

#include "infra/db/migrator.hpp"
#include "migrations/catalog.hpp"
#include "migrations/jobs.hpp"
#include "modules/catalog/service.hpp"
#include "support/test_databases.hpp"

namespace fff::catalog {
namespace {

class StaffCatalogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), {});
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    ASSERT_TRUE(db::migrate(*db_, db::jobs_migrations()).ok());  // catalog writes publish events
    ASSERT_TRUE(db::migrate(*db_, db::catalog_migrations()).ok());
    service_ = std::make_unique<CatalogService>(*db_, Clock::system());
    service_->on_change([this](const CatalogChange& c) { changes_.push_back(c); });
    for (const char* size : {"s", "m", "l"})
      ASSERT_TRUE(service_->create_option_value("size", {size, size, std::nullopt, 0}).ok());
    ASSERT_TRUE(service_->create_option_value("colour", {"black", "Black", "#111111", 0}).ok());
    auto women = service_->create_category({"women", "Women", std::nullopt, 0});
    ASSERT_TRUE(women.ok());
    women_ = women->id;
    auto dresses = service_->create_category({"women-dresses", "Dresses", women_, 0});
    ASSERT_TRUE(dresses.ok());
    dresses_ = dresses->id;
    changes_.clear();
  }

  static VariantInput variant(const std::string& sku, const std::string& size, int64_t price) {
    VariantInput v;
    v.sku = sku;
    v.size = size;
    v.colour = "black";
    v.price_minor = price;
    return v;
  }

  ProductInput dress(const std::string& slug) {
    ProductInput in;
    in.slug = slug;
    in.title = "Linen Dress";
    in.category_id = std::optional<std::string>(dresses_);
    in.status = "active";
    in.variants = {variant(slug + "-m", "m", 7990), variant(slug + "-l", "l", 6990)};
    return in;
  }

  int64_t shop_total() {
    auto page = service_->list_products({}, ProductSort::newest, 1, 24);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->total : -1;
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<CatalogService> service_;
  std::vector<CatalogChange> changes_;
  std::string women_, dresses_;
};
INSTANTIATE_TEST_SUITE_P(, StaffCatalogTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(StaffCatalogTest, CreatedProductHasItsVariantsAndTheCheapestAsFromPrice) {
  auto made = service_->create_product(dress("linen-dress"));
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made->variants.size(), 2u);
  EXPECT_EQ(made->product.price.minor(), 6990);
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].product_ids, std::vector<std::string>{made->product.id});
  auto shown = service_->product_by_slug("linen-dress");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->summary.product.price.minor(), 6990);
}

TEST_P(StaffCatalogTest, ATakenSkuRefusesTheWholeProduct) {
  ASSERT_TRUE(service_->create_product(dress("first-dress")).ok());
  ProductInput second = dress("second-dress");
  second.variants[1].sku = "first-dress-m";
  auto refused = service_->create_product(second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "sku_taken");
  ASSERT_EQ(refused.error().fields.size(), 1u);
  EXPECT_EQ(refused.error().fields[0].field, "variants[1].sku");
  EXPECT_EQ(shop_total(), 1);  // not even the product row
  auto taken = service_->create_product(dress("first-dress"));
  EXPECT_EQ(taken.error().code, "slug_taken");
}

TEST_P(StaffCatalogTest, BadFieldsAreAllNamedAndNothingIsWritten) {
  ProductInput in = dress("bad-dress");
  in.category_id = std::optional<std::string>("0193a5f2-7c1e-7b3a-9f41-2d6e8c0b5a17");
  in.variants[0].price_minor = -100;
  in.variants[1].compare_at_minor = std::optional<int64_t>(100);
  auto refused = service_->create_product(in);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::unprocessable);
  EXPECT_EQ(refused.error().code, "unknown_category");
  ASSERT_EQ(refused.error().fields.size(), 3u);
  EXPECT_EQ(refused.error().fields[0].field, "category_id");
  EXPECT_EQ(refused.error().fields[1].field, "variants[0].price");
  EXPECT_EQ(refused.error().fields[2].field, "variants[1].compare_at_price");
  EXPECT_EQ(shop_total(), 0);
  EXPECT_TRUE(changes_.empty());
}

TEST_P(StaffCatalogTest, AVariantPriceChangeMovesTheFromPriceAndIsAnnounced) {
  auto made = service_->create_product(dress("price-dress"));
  ASSERT_TRUE(made.ok());
  changes_.clear();
  VariantInput cheaper;
  cheaper.price_minor = 4990;
  auto changed = service_->update_variant(made->product.id, made->variants[0].id, cheaper);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  auto page = service_->list_products({}, ProductSort::newest, 1, 24);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0]->product.price.minor(), 4990);
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].product_ids, std::vector<std::string>{made->product.id});
}

TEST_P(StaffCatalogTest, StaffListFiltersByCategoryAndBrand) {
  auto brand = service_->create_brand({"north", "North"});
  ASSERT_TRUE(brand.ok());
  ProductInput branded = dress("branded-dress");
  branded.brand_id = std::optional<std::string>(brand->id);
  ASSERT_TRUE(service_->create_product(branded).ok());
  ProductInput elsewhere = dress("women-dress");
  elsewhere.category_id = std::optional<std::string>(women_);
  ASSERT_TRUE(service_->create_product(elsewhere).ok());

  StaffProductQuery by_category;
  by_category.category_id = dresses_;
  auto found = service_->staff_products(by_category);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->total, 1);
  EXPECT_EQ(found->items[0].product.slug, "branded-dress");

  StaffProductQuery by_brand;
  by_brand.brand_id = brand->id;
  by_brand.q = "dress";
  found = service_->staff_products(by_brand);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->total, 1);
  EXPECT_EQ(found->items[0].product.slug, "branded-dress");

  StaffProductQuery neither;
  neither.brand_id = brand->id;
  neither.category_id = women_;
  found = service_->staff_products(neither);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 0);
  EXPECT_TRUE(found->items.empty());
}

TEST_P(StaffCatalogTest, AStaleVersionIsAnEditConflictAndChangesNothing) {
  auto made = service_->create_product(dress("versioned-dress"));
  ASSERT_TRUE(made.ok());
  ProductInput rename;
  rename.title = "Renamed";
  auto first = service_->update_product(made->product.id, rename, made->product.updated_at);
  ASSERT_TRUE(first.ok()) << first.error().message;
  rename.title = "Lost update";
  auto second = service_->update_product(made->product.id, rename, made->product.updated_at);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "edit_conflict");
  EXPECT_EQ(service_->staff_product(made->product.id)->product.title, "Renamed");
}

TEST_P(StaffCatalogTest, ArchivingTakesAProductOutOfTheShop) {
  auto made = service_->create_product(dress("archived-dress"));
  ASSERT_TRUE(made.ok());
  ProductInput archive;
  archive.status = "archived";
  ASSERT_TRUE(service_->update_product(made->product.id, archive).ok());
  EXPECT_EQ(shop_total(), 0);
  EXPECT_EQ(service_->product_by_slug("archived-dress").error().code, "product_not_found");
}

TEST_P(StaffCatalogTest, ARenamedProductsFormerSlugsLeadToItsCurrentOne) {
  auto made = service_->create_product(dress("wrap-dress"));
  ASSERT_TRUE(made.ok());
  const std::string id = made->product.id;
  auto rename = [&](const std::string& slug) {
    ProductInput in;
    in.slug = slug;
    auto r = service_->update_product(id, in);
    ASSERT_TRUE(r.ok()) << r.error().message;
  };
  rename("linen-wrap-dress");
  rename("silk-wrap-dress");
  EXPECT_EQ(service_->current_slug_for("wrap-dress").value(), "silk-wrap-dress");
  EXPECT_EQ(service_->current_slug_for("linen-wrap-dress").value(), "silk-wrap-dress");
  EXPECT_EQ(service_->current_slug_for("silk-wrap-dress").value(), std::nullopt);  // it is live
  rename("wrap-dress");  // back to the first: that slug is live again, not a redirect
  EXPECT_EQ(service_->current_slug_for("wrap-dress").value(), std::nullopt);
  EXPECT_EQ(service_->current_slug_for("silk-wrap-dress").value(), "wrap-dress");
  EXPECT_EQ(service_->current_slug_for("never-was").value(), std::nullopt);
  ProductInput archive;
  archive.status = "archived";
  ASSERT_TRUE(service_->update_product(id, archive).ok());
  EXPECT_EQ(service_->current_slug_for("silk-wrap-dress").value(), std::nullopt);  // not sold
}

TEST_P(StaffCatalogTest, ACategoryCannotMoveUnderItsOwnSubcategory) {
  CategoryInput move;
  move.parent_id = std::optional<std::string>(dresses_);
  auto refused = service_->update_category(women_, move);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "category_cycle");
  EXPECT_EQ(refused.error().fields.at(0).field, "parent_id");
}

TEST_P(StaffCatalogTest, ACategoryWithProductsOrChildrenIsNotDeleted) {
  ASSERT_TRUE(service_->create_product(dress("kept-dress")).ok());
  EXPECT_EQ(service_->delete_category(dresses_).error().code, "category_not_empty");
  EXPECT_EQ(service_->delete_category(women_).error().code, "category_not_empty");
  auto empty = service_->create_category({"empty", "Empty", std::nullopt, 0});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(service_->delete_category(empty->id).ok());
}

ImportProduct import_row(int64_t row, const std::string& slug, int64_t price) {
  ImportProduct p;
  p.row = row;
  p.product.slug = slug;
  p.product.title = "Imported " + slug;
  p.product.status = "active";
  p.category_slug = "women-dresses";
  VariantInput v;
  v.sku = slug + "-m";
  v.size = "m";
  v.colour = "black";
  v.price_minor = price;
  p.variants.push_back({row, v});
  return p;
}

TEST_P(StaffCatalogTest, AllOrNothingImportWritesNothingWhenARowFails) {
  std::vector<ImportProduct> rows = {import_row(2, "good-one", 1000), import_row(3, "bad-one", -1),
                                     import_row(4, "good-two", 2000)};
  auto report = service_->import_products(rows, ImportMode::all_or_nothing);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->written);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].row, 3);
  EXPECT_EQ(report->errors[0].field, "price");
  EXPECT_EQ(report->errors[0].code, "invalid_price");
  EXPECT_EQ(shop_total(), 0);
  EXPECT_TRUE(changes_.empty());
}

TEST_P(StaffCatalogTest, BestEffortImportWritesTheGoodRowsAndUpdatesBySlugAndSku) {
  std::vector<ImportProduct> rows = {import_row(2, "good-one", 1000), import_row(3, "bad-one", -1),
                                     import_row(4, "good-two", 2000)};
  auto report = service_->import_products(rows, ImportMode::best_effort);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->written);
  EXPECT_EQ(report->products_created, 2);
  EXPECT_EQ(report->products_failed, 1);
  EXPECT_EQ(shop_total(), 2);
  EXPECT_TRUE(changes_.back().everything);

  auto again =
      service_->import_products({import_row(2, "good-one", 900)}, ImportMode::all_or_nothing);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->products_updated, 1);
  EXPECT_EQ(again->variants_updated, 1);
  EXPECT_EQ(service_->product_by_slug("good-one")->summary.product.price.minor(), 900);
}

}  // namespace
}  // namespace fff::catalog
