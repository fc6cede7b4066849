#include "infra/search/catalog_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace fff::search {
namespace {

namespace fs = std::filesystem;
using Ids = std::set<std::string>;

// ---------------------------------------------------------------------------------------------
// A generated fashion catalog: departments × product types, brands, colours, sizes that fit the
// type, prices, stock, tags and attributes. Deterministic, so failures reproduce.

struct ProductType {
  std::string slug;
  std::string name;                // category display name (neutral: never a synonym)
  std::vector<std::string> nouns;  // title nouns, alternated
  std::vector<std::string> adjectives;
  std::vector<std::string> sizes;
};

const std::vector<std::string> kLetterSizes = {"xs", "s", "m", "l", "xl"};
const std::vector<std::string> kWaistSizes = {"26", "28", "30", "32", "34", "36"};
const std::vector<std::string> kShoeSizes = {"37", "38", "39", "40", "41", "42", "43", "44"};

const std::vector<ProductType> kTypes = {
    {"dresses", "Dresses", {"Dress"}, {"Wrap", "Midi", "Slip", "Shirt"}, kLetterSizes},
    {"tops", "Tops", {"Tee", "T-Shirt"}, {"Classic", "Organic", "Boxy", "Striped"}, kLetterSizes},
    {"jeans", "Denim", {"Jeans"}, {"Slim", "Straight", "Bootcut", "Mom"}, kWaistSizes},
    {"trousers",
     "Bottoms",
     {"Trousers", "Pants"},
     {"Chino", "Pleated", "Cargo", "Linen"},
     kWaistSizes},
    {"knitwear",
     "Knitwear",
     {"Jumper", "Sweater"},
     {"Cable", "Merino", "Chunky", "Crew"},
     kLetterSizes},
    {"shoes",
     "Footwear",
     {"Trainers", "Sneakers"},
     {"Running", "Canvas", "Court", "Retro"},
     kShoeSizes},
    {"bags", "Bags", {"Tote", "Backpack"}, {"Canvas", "Leather", "Mini", "Weekend"}, {"os"}},
    {"skirts", "Skirts", {"Skirt"}, {"Pleated", "Denim", "Wrap", "Mini"}, kLetterSizes},
};
const std::vector<std::string> kDepartments = {"women", "men", "kids"};
const std::vector<std::pair<std::string, std::string>> kBrands = {
    {"northwind", "Northwind"},       {"maison-leclair", "Maison Leclair"},
    {"urban-thread", "Urban Thread"}, {"kestrel", "Kestrel"},
    {"oakline", "Oakline"},           {"sundae", "Sundae"}};
const std::vector<std::string> kColours = {"red",   "blue", "black",     "white",
                                           "green", "navy", "light blue"};
const std::vector<std::string> kMaterials = {"cotton", "linen", "wool", "leather", "silk"};
const std::vector<std::string> kTags = {"new-in", "sale", "bestseller", "organic"};

struct Product {
  SearchDocument doc;
  size_t type = 0;
  std::string noun;
};

std::string id_for(size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0190a0b0-0000-7000-8000-%012zu", i);
  return buf;
}

std::vector<Product> make_catalog(size_t count, size_t first = 0) {
  std::mt19937 rng(20261125);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<Product> out;
  for (size_t i = first; i < first + count; ++i) {
    rng.seed(static_cast<unsigned>(1000 + i));
    Product p;
    p.type = (i / 3) % kTypes.size();
    const ProductType& type = kTypes[p.type];
    const std::string& dept = kDepartments[i % 3];
    p.noun = type.nouns[(i / 24) % type.nouns.size()];
    std::string adjective = type.adjectives[pick(type.adjectives.size())];
    const auto& brand = kBrands[pick(kBrands.size())];
    std::string material = kMaterials[pick(kMaterials.size())];

    SearchDocument& d = p.doc;
    d.id = id_for(i);
    d.title = adjective + " " + p.noun;
    d.slug = dept + "-" + adjective + "-" + std::to_string(i);
    std::transform(d.slug.begin(), d.slug.end(), d.slug.begin(), ::tolower);
    std::string lower_noun = p.noun;
    std::transform(lower_noun.begin(), lower_noun.end(), lower_noun.begin(), ::tolower);
    d.description = "A " + adjective + " " + lower_noun + " made in " + material +
                    ", cut for an easy fit and finished by hand.";
    d.brand_slug = brand.first;
    d.brand_name = brand.second;
    std::string dept_name = dept;
    dept_name[0] = static_cast<char>(::toupper(dept_name[0]));
    d.category_path = {dept, dept + "-" + type.slug};
    d.category_names = {dept_name, type.name};
    size_t colour_count = 1 + pick(3);
    for (size_t c = 0; c < colour_count; ++c) {
      const auto& colour = kColours[pick(kColours.size())];
      if (std::find(d.colours.begin(), d.colours.end(), colour) == d.colours.end()) {
        d.colours.push_back(colour);
      }
    }
    for (const auto& s : type.sizes) {
      if (pick(4) != 0) d.sizes.push_back(s);
    }
    if (d.sizes.empty()) d.sizes.push_back(type.sizes.front());
    size_t tag_count = pick(3);
    for (size_t t = 0; t < tag_count; ++t) {
      const auto& tag = kTags[pick(kTags.size())];
      if (std::find(d.tags.begin(), d.tags.end(), tag) == d.tags.end()) d.tags.push_back(tag);
    }
    d.attributes = {{"material", material}, {"gender", dept}};
    d.price_minor = 1500 + static_cast<int64_t>(pick(300)) * 100;
    d.in_stock = i % 7 != 0;
    char created[40];
    std::snprintf(created, sizeof created, "2026-%02zu-%02zuT%02zu:00:00.000000Z", 1 + pick(10),
                  1 + pick(28), pick(24));
    d.created_at = created;
    d.popularity = static_cast<int64_t>(pick(100000));
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<SearchDocument> docs_of(const std::vector<Product>& products) {
  std::vector<SearchDocument> out;
  for (const auto& p : products) out.push_back(p.doc);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string describe(const Error& e) {
  return e.code + ": " + e.message;
}

fs::path scratch_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("fff-search-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

std::unique_ptr<CatalogIndex> must_open(const fs::path& dir) {
  auto index = CatalogIndex::open(dir);
  EXPECT_TRUE(index.ok());
  return index.ok() ? std::move(*index) : nullptr;
}

// ---------------------------------------------------------------------------------------------

class CatalogIndexTest : public ::testing::Test {
 protected:
  static constexpr size_t kCatalogSize = 400;

  static void SetUpTestSuite() {
    products_ = new std::vector<Product>(make_catalog(kCatalogSize));
    dir_ = new fs::path(scratch_dir("shared"));
    index_ = must_open(*dir_).release();
    auto docs = docs_of(*products_);
    auto built = index_->rebuild(docs);
    ASSERT_TRUE(built.ok()) << describe(built.error());
    ASSERT_EQ(*built, kCatalogSize);
  }
  static void TearDownTestSuite() {
    delete index_;
    fs::remove_all(*dir_);
    delete dir_;
    delete products_;
  }

  static SearchResult must_search(const SearchQuery& q) {
    auto r = index_->search(q);
    EXPECT_TRUE(r.ok()) << describe(r.error());
    return r.ok() ? *r : SearchResult{};
  }
  static SearchResult text(const std::string& t) {
    SearchQuery q;
    q.text = t;
    q.per_page = 100;
    return must_search(q);
  }
  // Every hit of the query, across pages, in order.
  static std::vector<std::string> all_hits(SearchQuery q) {
    q.per_page = 100;
    std::vector<std::string> out;
    for (q.page = 1;; ++q.page) {
      auto r = must_search(q);
      for (const auto& h : r.hits) out.push_back(h.id);
      if (r.hits.size() < 100) break;
    }
    return out;
  }
  static Ids all_ids(const SearchQuery& q) {
    auto v = all_hits(q);
    return Ids(v.begin(), v.end());
  }
  template <typename Pred>
  static Ids expected(Pred pred) {
    Ids out;
    for (const auto& p : *products_) {
      if (pred(p)) out.insert(p.doc.id);
    }
    return out;
  }
  static const Product& product(const std::string& id) {
    for (const auto& p : *products_) {
      if (p.doc.id == id) return p;
    }
    throw std::logic_error("unknown id " + id);
  }

  static std::vector<Product>* products_;
  static fs::path* dir_;
  static CatalogIndex* index_;
};
std::vector<Product>* CatalogIndexTest::products_ = nullptr;
fs::path* CatalogIndexTest::dir_ = nullptr;
CatalogIndex* CatalogIndexTest::index_ = nullptr;

Ids ids_of(const SearchResult& r) {
  Ids out;
  for (const auto& h : r.hits) out.insert(h.id);
  return out;
}

bool is_type(const Product& p, const std::string& slug) {
  return kTypes[p.type].slug == slug;
}

// --- text: stemming, typos, synonyms ---------------------------------------------------------

TEST_F(CatalogIndexTest, PluralQueryFindsSingularTitlesThroughStemming) {
  SearchQuery q;
  q.text = "dresses";
  Ids want = expected([](const Product& p) { return p.noun == "Dress"; });
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(all_ids(q), want);
  q.text = "dress";
  EXPECT_EQ(all_ids(q), want);
}

TEST_F(CatalogIndexTest, TypoJensFindsJeansAndSaysSo) {
  auto r = text("jens");
  EXPECT_TRUE(r.corrected);
  EXPECT_EQ(r.did_you_mean, "jeans");
  Ids want = expected([](const Product& p) { return p.noun == "Jeans"; });
  EXPECT_EQ(r.total, want.size());
  EXPECT_EQ(ids_of(r), want);
}

TEST_F(CatalogIndexTest, TypoSweterFindsSweaters) {
  auto r = text("sweter");
  EXPECT_TRUE(r.corrected);
  EXPECT_EQ(r.did_you_mean, "sweater");
  Ids sweaters = expected([](const Product& p) { return p.noun == "Sweater"; });
  Ids got = ids_of(r);
  ASSERT_FALSE(sweaters.empty());
  EXPECT_TRUE(std::includes(got.begin(), got.end(), sweaters.begin(), sweaters.end()));
  for (const auto& id : got) EXPECT_TRUE(is_type(product(id), "knitwear")) << id;
}

TEST_F(CatalogIndexTest, TypoInsideALongerQueryIsCorrectedInPlace) {
  auto r = text("red jens");
  EXPECT_EQ(r.did_you_mean, "red jeans");
  EXPECT_TRUE(r.corrected);
  Ids want =
      expected([](const Product& p) { return p.noun == "Jeans" && has(p.doc.colours, "red"); });
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ids_of(r), want);
}

TEST_F(CatalogIndexTest, CorrectlySpeltQueryHasNoDidYouMean) {
  auto r = text("jeans");
  EXPECT_FALSE(r.did_you_mean.has_value());
  EXPECT_FALSE(r.corrected);
  EXPECT_GT(r.total, 0u);
}

TEST_F(CatalogIndexTest, GibberishFindsNothingAndSuggestsNothing) {
  auto r = text("qqqzzzxv");
  EXPECT_EQ(r.total, 0u);
  EXPECT_TRUE(r.hits.empty());
  EXPECT_FALSE(r.did_you_mean.has_value());
}

struct SynonymCase {
  std::string query;
  std::string other_noun;  // a title noun the query does not contain
};

TEST_F(CatalogIndexTest, EachSynonymFindsTheOtherWordBothWays) {
  const std::vector<SynonymCase> cases = {
      {"tee", "T-Shirt"},    {"t-shirt", "Tee"},       {"tshirt", "Tee"},
      {"t shirt", "Tee"},    {"trainers", "Sneakers"}, {"sneakers", "Trainers"},
      {"trousers", "Pants"}, {"pants", "Trousers"},    {"jumper", "Sweater"},
      {"sweater", "Jumper"}, {"pullover", "Jumper"},   {"sneaker", "Trainers"},
  };
  for (const auto& c : cases) {
    Ids other = expected([&](const Product& p) { return p.noun == c.other_noun; });
    ASSERT_FALSE(other.empty()) << c.other_noun;
    SearchQuery q;
    q.text = c.query;
    Ids got = all_ids(q);
    EXPECT_TRUE(std::includes(got.begin(), got.end(), other.begin(), other.end()))
        << "'" << c.query << "' should find every " << c.other_noun;
  }
}

TEST_F(CatalogIndexTest, AllSpellingsOfTShirtFindTheSameProducts) {
  SearchQuery q;
  q.text = "tee";
  Ids tee = all_ids(q);
  Ids tops = expected([](const Product& p) { return is_type(p, "tops"); });
  EXPECT_EQ(tee, tops);
  for (std::string spelling : {"t-shirt", "T-Shirts", "tshirt", "t shirt", "tees"}) {
    q.text = spelling;
    EXPECT_EQ(all_ids(q), tops) << spelling;
  }
}

// --- colour and size words ---------------------------------------------------------------------

TEST_F(CatalogIndexTest, ColourAndSizeWordsActAsFilters) {
  auto r = text("red dress size m");
  EXPECT_EQ(r.colours_from_text, std::vector<std::string>{"red"});
  EXPECT_EQ(r.sizes_from_text, std::vector<std::string>{"m"});
  EXPECT_EQ(r.searched_text, "dress");
  Ids want = expected([](const Product& p) {
    return p.noun == "Dress" && has(p.doc.colours, "red") && has(p.doc.sizes, "m");
  });
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ids_of(r), want);
  EXPECT_EQ(r.total, want.size());
}

TEST_F(CatalogIndexTest, TwoWordColourIsRecognised) {
  auto r = text("light blue jeans");
  EXPECT_EQ(r.colours_from_text, std::vector<std::string>{"light blue"});
  Ids want = expected(
      [](const Product& p) { return p.noun == "Jeans" && has(p.doc.colours, "light blue"); });
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ids_of(r), want);
}

TEST_F(CatalogIndexTest, SizeNumberAfterSizeWordIsAFilter) {
  auto r = text("jeans size 32");
  EXPECT_EQ(r.sizes_from_text, std::vector<std::string>{"32"});
  Ids want = expected([](const Product& p) { return p.noun == "Jeans" && has(p.doc.sizes, "32"); });
  EXPECT_EQ(ids_of(r), want);
}

TEST_F(CatalogIndexTest, ColourWordAloneListsThatColour) {
  SearchQuery q;
  q.text = "Navy";
  Ids want = expected([](const Product& p) { return has(p.doc.colours, "navy"); });
  EXPECT_EQ(all_ids(q), want);
}

// --- filters -------------------------------------------------------------------------------------

TEST_F(CatalogIndexTest, CategoryFilterIncludesDescendants) {
  SearchQuery q;
  q.categories = {"women"};
  Ids want = expected([](const Product& p) { return p.doc.category_path[0] == "women"; });
  EXPECT_EQ(all_ids(q), want);
  q.categories = {"women-dresses"};
  want = expected([](const Product& p) { return p.doc.category_path[1] == "women-dresses"; });
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(all_ids(q), want);
}

TEST_F(CatalogIndexTest, BrandFilterMatchesAnyOfTheBrands) {
  SearchQuery q;
  q.brands = {"kestrel", "Sundae"};
  Ids want = expected([](const Product& p) {
    return p.doc.brand_slug == "kestrel" || p.doc.brand_slug == "sundae";
  });
  EXPECT_EQ(all_ids(q), want);
}

TEST_F(CatalogIndexTest, ColourFilterMatchesAnyOfTheColours) {
  SearchQuery q;
  q.colours = {"red", "navy"};
  Ids want = expected(
      [](const Product& p) { return has(p.doc.colours, "red") || has(p.doc.colours, "navy"); });
  EXPECT_EQ(all_ids(q), want);
}

TEST_F(CatalogIndexTest, SizeFilterMatchesAnyOfTheSizes) {
  SearchQuery q;
  q.sizes = {"32", "xs"};
  Ids want =
      expected([](const Product& p) { return has(p.doc.sizes, "32") || has(p.doc.sizes, "xs"); });
  EXPECT_EQ(all_ids(q), want);
}

TEST_F(CatalogIndexTest, PriceRangeIsInclusive) {
  SearchQuery q;
  q.price_min = 5000;
  q.price_max = 10000;
  Ids want = expected(
      [](const Product& p) { return p.doc.price_minor >= 5000 && p.doc.price_minor <= 10000; });
  EXPECT_EQ(all_ids(q), want);
  q.price_min.reset();
  want = expected([](const Product& p) { return p.doc.price_minor <= 10000; });
  EXPECT_EQ(all_ids(q), want);
  q.price_max.reset();
  q.price_min = 20000;
  want = expected([](const Product& p) { return p.doc.price_minor >= 20000; });
  EXPECT_EQ(all_ids(q), want);
}

TEST_F(CatalogIndexTest, InStockFilterBothWays) {
  SearchQuery q;
  q.in_stock = true;
  EXPECT_EQ(all_ids(q), expected([](const Product& p) { return p.doc.in_stock; }));
  q.in_stock = false;
  Ids out = expected([](const Product& p) { return !p.doc.in_stock; });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(all_ids(q), out);
}

TEST_F(CatalogIndexTest, TagAndAttributeFilters) {
  SearchQuery q;
  q.tags = {"sale"};
  EXPECT_EQ(all_ids(q), expected([](const Product& p) { return has(p.doc.tags, "sale"); }));
  q.tags.clear();
  q.attributes = {{"material", "linen"}};
  Ids linen = expected([](const Product& p) { return p.doc.attributes[0].second == "linen"; });
  ASSERT_FALSE(linen.empty());
  EXPECT_EQ(all_ids(q), linen);
}

TEST_F(CatalogIndexTest, UnknownFilterValuesGiveEmptyResultsNotErrors) {
  for (int which = 0; which < 5; ++which) {
    SearchQuery q;
    if (which == 0) q.categories = {"no-such-category"};
    if (which == 1) q.brands = {"nobody"};
    if (which == 2) q.colours = {"ultraviolet"};
    if (which == 3) q.sizes = {"xxxxl"};
    if (which == 4) q.tags = {"nope"};
    auto r = must_search(q);
    EXPECT_EQ(r.total, 0u) << which;
    EXPECT_TRUE(r.hits.empty()) << which;
  }
}

TEST_F(CatalogIndexTest, FiltersCombineWithText) {
  SearchQuery q;
  q.text = "jeans";
  q.categories = {"men"};
  q.in_stock = true;
  q.price_max = 15000;
  Ids want = expected([](const Product& p) {
    return p.noun == "Jeans" && p.doc.category_path[0] == "men" && p.doc.in_stock &&
           p.doc.price_minor <= 15000;
  });
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(all_ids(q), want);
}

// --- sorting and paging
// ----------------------------------------------------------------------------

TEST_F(CatalogIndexTest, PriceSortsAreOrderedBothWays) {
  SearchQuery q;
  q.sort = SortOrder::price_asc;
  auto asc = all_hits(q);
  ASSERT_EQ(asc.size(), kCatalogSize);
  for (size_t i = 1; i < asc.size(); ++i) {
    EXPECT_LE(product(asc[i - 1]).doc.price_minor, product(asc[i]).doc.price_minor) << i;
  }
  q.sort = SortOrder::price_desc;
  auto desc = all_hits(q);
  for (size_t i = 1; i < desc.size(); ++i) {
    EXPECT_GE(product(desc[i - 1]).doc.price_minor, product(desc[i]).doc.price_minor) << i;
  }
}

TEST_F(CatalogIndexTest, NewestSortsByCreatedAtDescending) {
  SearchQuery q;
  q.text = "dress";
  q.sort = SortOrder::newest;
  auto hits = all_hits(q);
  ASSERT_GT(hits.size(), 5u);
  for (size_t i = 1; i < hits.size(); ++i) {
    EXPECT_GE(product(hits[i - 1]).doc.created_at, product(hits[i]).doc.created_at) << i;
  }
}

TEST_F(CatalogIndexTest, BestSellingSortsByPopularityDescending) {
  SearchQuery q;
  q.categories = {"kids"};
  q.sort = SortOrder::best_selling;
  auto hits = all_hits(q);
  ASSERT_GT(hits.size(), 5u);
  for (size_t i = 1; i < hits.size(); ++i) {
    EXPECT_GE(product(hits[i - 1]).doc.popularity, product(hits[i]).doc.popularity) << i;
  }
}

TEST_F(CatalogIndexTest, RelevanceWithoutTextFallsBackToBestSelling) {
  SearchQuery q;
  auto hits = all_hits(q);
  ASSERT_EQ(hits.size(), kCatalogSize);
  for (size_t i = 1; i < hits.size(); ++i) {
    EXPECT_GE(product(hits[i - 1]).doc.popularity, product(hits[i]).doc.popularity) << i;
  }
}

TEST_F(CatalogIndexTest, RelevanceRanksTitleMatchesAboveDescriptionMatches) {
  // "linen" is a title adjective for some trousers and a material in many descriptions.
  auto r = text("linen");
  ASSERT_GT(r.hits.size(), 2u);
  auto title_has = [](const std::string& id) {
    return product(id).doc.title.find("Linen") != std::string::npos;
  };
  size_t titled = 0;
  for (const auto& p : *products_) titled += p.doc.title.find("Linen") != std::string::npos;
  ASSERT_GT(titled, 0u);
  ASSERT_LT(titled, r.hits.size());
  for (size_t i = 0; i < titled; ++i) EXPECT_TRUE(title_has(r.hits[i].id)) << i;
}

TEST_F(CatalogIndexTest, PagesPartitionTheResultsAndTotalIsExact) {
  SearchQuery q;
  q.categories = {"women"};
  q.per_page = 7;
  Ids want = expected([](const Product& p) { return p.doc.category_path[0] == "women"; });
  std::vector<std::string> seen;
  for (q.page = 1; q.page <= 100; ++q.page) {
    auto r = must_search(q);
    EXPECT_EQ(r.total, want.size());
    if (r.hits.empty()) break;
    EXPECT_LE(r.hits.size(), 7u);
    for (const auto& h : r.hits) seen.push_back(h.id);
  }
  EXPECT_EQ(seen.size(), want.size());  // no duplicates across pages
  EXPECT_EQ(Ids(seen.begin(), seen.end()), want);
  q.page = 1000;
  auto beyond = must_search(q);
  EXPECT_TRUE(beyond.hits.empty());
  EXPECT_EQ(beyond.total, want.size());
}

TEST_F(CatalogIndexTest, HitsCarryTheirSlug) {
  auto r = text("skirt");
  ASSERT_FALSE(r.hits.empty());
  for (const auto& h : r.hits) EXPECT_EQ(h.slug, product(h.id).doc.slug);
}

// --- facets
// ----------------------------------------------------------------------------------------

using Counts = std::map<std::string, uint64_t>;
Counts as_map(const std::vector<FacetCount>& facets) {
  Counts out;
  for (const auto& f : facets) out[f.value] = f.count;
  return out;
}

TEST_F(CatalogIndexTest, FacetCountsMatchABruteForceCountWithMultiSelect) {
  SearchQuery q;
  q.categories = {"women"};
  q.colours = {"red", "black"};
  q.brands = {"northwind", "kestrel"};
  q.facets = FacetRequest::all();
  auto r = must_search(q);

  auto in_women = [](const Product& p) { return p.doc.category_path[0] == "women"; };
  auto brand_ok = [](const Product& p) {
    return p.doc.brand_slug == "northwind" || p.doc.brand_slug == "kestrel";
  };
  auto colour_ok = [](const Product& p) {
    return has(p.doc.colours, "red") || has(p.doc.colours, "black");
  };
  Counts brand, colour, size, category, tag;
  uint64_t in_stock = 0, out_of_stock = 0, total = 0;
  std::vector<uint64_t> price(q.price_bucket_edges.size() + 1, 0);
  for (const auto& p : *products_) {
    if (!in_women(p)) continue;
    if (colour_ok(p)) ++brand[p.doc.brand_slug];  // brand counted without the brand filter
    if (brand_ok(p)) {
      for (const auto& c : p.doc.colours) ++colour[c];  // colour without the colour filter
    }
    if (!(brand_ok(p) && colour_ok(p))) continue;
    ++total;
    for (const auto& s : p.doc.sizes) ++size[s];
    for (const auto& c : p.doc.category_path) ++category[c];
    for (const auto& t : p.doc.tags) ++tag[t];
    (p.doc.in_stock ? in_stock : out_of_stock)++;
    size_t b = 0;
    while (b < q.price_bucket_edges.size() && p.doc.price_minor >= q.price_bucket_edges[b]) ++b;
    ++price[b];
  }
  ASSERT_GT(total, 3u);
  EXPECT_EQ(r.total, total);
  EXPECT_EQ(as_map(r.facets.brand), brand);
  EXPECT_EQ(as_map(r.facets.colour), colour);
  EXPECT_EQ(as_map(r.facets.size), size);
  EXPECT_EQ(as_map(r.facets.category), category);
  EXPECT_EQ(as_map(r.facets.tag), tag);
  EXPECT_EQ(r.facets.in_stock, in_stock);
  EXPECT_EQ(r.facets.out_of_stock, out_of_stock);
  ASSERT_EQ(r.facets.price.size(), price.size());
  for (size_t i = 0; i < price.size(); ++i) EXPECT_EQ(r.facets.price[i].count, price[i]) << i;
  EXPECT_EQ(r.facets.price.front().min, 0);
  EXPECT_EQ(r.facets.price.front().max, q.price_bucket_edges.front());
  EXPECT_FALSE(r.facets.price.back().max.has_value());
  // Sorted by count, largest first.
  for (size_t i = 1; i < r.facets.colour.size(); ++i) {
    EXPECT_GE(r.facets.colour[i - 1].count, r.facets.colour[i].count);
  }
  // The same query again (its facets now come from the cache) on another page and sort.
  q.page = 2;
  q.per_page = 3;
  q.sort = SortOrder::price_desc;
  auto again = must_search(q);
  EXPECT_EQ(again.total, total);
  EXPECT_EQ(as_map(again.facets.brand), brand);
  EXPECT_EQ(as_map(again.facets.size), size);
  EXPECT_EQ(again.hits.size(), 3u);
}

TEST_F(CatalogIndexTest, FacetCountsForATextQueryWithoutMultiSelectFilters) {
  SearchQuery q;
  q.text = "jeans";
  q.in_stock = true;
  q.facets.brand = true;
  q.facets.size = true;
  auto r = must_search(q);
  Counts brand, size;
  for (const auto& p : *products_) {
    if (p.noun != "Jeans" || !p.doc.in_stock) continue;
    ++brand[p.doc.brand_slug];
    for (const auto& s : p.doc.sizes) ++size[s];
  }
  EXPECT_EQ(as_map(r.facets.brand), brand);
  EXPECT_EQ(as_map(r.facets.size), size);
  EXPECT_TRUE(r.facets.colour.empty());  // not requested
  EXPECT_TRUE(r.facets.price.empty());
}

// --- suggest
// -----------------------------------------------------------------------------------------

TEST_F(CatalogIndexTest, SuggestCompletesFromTitlesAndCategories) {
  auto s = index_->suggest("dre", 10);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(has(*s, "dress")) << s->size();
  EXPECT_TRUE(has(*s, "dresses"));  // the category name
  for (const auto& w : *s) EXPECT_EQ(w.rfind("dre", 0), 0u) << w;
}

TEST_F(CatalogIndexTest, SuggestCompletesBrandsAndKeepsEarlierWords) {
  auto s = index_->suggest("Kes", 5);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, std::vector<std::string>{"kestrel"});
  auto two = index_->suggest("red dre", 5);
  ASSERT_TRUE(two.ok());
  ASSERT_FALSE(two->empty());
  for (const auto& w : *two) EXPECT_EQ(w.rfind("red dre", 0), 0u) << w;
}

TEST_F(CatalogIndexTest, SuggestHonoursTheLimitAndEmptyInput) {
  auto s = index_->suggest("c", 3);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 3u);
  auto none = index_->suggest("", 5);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto finished = index_->suggest("dress ", 5);
  ASSERT_TRUE(finished.ok());
  EXPECT_TRUE(finished->empty());
  auto many = index_->suggest("s", 1000);
  ASSERT_TRUE(many.ok());
  EXPECT_LE(many->size(), 20u);
}

// --- bad input
// ---------------------------------------------------------------------------------------

TEST_F(CatalogIndexTest, QuerySyntaxIsPlainText) {
  const std::vector<std::string> inputs = {"dress AND NOT",
                                           "title:x",
                                           "'; DROP TABLE products; --",
                                           "\"unbalanced dress",
                                           "(dress",
                                           "dress)]",
                                           "[{",
                                           "*",
                                           "dress*",
                                           "NEAR/3 dress",
                                           "+dress -red",
                                           "$10..$50",
                                           "a:b:c:d",
                                           "\\\\\\",
                                           std::string("dr\0ess", 6),
                                           "OR OR OR",
                                           std::string(10 * 1024, 'x'),
                                           [] {
                                             std::string many;
                                             for (int i = 0; i < 100; ++i)
                                               many += "qz" + std::to_string(i) + "x ";
                                             return many;
                                           }(),
                                           std::string(5000, '('),
                                           std::string(3000, ' ') + "dress"};
  for (const auto& input : inputs) {
    SearchQuery q;
    q.text = input;
    q.per_page = 10;
    q.facets = FacetRequest::all();
    auto r = index_->search(q);
    ASSERT_TRUE(r.ok()) << input.substr(0, 40) << ": " << describe(r.error());
    EXPECT_LE(r->hits.size(), 10u);
    EXPECT_LE(r->searched_text.size(), kMaxQueryTextBytes);
    EXPECT_LE(std::count(r->searched_text.begin(), r->searched_text.end(), ' '), 11) << input;
  }
  auto dress = text("dress");
  auto with_operators = text("dress AND NOT");
  EXPECT_EQ(ids_of(with_operators), ids_of(dress));
  EXPECT_EQ(text("'; DROP TABLE products; --").total, 0u);
}

TEST_F(CatalogIndexTest, MalformedParametersAreRefusedNamingTheField) {
  auto field_of = [](const SearchQuery& q) {
    auto r = index_->search(q);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().kind, ErrorKind::invalid);
    EXPECT_EQ(r.error().code, "invalid_search_parameter");
    return r.error().fields.empty() ? std::string() : r.error().fields[0].field;
  };
  SearchQuery q;
  q.page = 0;
  EXPECT_EQ(field_of(q), "page");
  q = {};
  q.page = -1;
  EXPECT_EQ(field_of(q), "page");
  q = {};
  q.per_page = 100000;
  EXPECT_EQ(field_of(q), "per_page");
  q = {};
  q.per_page = 0;
  EXPECT_EQ(field_of(q), "per_page");
  q = {};
  q.page = 5000;
  EXPECT_EQ(field_of(q), "page");
  q = {};
  q.price_min = -5;
  EXPECT_EQ(field_of(q), "price_min");
  q = {};
  q.price_min = 500;
  q.price_max = 100;
  EXPECT_EQ(field_of(q), "price_min");
}

// --- lifecycle: missing, corrupt, rebuild, live updates
// -----------------------------------------------

TEST(CatalogIndexLifecycle, MissingIndexIsReportedAndRebuildFixesIt) {
  auto dir = scratch_dir("missing");
  auto index = must_open(dir);
  ASSERT_TRUE(index);
  auto v = index->verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "search_index_missing");
  auto r = index->search({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "search_index_missing");
  EXPECT_FALSE(index->upsert(make_catalog(1)[0].doc).ok());

  std::vector<std::pair<uint64_t, uint64_t>> progress;
  auto docs = docs_of(make_catalog(1200));
  auto built = index->rebuild(
      docs, [&](uint64_t done, uint64_t expected) { progress.emplace_back(done, expected); });
  ASSERT_TRUE(built.ok()) << describe(built.error());
  EXPECT_EQ(*built, 1200u);
  ASSERT_GE(progress.size(), 2u);
  EXPECT_EQ(progress.back(), std::make_pair(uint64_t{1200}, uint64_t{1200}));
  EXPECT_TRUE(index->verify().ok());
  auto count = index->document_count();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1200u);
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, IndexSurvivesReopening) {
  auto dir = scratch_dir("reopen");
  {
    auto index = must_open(dir);
    auto docs = docs_of(make_catalog(50));
    ASSERT_TRUE(index->rebuild(docs).ok());
  }
  auto index = must_open(dir);
  ASSERT_TRUE(index->verify().ok());
  auto count = index->document_count();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 50u);
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, SecondOpenOfAServedDirectoryIsRefused) {
  auto dir = scratch_dir("locked");
  auto index = must_open(dir);
  auto docs = docs_of(make_catalog(5));
  ASSERT_TRUE(index->rebuild(docs).ok());
  auto second = CatalogIndex::open(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "search_index_locked");
  index.reset();
  EXPECT_TRUE(CatalogIndex::open(dir).ok());
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, TruncatedFileIsDetectedAsCorruptAndRebuilt) {
  auto dir = scratch_dir("corrupt");
  auto docs = docs_of(make_catalog(300));
  {
    auto index = must_open(dir);
    ASSERT_TRUE(index->rebuild(docs).ok());
  }
  std::string current;
  std::ifstream(dir / "CURRENT") >> current;
  fs::path postlist = dir / current / "postlist.glass";
  ASSERT_TRUE(fs::exists(postlist));
  fs::resize_file(postlist, fs::file_size(postlist) / 2);

  auto index = must_open(dir);
  auto v = index->verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "search_index_corrupt");
  EXPECT_EQ(v.error().kind, ErrorKind::unavailable);

  ASSERT_TRUE(index->rebuild(docs).ok());
  EXPECT_TRUE(index->verify().ok());
  SearchQuery q;
  q.text = "dress";
  auto r = index->search(q);
  ASSERT_TRUE(r.ok()) << describe(r.error());
  EXPECT_GT(r->total, 0u);
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, GarbageCurrentFileIsCorruptNotACrash) {
  auto dir = scratch_dir("garbage");
  fs::create_directories(dir / "index-x");
  std::ofstream(dir / "CURRENT") << "index-x\n";
  std::ofstream(dir / "index-x" / "iamglass") << "not a database";
  auto index = must_open(dir);
  auto v = index->verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "search_index_corrupt");
  EXPECT_EQ(index->search({}).error().code, "search_index_corrupt");
  auto docs = docs_of(make_catalog(10));
  ASSERT_TRUE(index->rebuild(docs).ok());
  EXPECT_TRUE(index->verify().ok());
  // The replaced build is kept until the next rebuild (readers may still hold it), then cleared.
  EXPECT_TRUE(fs::exists(dir / "index-x"));
  ASSERT_TRUE(index->rebuild(docs).ok());
  EXPECT_FALSE(fs::exists(dir / "index-x"));
  fs::remove_all(dir);
}

bool visible_within_a_second(const CatalogIndex& index, const SearchQuery& q,
                             const std::function<bool(const SearchResult&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  do {
    auto r = index.search(q);
    if (r.ok() && done(*r)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

TEST(CatalogIndexLifecycle, UpsertAndRemoveAreVisibleToReadersWithinASecond) {
  auto dir = scratch_dir("live");
  auto index = must_open(dir);
  auto catalog = docs_of(make_catalog(100));
  ASSERT_TRUE(index->rebuild(catalog).ok());
  // Warm a pooled reader, so the test covers refreshing an open handle.
  SearchQuery q;
  q.text = "zanzibar";
  ASSERT_EQ(index->search(q)->total, 0u);

  SearchDocument doc = catalog[0];
  doc.id = "0190a0b0-ffff-7000-8000-000000000001";
  doc.slug = "zanzibar-kaftan";
  doc.title = "Zanzibar Kaftan";
  doc.price_minor = 777;
  ASSERT_TRUE(index->upsert(doc).ok());
  ASSERT_TRUE(index->commit().ok());
  EXPECT_TRUE(visible_within_a_second(*index, q, [&](const SearchResult& r) {
    return r.total == 1 && r.hits[0].slug == "zanzibar-kaftan";
  }));
  EXPECT_EQ(*index->document_count(), 101u);

  // A price change moves it between price filters; the old document is replaced, not doubled.
  doc.price_minor = 99900;
  ASSERT_TRUE(index->upsert(doc).ok());
  ASSERT_TRUE(index->commit().ok());
  SearchQuery expensive = q;
  expensive.price_min = 90000;
  EXPECT_TRUE(visible_within_a_second(*index, expensive,
                                      [](const SearchResult& r) { return r.total == 1; }));
  EXPECT_EQ(*index->document_count(), 101u);

  ASSERT_TRUE(index->remove(doc.id).ok());
  ASSERT_TRUE(index->remove("no-such-id").ok());
  ASSERT_TRUE(index->commit().ok());
  EXPECT_TRUE(
      visible_within_a_second(*index, q, [](const SearchResult& r) { return r.total == 0; }));
  // Its words left the spelling dictionary with it: no correction towards a removed product.
  q.text = "zanzibr";
  auto r = index->search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->did_you_mean.has_value());
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, FacetCountsFollowACommit) {
  auto dir = scratch_dir("facets-live");
  auto index = must_open(dir);
  auto catalog = docs_of(make_catalog(60));
  ASSERT_TRUE(index->rebuild(catalog).ok());
  SearchQuery q;
  q.facets.colour = true;
  q.brands = {catalog[0].brand_slug};
  auto before = index->search(q);
  ASSERT_TRUE(before.ok());
  for (const auto& f : before->facets.colour) EXPECT_NE(f.value, "ochre");

  SearchDocument doc = catalog[0];
  doc.colours = {"ochre"};
  ASSERT_TRUE(index->upsert(doc).ok());
  ASSERT_TRUE(index->commit().ok());
  auto after = index->search(q);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(as_map(after->facets.colour)["ochre"], 1u);
  EXPECT_EQ(after->total, before->total);
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, InvalidDocumentIsRefused) {
  auto dir = scratch_dir("invalid");
  auto index = must_open(dir);
  ASSERT_TRUE(index->rebuild(std::span<const SearchDocument>{}).ok());
  SearchDocument doc;
  auto r = index->upsert(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_search_document");
  doc.id = std::string(101, 'a');
  EXPECT_FALSE(index->upsert(doc).ok());
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, RebuildSwapsWhileReadersQuery) {
  auto dir = scratch_dir("swap");
  auto index = must_open(dir);
  auto big = docs_of(make_catalog(300));
  auto small = docs_of(make_catalog(200, 1000));
  ASSERT_TRUE(index->rebuild(big).ok());

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> torn{0};
  std::atomic<int> searches{0};
  std::mutex error_mutex;
  std::string last_error;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      SearchQuery q;
      q.facets.brand = true;
      q.text = t % 2 ? "" : "dress";
      while (!stop.load()) {
        auto r = index->search(q);
        if (!r.ok()) {
          ++failures;
          std::lock_guard lock(error_mutex);
          last_error = describe(r.error());
          continue;
        }
        ++searches;
        if (q.text.empty() && r->total != 300 && r->total != 200) ++torn;
        uint64_t counted = 0;
        for (const auto& f : r->facets.brand) counted += f.count;
        if (counted != r->total) ++torn;
      }
    });
  }
  for (int round = 0; round < 4; ++round) {
    auto built = index->rebuild(round % 2 ? std::span<const SearchDocument>(big)
                                          : std::span<const SearchDocument>(small));
    ASSERT_TRUE(built.ok()) << describe(built.error());
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(failures.load(), 0) << last_error;
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(*index->document_count(), 300u);
  // Only the served build is kept (plus the one before, cleared at the next rebuild).
  size_t builds = 0;
  for (const auto& e : fs::directory_iterator(dir)) builds += e.is_directory();
  EXPECT_LE(builds, 2u);
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, ReadersSearchWhileAWriterCommits) {
  auto dir = scratch_dir("writer");
  auto index = must_open(dir);
  auto catalog = docs_of(make_catalog(200));
  ASSERT_TRUE(index->rebuild(catalog).ok());

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> wrong{0};
  std::mutex error_mutex;
  std::string last_error;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      SearchQuery q;
      q.facets = FacetRequest::all();
      q.text = t % 2 ? "" : "jeans";
      q.colours = {"red"};
      while (!stop.load()) {
        auto r = index->search(q);
        if (!r.ok()) {
          ++failures;
          std::lock_guard lock(error_mutex);
          last_error = describe(r.error());
          continue;
        }
        // The catalog only grows while this runs, by products that are all red.
        if (q.text.empty() && (r->total < 1 || r->total > 200 + 60)) ++wrong;
        if (r->facets.in_stock + r->facets.out_of_stock != r->total) ++wrong;
      }
    });
  }
  for (int i = 0; i < 60; ++i) {
    SearchDocument doc = catalog[static_cast<size_t>(i)];
    doc.id = "0190a0b0-dddd-7000-8000-" + std::to_string(100000000000 + i);
    doc.colours = {"red"};
    ASSERT_TRUE(index->upsert(doc).ok());
    ASSERT_TRUE(index->commit().ok());
    // Up to fifty commits a second, as fast as the catalog's updater can commit under a steady
    // stream of writes: without the commit gate a slow search would be overtaken by two commits
    // again and again.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(failures.load(), 0) << last_error;
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(*index->document_count(), 260u);
  fs::remove_all(dir);
}

TEST(CatalogIndexLifecycle, ChangesDuringARebuildSurviveTheSwap) {
  auto dir = scratch_dir("replay");
  auto index = must_open(dir);
  auto catalog = docs_of(make_catalog(100));
  ASSERT_TRUE(index->rebuild(catalog).ok());

  SearchDocument added = catalog[5];
  added.id = "0190a0b0-eeee-7000-8000-000000000002";
  added.title = "Quetzal Cape";
  size_t at = 0;
  auto built = index->rebuild(
      [&]() -> std::optional<SearchDocument> {
        if (at == 50) {
          // A staff edit lands while the rebuild is half way: an add and a delete.
          EXPECT_TRUE(index->upsert(added).ok());
          EXPECT_TRUE(index->remove(catalog[99].id).ok());
          EXPECT_TRUE(index->commit().ok());
        }
        if (at == catalog.size()) return std::nullopt;
        return catalog[at++];
      },
      catalog.size());
  ASSERT_TRUE(built.ok()) << describe(built.error());
  SearchQuery q;
  q.text = "quetzal";
  EXPECT_EQ(index->search(q)->total, 1u);
  EXPECT_EQ(*index->document_count(), 100u);  // 100 rebuilt + 1 added - 1 removed
  fs::remove_all(dir);
}

// Colour, size and stock are asked of one variant: a product whose black comes only in S and
// whose M is sold out is not "black, M, in stock"; facet values count what choosing them gives.
TEST(CatalogIndexLifecycle, ColourSizeAndStockAreAskedOfOneVariant) {
  auto dir = scratch_dir("variants");
  auto index = must_open(dir);
  auto product = [](const std::string& id, std::vector<SearchVariant> variants) {
    SearchDocument d;
    d.id = id;
    d.slug = id;
    d.title = "Linen shirt";
    d.brand_slug = "northlane";
    d.variants = std::move(variants);
    for (const auto& v : d.variants) d.in_stock = d.in_stock || v.in_stock;
    d.price_minor = 5000;
    d.created_at = "2026-01-01T00:00:00.000Z";
    return d;
  };
  std::vector<SearchDocument> docs{
      // black S in stock, white M in stock, black M sold out
      product("a", {{"black", "s", true}, {"white", "m", true}, {"black", "m", false}}),
      // black M in stock
      product("b", {{"black", "m", true}}),
      // white S sold out only
      product("c", {{"white", "s", false}}),
  };
  ASSERT_TRUE(index->rebuild(docs).ok());
  auto ids = [&](SearchQuery q) {
    q.facets = FacetRequest::all();
    auto r = index->search(q);
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    for (const auto& h : r->hits) out.push_back(h.id);
    std::sort(out.begin(), out.end());
    return std::make_pair(out, *r);
  };
  SearchQuery q;
  q.colours = {"black"};
  q.sizes = {"m"};
  q.in_stock = true;
  auto [hits, result] = ids(q);
  EXPECT_EQ(hits, (std::vector<std::string>{"b"}));
  // Choosing white instead (size M, in stock) gives product a; size S instead gives a (black S).
  EXPECT_EQ(as_map(result.facets.colour)["white"], 1u);
  EXPECT_EQ(as_map(result.facets.colour)["black"], 1u);
  EXPECT_EQ(as_map(result.facets.size)["s"], 1u);
  EXPECT_EQ(as_map(result.facets.size)["m"], 1u);

  q.in_stock.reset();
  EXPECT_EQ(ids(q).first, (std::vector<std::string>{"a", "b"}));
  q.colours = {"white"};
  q.sizes = {"s"};
  EXPECT_EQ(ids(q).first, (std::vector<std::string>{"c"}));
  q.in_stock = true;
  auto [none, empty] = ids(q);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(empty.total, 0u);
  // The in-stock count is what ticking "in stock" gives: white S is nowhere in stock.
  q.in_stock.reset();
  EXPECT_EQ(ids(q).second.facets.in_stock, 0u);
  q.sizes.clear();
  EXPECT_EQ(ids(q).second.facets.in_stock, 1u);  // a's white M
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fff::search
