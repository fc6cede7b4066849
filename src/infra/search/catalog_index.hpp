// infra/search: the catalog search index on Xapian, built from plain documents.
//
// This layer knows nothing of the catalog module: the caller turns its products into
// SearchDocuments and its HTTP parameters into a SearchQuery. The index lives in a directory
// (data/search) holding one Xapian database per build ("index-…") and a CURRENT file naming the
// one being served. rebuild() writes a new database beside the old one and switches CURRENT with
// an atomic rename, so a reader sees either the old index or the new one, never half of one.
//
// Text: words are stemmed in English (dresses → dress); synonyms are applied at query time
// (tee ↔ t-shirt ↔ tshirt, trainers ↔ sneakers, trousers ↔ pants, jumper ↔ sweater ↔ pullover,
// hoodie ↔ hoody, handbag ↔ purse, joggers ↔ sweatpants, sandals ↔ sliders). A query word that
// matches nothing is corrected from the index's own spelling dictionary (edit distance 1 for
// words up to 4 letters, else 2): the correction is offered as did_you_mean and, when the
// original query found nothing, its results are served instead. Colour and size words that
// occur in the index's vocabulary act as filters ("red dress size m"). Query text is never parsed
// as syntax: operators, field prefixes, quotes and SQL are plain words.
//
// Facets (the usual e-commerce "multi-select" rule): each brand, colour and size value counts
// the results there would be with that value chosen instead of the facet's own selection, so a
// shopper sees what picking another brand gives (colour and size counts respect the variant
// rule: "black" under size M and in stock counts products whose black M is in stock); the
// in-stock count is the results there would be with "in stock" ticked; category, tag and price
// buckets are counted over the result set with every filter applied. Counts cover the whole
// result set, not a sample.
//
// Thread-safety: a CatalogIndex is used by many threads at once: any number of searches run in
// parallel with one writer (upsert/remove/commit/rebuild are serialised internally). A search
// sees every change committed before it started. Xapian lets a reader fall at most one commit
// behind, so commit() first waits (up to 2 s) for searches that have already seen a commit go by;
// a search overtaken anyway (one slower than that) is run again, for up to 2 s, before failing
// with "search_index_busy".
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace fff::search {

// One variant's keys: filters on colour, size and stock are asked of one variant together, so
// "black, size M, in stock" finds a product only when its black M is in stock.
struct SearchVariant {
  std::string colour;
  std::string size;
  bool in_stock = false;
};

// One product as the index sees it. Keys (slugs, colours, sizes, tags) are matched exactly after
// lower-casing.
struct SearchDocument {
  std::string id;  // product id (UUID text): the key upsert/remove use; kept lower-cased
  std::string slug;
  std::string title;
  std::string description;
  std::string brand_slug;
  std::string brand_name;
  std::vector<std::string> category_path;   // slugs from root to leaf ("women", "women-dresses")
  std::vector<std::string> category_names;  // display names, same order; searched as text
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> attributes;  // material=cotton, fit=slim, …
  std::vector<std::string> colours;                             // names: "red", "light blue"
  std::vector<std::string> sizes;                               // codes: "xs", "m", "32", "42"
  // The variants; when empty, every colour comes in every size, in stock as `in_stock` says.
  std::vector<SearchVariant> variants;
  int64_t price_minor = 0;  // lowest variant price
  bool in_stock = false;
  std::string created_at;  // ISO 8601 UTC in fff's fixed-width form, so text order is time order
  int64_t popularity = 0;  // higher sells more ("best-selling")
};

enum class SortOrder { relevance, price_asc, price_desc, newest, best_selling };

struct FacetRequest {
  bool brand = false;
  bool colour = false;
  bool size = false;
  bool category = false;
  bool price = false;
  bool in_stock = false;
  bool tag = false;

  static FacetRequest all() { return {true, true, true, true, true, true, true}; }
  bool any() const { return brand || colour || size || category || price || in_stock || tag; }
};

inline constexpr size_t kMaxQueryTextBytes = 200;  // longer text is cut, not refused
inline constexpr int kMaxPerPage = 100;
inline constexpr int kMaxResultWindow = 10000;  // page * per_page: deep paging is refused

struct SearchQuery {
  std::string text;  // free text; at most kMaxQueryTextBytes and 12 words are used
  std::vector<std::string> categories;  // any of (slugs); each includes its descendants
  std::vector<std::string> brands;      // any of (slugs)
  // Colours (any of), sizes (any of) and stock are asked of one variant together.
  std::vector<std::string> colours;
  std::vector<std::string> sizes;
  std::optional<int64_t> price_min;  // inclusive, minor units
  std::optional<int64_t> price_max;  // inclusive, minor units
  std::optional<bool> in_stock;      // true: a matching variant in stock; false: none in stock
  std::vector<std::string> tags;     // any of
  std::vector<std::pair<std::string, std::string>> attributes;  // all of (material=cotton)
  SortOrder sort = SortOrder::relevance;
  int page = 1;  // 1-based
  int per_page = 24;
  FacetRequest facets;
  // Upper edges of the price buckets, ascending: {2500, 5000} gives [0,2500) [2500,5000) [5000,∞).
  std::vector<int64_t> price_bucket_edges = {2500, 5000, 10000, 20000};
};

struct SearchHit {
  std::string id;
  std::string slug;
};

struct FacetCount {
  std::string value;
  uint64_t count = 0;
};

struct PriceBucket {
  int64_t min = 0;             // inclusive
  std::optional<int64_t> max;  // exclusive; none for the last bucket
  uint64_t count = 0;
};

// Each list is sorted by count (descending), then value; values with a zero count are left out,
// except price buckets, which are all listed.
struct Facets {
  std::vector<FacetCount> brand;
  std::vector<FacetCount> colour;
  std::vector<FacetCount> size;
  std::vector<FacetCount> category;  // a product counts toward every category on its path
  std::vector<FacetCount> tag;
  std::vector<PriceBucket> price;
  std::optional<int64_t> price_min;  // cheapest and dearest in the result set (with price)
  std::optional<int64_t> price_max;
  uint64_t in_stock = 0;
  uint64_t out_of_stock = 0;
};

struct SearchResult {
  std::vector<SearchHit> hits;              // the requested page, in order
  uint64_t total = 0;                       // every match, exact
  Facets facets;                            // only those requested
  std::optional<std::string> did_you_mean;  // the query with misspelt words corrected
  bool corrected = false;     // hits are for did_you_mean because the original found nothing
  std::string searched_text;  // the words searched, after filters were taken out
  std::vector<std::string> colours_from_text;  // colour words that became filters
  std::vector<std::string> sizes_from_text;    // size words that became filters
};

class CatalogIndex {
 public:
  // Opens (or prepares to create) the index under `dir`, creating the directory when missing.
  // An index that is missing or unreadable does not fail open(): verify() reports it and
  // rebuild() replaces it. Fails only when the directory cannot be created or read
  // (ErrorKind::unavailable "search_index_unavailable") or another CatalogIndex (in this or
  // another process) has it open ("search_index_locked"): each node keeps its own directory.
  static Result<std::unique_ptr<CatalogIndex>> open(const std::filesystem::path& dir);

  ~CatalogIndex();
  CatalogIndex(const CatalogIndex&) = delete;
  CatalogIndex& operator=(const CatalogIndex&) = delete;

  // Reads the served index end to end (every document and posting list), so a truncated or
  // damaged file is found before shoppers are served from it. Errors:
  // not_found "search_index_missing" (never built) and unavailable "search_index_corrupt";
  // the caller answers both with rebuild(). Reads every block: cost grows with the index.
  Result<void> verify() const;

  // Adds or replaces the product with doc.id. Visible to searches after commit().
  // REQUIRES: a built index (else unavailable "search_index_missing"). Errors: invalid
  // "invalid_search_document" when the id is empty or longer than 100 bytes.
  Result<void> upsert(const SearchDocument& doc);
  // Removes the product; removing an unknown id is not an error.
  Result<void> remove(std::string_view id);
  // Makes the changes so far durable (fsync) and visible to searches started afterwards. Each
  // commit also makes the next faceted search rebuild the facet bitmaps (about 30-40 ms at 100k
  // products), so batch live changes and commit a few times a second at most, not per change.
  Result<void> commit();

  // Pulls documents until it returns std::nullopt. A source that throws aborts the rebuild (the
  // old index stays in service), which is how a source reports that it could not read.
  using DocumentSource = std::function<std::optional<SearchDocument>()>;
  // Called every few hundred documents and once at the end with (done, expected).
  using Progress = std::function<void(uint64_t done, uint64_t expected)>;

  // Builds a new index from `next` in a fresh directory and switches to it atomically; searches
  // keep being served from the old index meanwhile, and upserts/removes made during the build
  // are replayed onto the new index before the switch. `expected` is only for progress. On
  // failure the old index stays in service. Returns the number of documents indexed. One rebuild
  // runs at a time (a second caller waits).
  Result<uint64_t> rebuild(const DocumentSource& next, uint64_t expected,
                           const Progress& progress = {});
  Result<uint64_t> rebuild(std::span<const SearchDocument> docs, const Progress& progress = {});

  // Errors: invalid "invalid_search_parameter" naming the field (page < 1, per_page outside
  // 1..kMaxPerPage, page * per_page > kMaxResultWindow, negative price, price_min > price_max);
  // unavailable "search_index_missing" / "search_index_corrupt" when there is no sound index.
  // Unknown filter values are not errors: they match nothing.
  Result<SearchResult> search(const SearchQuery& query) const;

  // Completions for a search box: the last word of `prefix` completed from words in titles,
  // brand names and category names, most frequent first, each returned with the words before it
  // ("red dre" → "red dress", "red dresses"). At most `limit` (capped at 20).
  Result<std::vector<std::string>> suggest(std::string_view prefix, size_t limit) const;

  // Documents in the served index (committed).
  Result<uint64_t> document_count() const;

 private:
  struct State;
  explicit CatalogIndex(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace fff::search
