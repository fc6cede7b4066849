#include "infra/search/catalog_index.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include <fcntl.h>
#include <unistd.h>

#include "infra/search/text.hpp"

namespace fff::search {
namespace fs = std::filesystem;

namespace {

// Value slots.
constexpr Xapian::valueno kPriceSlot = 0;
constexpr Xapian::valueno kCreatedSlot = 1;
constexpr Xapian::valueno kPopularitySlot = 2;

// Boolean term prefixes. Text terms are lower-case stems, so upper-case prefixes cannot clash.
const std::string kIdPrefix = "Q";
const std::string kCategoryPrefix = "XC";
const std::string kBrandPrefix = "XB";
const std::string kColourPrefix = "XK";
const std::string kSizePrefix = "XS";
const std::string kTagPrefix = "XT";
const std::string kStockPrefix = "XI";
const std::string kAttributePrefix = "XA";
const std::string kSuggestPrefix = "XW";  // unstemmed title/brand/category words
// One term per variant: colour and size together, and again when that variant is in stock.
const std::string kVariantPrefix = "XV";
const std::string kVariantInStockPrefix = "XJ";
constexpr char kComboSep = '\x1d';

constexpr size_t kMaxIdBytes = 100;
constexpr size_t kMaxKeyBytes = 100;  // slugs, colours, sizes, tags: Xapian terms max 245 bytes
constexpr size_t kMaxSuggestions = 20;
constexpr auto kOvertakenBudget = std::chrono::milliseconds(2000);  // re-runs of a search
constexpr size_t kMaxQueryWords = 12;     // text words searched; the rest are ignored
constexpr size_t kMaxSuggestScan = 5000;  // allterms entries looked at for one prefix
constexpr size_t kMaxIdleReaders = 32;
constexpr uint64_t kProgressEvery = 500;

// Separators in the document data and cache keys; keys cannot contain them.
constexpr char kFieldSep = '\x1f';
constexpr char kItemSep = '\x1e';

const std::string kCurrentFile = "CURRENT";

// Relevance weights by field: a title word says more than a description word.
constexpr Xapian::termcount kTitleWdf = 4;
constexpr Xapian::termcount kBrandWdf = 3;
constexpr Xapian::termcount kCategoryWdf = 2;
constexpr Xapian::termcount kTagWdf = 2;
constexpr Xapian::termcount kBodyWdf = 1;

Error missing_error() {
  return Error::unavailable("search_index_missing", "the search index has not been built");
}
Error corrupt_error(const std::string& why) {
  return Error::unavailable("search_index_corrupt", "the search index is damaged: " + why);
}
// Xapian's exception classes are not polymorphic to dynamic_cast; they name their type.
bool is_corruption(const Xapian::Error& e) {
  return std::string_view(e.get_type()) == "DatabaseCorruptError";
}
Error parameter_error(const std::string& field, const std::string& message) {
  return Error::invalid("invalid_search_parameter", message, {{field, message}});
}

// Lower-cased, trimmed, control characters removed (they are our separators), bounded.
std::string clean_key(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;
    out.push_back(static_cast<char>(u < 0x80 ? std::tolower(u) : u));
  }
  auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  out = out.substr(first, out.find_last_not_of(' ') - first + 1);
  return truncate_utf8(out, kMaxKeyBytes);
}

std::vector<std::string> clean_keys(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& v : in) {
    auto k = clean_key(v);
    if (!k.empty() && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(sep);
    out += items[i];
  }
  return out;
}

// Document data: id, slug, and the words added to the spelling dictionary (so they can be
// taken out again when the document is replaced or removed).
struct StoredData {
  std::string_view id;
  std::string_view slug;
  std::string_view spellings;
};
StoredData parse_data(std::string_view data) {
  auto parts = split(data, kFieldSep);
  StoredData out;
  if (parts.size() > 0) out.id = parts[0];
  if (parts.size() > 1) out.slug = parts[1];
  if (parts.size() > 2) out.spellings = parts[2];
  return out;
}

// The spelling dictionary only learns plain words: numbers and one-letter words make poor
// corrections.
bool spellable(const std::string& word) {
  return word.size() > 1 &&
         std::none_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct BuiltDocument {
  Xapian::Document doc;
  std::set<std::string> spellings;  // added to the spelling dictionary, once per document
};

BuiltDocument build_document(const SearchDocument& in) {
  BuiltDocument out;
  Xapian::Document& doc = out.doc;
  auto add_text = [&](std::string_view text, Xapian::termcount wdf, bool suggestable) {
    for (const auto& word : words_of(text)) {
      if (is_stopword(word)) continue;
      doc.add_term(stem(word), wdf);
      if (suggestable) {
        doc.add_boolean_term(kSuggestPrefix + word);
        if (spellable(word)) out.spellings.insert(word);
      }
    }
  };

  std::string id = clean_key(in.id);
  std::string slug = clean_key(in.slug);
  std::string brand = clean_key(in.brand_slug);
  auto categories = clean_keys(in.category_path);
  auto colours = clean_keys(in.colours);
  auto sizes = clean_keys(in.sizes);
  auto tags = clean_keys(in.tags);

  doc.add_boolean_term(kIdPrefix + id);
  add_text(in.title, kTitleWdf, true);
  add_text(in.brand_name, kBrandWdf, true);
  for (const auto& name : in.category_names) add_text(name, kCategoryWdf, true);
  if (in.category_names.empty()) {
    for (const auto& c : categories) add_text(c, kCategoryWdf, true);
  }
  for (const auto& t : in.tags) add_text(t, kTagWdf, false);
  for (const auto& c : in.colours) add_text(c, kBodyWdf, false);
  for (const auto& [key, value] : in.attributes) add_text(value, kBodyWdf, false);
  add_text(in.description, kBodyWdf, false);

  if (!brand.empty()) doc.add_boolean_term(kBrandPrefix + brand);
  for (const auto& c : categories) doc.add_boolean_term(kCategoryPrefix + c);
  for (const auto& c : colours) doc.add_boolean_term(kColourPrefix + c);
  for (const auto& s : sizes) doc.add_boolean_term(kSizePrefix + s);
  for (const auto& t : tags) doc.add_boolean_term(kTagPrefix + t);
  for (const auto& [key, value] : in.attributes) {
    doc.add_boolean_term(
        truncate_utf8(kAttributePrefix + clean_key(key) + ":" + clean_key(value), 240));
  }
  doc.add_boolean_term(kStockPrefix + (in.in_stock ? "1" : "0"));
  auto add_variant = [&](const std::string& colour, const std::string& size, bool in_stock) {
    std::string combo = colour + kComboSep + size;
    doc.add_boolean_term(kVariantPrefix + combo);
    if (in_stock) doc.add_boolean_term(kVariantInStockPrefix + combo);
  };
  if (in.variants.empty()) {
    for (const auto& c : colours)
      for (const auto& s : sizes) add_variant(c, s, in.in_stock);
  }
  for (const auto& v : in.variants) {
    std::string colour = clean_key(v.colour);
    std::string size = clean_key(v.size);
    if (colour.empty() || size.empty()) continue;
    // A variant's colour and size are filterable even when the caller's lists miss them.
    doc.add_boolean_term(kColourPrefix + colour);
    doc.add_boolean_term(kSizePrefix + size);
    add_variant(colour, size, v.in_stock);
  }

  doc.add_value(kPriceSlot, Xapian::sortable_serialise(static_cast<double>(in.price_minor)));
  doc.add_value(kCreatedSlot, in.created_at);
  doc.add_value(kPopularitySlot, Xapian::sortable_serialise(static_cast<double>(in.popularity)));

  std::vector<std::string> spelled(out.spellings.begin(), out.spellings.end());
  doc.set_data(id + kFieldSep + slug + kFieldSep + join(spelled, ' '));
  return out;
}

void forget_spellings(Xapian::WritableDatabase& db, const std::string& data) {
  for (auto word : split(parse_data(data).spellings, ' ')) {
    if (!word.empty()) db.remove_spelling(std::string(word));
  }
}

// Writes one document, replacing an earlier one with the same id (and its spellings).
void write_document(Xapian::WritableDatabase& db, const SearchDocument& in, bool may_exist) {
  std::string id_term = kIdPrefix + clean_key(in.id);
  if (may_exist) {
    auto post = db.postlist_begin(id_term);
    if (post != db.postlist_end(id_term)) forget_spellings(db, db.get_document(*post).get_data());
  }
  auto built = build_document(in);
  for (const auto& word : built.spellings) db.add_spelling(word);
  if (may_exist) {
    db.replace_document(id_term, built.doc);
  } else {
    db.add_document(built.doc);  // a fresh build: no lookup of the id term needed
  }
}

void erase_document(Xapian::WritableDatabase& db, std::string_view id) {
  std::string id_term = kIdPrefix + clean_key(id);
  auto post = db.postlist_begin(id_term);
  if (post == db.postlist_end(id_term)) return;
  forget_spellings(db, db.get_document(*post).get_data());
  db.delete_document(id_term);
}

Result<void> check_document(const SearchDocument& doc) {
  auto id = clean_key(doc.id);
  if (id.empty() || doc.id.size() > kMaxIdBytes) {
    return Error::invalid("invalid_search_document", "a search document needs an id of 1-100 bytes",
                          {{"id", "must be 1-100 bytes"}});
  }
  return {};
}

// Writes `content` to dir/name through a temporary file and a rename, with fsyncs, so the file
// is either the old or the new content after a crash.
void write_atomically(const fs::path& dir, const std::string& name, const std::string& content) {
  fs::path tmp = dir / (name + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw fs::filesystem_error("cannot write", tmp,
                               std::error_code(errno, std::generic_category()));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok)
    throw fs::filesystem_error("cannot write", tmp,
                               std::error_code(errno, std::generic_category()));
  fs::rename(tmp, dir / name);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::optional<std::string> read_current(const fs::path& dir) {
  std::ifstream in(dir / kCurrentFile);
  std::string name;
  if (!in || !std::getline(in, name) || name.empty() || name.find('/') != std::string::npos) {
    return std::nullopt;
  }
  return name;
}

// A read handle. Xapian::Database objects are not thread-safe, so each search leases one.
struct Reader {
  Xapian::Database db;
  uint64_t generation = 0;
  Xapian::rev vocabulary_revision = 0;
  bool vocabulary_loaded = false;
  std::set<std::string, std::less<>> colours;                 // colour names present in the index
  std::set<std::string, std::less<>> sizes;                   // size codes present in the index
  std::vector<std::pair<std::string, std::string>> variants;  // (colour, size) present

  void load_vocabulary() {
    Xapian::rev revision = db.get_revision();
    if (vocabulary_loaded && revision == vocabulary_revision) return;
    colours.clear();
    sizes.clear();
    variants.clear();
    for (auto it = db.allterms_begin(kVariantPrefix); it != db.allterms_end(kVariantPrefix); ++it) {
      std::string combo = (*it).substr(kVariantPrefix.size());
      auto sep = combo.find(kComboSep);
      if (sep != std::string::npos)
        variants.emplace_back(combo.substr(0, sep), combo.substr(sep + 1));
    }
    for (auto it = db.allterms_begin(kColourPrefix); it != db.allterms_end(kColourPrefix); ++it) {
      colours.insert((*it).substr(kColourPrefix.size()));
    }
    for (auto it = db.allterms_begin(kSizePrefix); it != db.allterms_end(kSizePrefix); ++it) {
      sizes.insert((*it).substr(kSizePrefix.size()));
    }
    vocabulary_revision = revision;
    vocabulary_loaded = true;
  }
};

// Facet counting works on bitmaps of document ids. For one revision of the index, every filter
// term (brand, colour, size, category, tag, stock) gets a bitmap of the documents carrying it,
// and prices are read into an array by id: built once per revision from the posting lists and
// shared by every search on that revision. A search then collects its matches into a bitmap and
// each facet value's count is the population count of an AND, so counting costs the same
// whatever the size of the result set and never touches the documents themselves.
using Bits = std::vector<uint64_t>;

void set_bit(Bits& bits, Xapian::docid id) {
  bits[id >> 6] |= uint64_t{1} << (id & 63);
}

uint64_t count_and(const Bits& a, const Bits& b) {
  uint64_t n = 0;
  for (size_t i = 0; i < a.size(); ++i)
    n += static_cast<uint64_t>(__builtin_popcountll(a[i] & b[i]));
  return n;
}

void and_into(Bits& target, const Bits& other) {
  for (size_t i = 0; i < target.size(); ++i) target[i] &= other[i];
}

struct FacetDimension {
  std::vector<std::string> values;
  std::vector<Bits> bits;  // parallel to values
};

struct FacetSnapshot {
  uint64_t generation = 0;
  Xapian::rev revision = 0;
  size_t words = 0;  // uint64 words per bitmap
  FacetDimension brand, colour, size, category, tag;
  FacetDimension variant, variant_in_stock;  // values "colour<sep>size"
  Bits in_stock, out_of_stock;
  std::vector<int64_t> price;  // by document id

  static std::shared_ptr<const FacetSnapshot> build(const Xapian::Database& db,
                                                    uint64_t generation) {
    auto snap = std::make_shared<FacetSnapshot>();
    snap->generation = generation;
    snap->revision = db.get_revision();
    Xapian::docid last = db.get_lastdocid();
    snap->words = (last >> 6) + 1;
    auto postings = [&](const std::string& term) {
      Bits bits(snap->words, 0);
      for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) set_bit(bits, *p);
      return bits;
    };
    auto load = [&](const std::string& prefix, FacetDimension& dim) {
      for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        dim.values.push_back((*t).substr(prefix.size()));
        dim.bits.push_back(postings(*t));
      }
    };
    load(kBrandPrefix, snap->brand);
    load(kColourPrefix, snap->colour);
    load(kSizePrefix, snap->size);
    load(kCategoryPrefix, snap->category);
    load(kTagPrefix, snap->tag);
    load(kVariantPrefix, snap->variant);
    load(kVariantInStockPrefix, snap->variant_in_stock);
    snap->in_stock = postings(kStockPrefix + "1");
    snap->out_of_stock = postings(kStockPrefix + "0");
    snap->price.assign(static_cast<size_t>(last) + 1, 0);
    for (auto v = db.valuestream_begin(kPriceSlot); v != db.valuestream_end(kPriceSlot); ++v) {
      snap->price[v.get_docid()] = static_cast<int64_t>(Xapian::sortable_unserialise(*v));
    }
    return snap;
  }

  // Documents with a variant of one of `colours` in one of `sizes` (empty: any), in stock or not
  // as `in_stock` asks; nullopt when nothing is asked, meaning "no filter".
  std::optional<Bits> variants_matching(const std::vector<std::string>& colours,
                                        const std::vector<std::string>& sizes,
                                        std::optional<bool> in_stock_wanted) const {
    if (colours.empty() && sizes.empty()) {
      if (!in_stock_wanted) return std::nullopt;
      return *in_stock_wanted ? in_stock : out_of_stock;
    }
    if (sizes.empty() && !in_stock_wanted) return any_of(colour, colours);
    if (colours.empty() && !in_stock_wanted) return any_of(size, sizes);
    const FacetDimension& dim = in_stock_wanted.value_or(false) ? variant_in_stock : variant;
    auto listed = [](const std::vector<std::string>& list, std::string_view v) {
      return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
    };
    Bits out(words, 0);
    for (size_t i = 0; i < dim.values.size(); ++i) {
      std::string_view v = dim.values[i];
      auto sep = v.find(kComboSep);
      if (sep == std::string_view::npos || !listed(colours, v.substr(0, sep)) ||
          !listed(sizes, v.substr(sep + 1)))
        continue;
      for (size_t w = 0; w < words; ++w) out[w] |= dim.bits[i][w];
    }
    if (in_stock_wanted && !*in_stock_wanted) and_into(out, out_of_stock);
    return out;
  }

  // Documents carrying any of `selected` (none known: no documents); nullopt when nothing is
  // selected, meaning "no filter".
  std::optional<Bits> any_of(const FacetDimension& dim,
                             const std::vector<std::string>& selected) const {
    if (selected.empty()) return std::nullopt;
    Bits out(words, 0);
    for (size_t i = 0; i < dim.values.size(); ++i) {
      if (std::find(selected.begin(), selected.end(), dim.values[i]) == selected.end()) continue;
      for (size_t w = 0; w < words; ++w) out[w] |= dim.bits[i][w];
    }
    return out;
  }
};

// Collects the id of every matching document.
class MatchCollector : public Xapian::MatchSpy {
 public:
  explicit MatchCollector(Bits& bits) : bits_(bits) {}
  void operator()(const Xapian::Document& doc, double) override {
    Xapian::docid id = doc.get_docid();
    if ((id >> 6) < bits_.size()) set_bit(bits_, id);
  }

 private:
  Bits& bits_;
};

std::vector<FacetCount> count_dimension(const FacetDimension& dim, const Bits& within) {
  std::vector<FacetCount> out;
  for (size_t i = 0; i < dim.values.size(); ++i) {
    uint64_t n = count_and(within, dim.bits[i]);
    if (n > 0) out.push_back({dim.values[i], n});
  }
  std::sort(out.begin(), out.end(), [](const FacetCount& a, const FacetCount& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  return out;
}

// Facets over `matched` (documents matching the text and the filters other than brand, colour,
// size and stock, which the bitmaps apply here). Returns the result-set size.
uint64_t count_facets(const FacetSnapshot& snap, const Bits& matched, const FacetRequest& want,
                      const std::vector<std::string>& brands,
                      const std::vector<std::string>& colours,
                      const std::vector<std::string>& sizes, std::optional<bool> in_stock,
                      const std::vector<int64_t>& edges, Facets& out) {
  auto brand_ok = snap.any_of(snap.brand, brands);
  auto variant_ok = snap.variants_matching(colours, sizes, in_stock);
  Bits with_brand = matched;
  if (brand_ok) and_into(with_brand, *brand_ok);
  if (want.brand) {
    Bits within = matched;
    if (variant_ok) and_into(within, *variant_ok);
    out.brand = count_dimension(snap.brand, within);
  }
  // Each colour (size) value counts what choosing it, with the other selections kept, would give.
  auto count_variant_values = [&](const FacetDimension& dim, bool is_colour) {
    std::vector<FacetCount> counts;
    for (const auto& value : dim.values) {
      std::vector<std::string> one{value};
      auto bits = is_colour ? snap.variants_matching(one, sizes, in_stock)
                            : snap.variants_matching(colours, one, in_stock);
      uint64_t n = count_and(with_brand, *bits);
      if (n > 0) counts.push_back({value, n});
    }
    std::sort(counts.begin(), counts.end(), [](const FacetCount& a, const FacetCount& b) {
      return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    return counts;
  };
  if (want.colour) out.colour = count_variant_values(snap.colour, true);
  if (want.size) out.size = count_variant_values(snap.size, false);
  Bits full = with_brand;
  if (variant_ok) and_into(full, *variant_ok);
  if (want.category) out.category = count_dimension(snap.category, full);
  if (want.tag) out.tag = count_dimension(snap.tag, full);
  if (want.in_stock) {
    auto stocked = snap.variants_matching(colours, sizes, true);
    out.in_stock = count_and(with_brand, *stocked);
    out.out_of_stock = count_and(full, snap.out_of_stock);
  }
  uint64_t total = 0;
  std::vector<uint64_t> buckets(edges.size() + 1, 0);
  for (size_t w = 0; w < full.size(); ++w) {
    uint64_t word = full[w];
    total += static_cast<uint64_t>(__builtin_popcountll(word));
    if (!want.price) continue;
    while (word) {
      size_t id = (w << 6) + static_cast<size_t>(__builtin_ctzll(word));
      word &= word - 1;
      int64_t price = id < snap.price.size() ? snap.price[id] : 0;
      out.price_min = std::min(out.price_min.value_or(price), price);
      out.price_max = std::max(out.price_max.value_or(price), price);
      ++buckets[static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), price) -
                                    edges.begin())];
    }
  }
  if (want.price) {
    int64_t low = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
      PriceBucket b{low, std::nullopt, buckets[i]};
      if (i < edges.size()) {
        b.max = edges[i];
        low = edges[i];
      }
      out.price.push_back(b);
    }
  }
  return total;
}

Xapian::Query any_term(const std::string& prefix, const std::vector<std::string>& values) {
  std::vector<Xapian::Query> terms;
  for (const auto& v : values) terms.emplace_back(prefix + v);
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

Xapian::Query and_all(const std::vector<Xapian::Query>& parts) {
  return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

// Effective filters of one search, after words from the text were turned into filters.
struct Filters {
  std::vector<std::string> categories;
  std::vector<std::string> brands;
  std::vector<std::string> colours;
  std::vector<std::string> sizes;
  std::optional<int64_t> price_min;
  std::optional<int64_t> price_max;
  std::optional<bool> in_stock;
  std::vector<std::string> tags;
  std::vector<std::string> attributes;  // "key:value"
};

// Filters other than brand, colour, size and stock (whose facets are counted with bitmaps), as
// boolean queries.
std::vector<Xapian::Query> single_select_filters(const Filters& f) {
  std::vector<Xapian::Query> parts;
  if (!f.categories.empty()) parts.push_back(any_term(kCategoryPrefix, f.categories));
  if (!f.tags.empty()) parts.push_back(any_term(kTagPrefix, f.tags));
  for (const auto& a : f.attributes) parts.emplace_back(kAttributePrefix + a);
  if (f.price_min || f.price_max) {
    std::string low = Xapian::sortable_serialise(static_cast<double>(f.price_min.value_or(0)));
    if (f.price_max) {
      std::string high = Xapian::sortable_serialise(static_cast<double>(*f.price_max));
      parts.emplace_back(Xapian::Query::OP_VALUE_RANGE, kPriceSlot, low, high);
    } else {
      parts.emplace_back(Xapian::Query::OP_VALUE_GE, kPriceSlot, low);
    }
  }
  return parts;
}

// Brand, and colour, size and stock asked of one variant together.
std::vector<Xapian::Query> multi_select_filters(
    const Filters& f, const std::vector<std::pair<std::string, std::string>>& variants_known) {
  std::vector<Xapian::Query> parts;
  if (!f.brands.empty()) parts.push_back(any_term(kBrandPrefix, f.brands));
  if (f.colours.empty() && f.sizes.empty()) {
    if (f.in_stock) parts.emplace_back(kStockPrefix + (*f.in_stock ? "1" : "0"));
    return parts;
  }
  const std::string& prefix = f.in_stock.value_or(false) ? kVariantInStockPrefix : kVariantPrefix;
  auto listed = [](const std::vector<std::string>& list, const std::string& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  std::vector<Xapian::Query> terms;
  for (const auto& [colour, size] : variants_known) {
    if (listed(f.colours, colour) && listed(f.sizes, size))
      terms.emplace_back(prefix + colour + kComboSep + size);
  }
  // No variant known with these values: nothing matches (an empty OR would match nothing too,
  // but a term that cannot exist says so plainly).
  if (terms.empty()) terms.emplace_back(kVariantPrefix + kComboSep);
  parts.emplace_back(Xapian::Query::OP_OR, terms.begin(), terms.end());
  if (f.in_stock && !*f.in_stock) parts.emplace_back(kStockPrefix + "0");
  return parts;
}

Xapian::Query with_filters(const Xapian::Query& text, std::vector<Xapian::Query> filters) {
  if (filters.empty()) return text;
  return Xapian::Query(Xapian::Query::OP_FILTER, text, and_all(filters));
}

// Every word must match (through its stem or a synonym's); no words matches everything.
Xapian::Query text_query(const std::vector<std::string>& words) {
  // A fresh match-all query (the empty term), not Xapian::Query::MatchAll: that is one shared
  // object whose reference count is not atomic, so copying it from many threads corrupts it.
  if (words.empty()) return Xapian::Query(std::string());
  std::vector<Xapian::Query> per_word;
  for (const auto& word : words) {
    auto stems = stems_matching(word);
    per_word.emplace_back(Xapian::Query::OP_OR, stems.begin(), stems.end());
  }
  return and_all(per_word);
}

bool word_is_known(const Xapian::Database& db, const std::string& word) {
  for (const auto& s : stems_matching(word)) {
    if (db.term_exists(s)) return true;
  }
  return false;
}

// Facet counts and totals of recent searches, keyed by the index revision they were counted on,
// so a commit makes old entries unreachable instead of stale. Counting facets visits every match;
// shop traffic repeats the same listings (a category, a brand, page 2 of them) so most searches
// skip it. Thread-safety: internally locked.
class FacetCache {
 public:
  struct Entry {
    Facets facets;
    uint64_t total = 0;
  };

  std::optional<Entry> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  void insert(std::string key, Entry entry) {
    std::lock_guard lock(mutex_);
    // Dropping everything when full is crude but bounded, and the next requests refill it.
    if (entries_.size() >= kCapacity) entries_.clear();
    entries_.insert_or_assign(std::move(key), std::move(entry));
  }

 private:
  static constexpr size_t kCapacity = 2048;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

// The ordered matches (document ids, up to the result window) of recent searches, keyed like the
// facet cache plus the sort, so that every page of a listing after the first is a slice rather
// than a new sort of every match: sorting thousands of matches by a value costs milliseconds, and
// shoppers page through the same listings. Keys carry the index revision, so a commit makes
// entries unreachable, never stale. Thread-safety: internally locked.
class OrderCache {
 public:
  struct Ordered {
    std::vector<Xapian::docid> ids;  // the first kMaxResultWindow matches, in order
    uint64_t total = 0;              // every match
  };
  using Order = std::shared_ptr<const Ordered>;

  Order find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second;
  }

  void insert(std::string key, Order order) {
    std::lock_guard lock(mutex_);
    // Bounded by ids held (4 bytes each), whatever the mix of long and short lists.
    if (held_ + order->ids.size() > kMaxIds || entries_.size() >= kMaxEntries) {
      entries_.clear();
      held_ = 0;
    }
    held_ += order->ids.size();
    entries_.insert_or_assign(std::move(key), std::move(order));
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  static constexpr size_t kMaxIds = 4'000'000;  // 16 MB
  std::mutex mutex_;
  std::unordered_map<std::string, Order> entries_;
  size_t held_ = 0;
};

// Product id and slug by document id, so that a page of results is read from memory rather than
// from the document table (a pread per hit). A document id always names the same product within
// one index build (replacing a product keeps its id; ids are never reused), so entries only go
// stale when a product is rewritten: the writer drops its entry before the write, and a search
// on a revision older than the last commit may read but not fill the cache, so it cannot put the
// old version back. Thread-safety: internally locked.
class HitCache {
 public:
  std::optional<SearchHit> find(uint64_t generation, Xapian::docid id) {
    std::lock_guard lock(mutex_);
    if (generation != generation_) return std::nullopt;
    auto it = hits_.find(id);
    if (it == hits_.end()) return std::nullopt;
    return it->second;
  }

  void insert(uint64_t generation, Xapian::rev revision, Xapian::docid id, const SearchHit& hit) {
    std::lock_guard lock(mutex_);
    if (generation != generation_ || revision < committed_) return;
    if (hits_.size() >= kCapacity) hits_.clear();
    hits_.emplace(id, hit);
  }

  // The writer: before a document is replaced or deleted.
  void forget(Xapian::docid id) {
    std::lock_guard lock(mutex_);
    hits_.erase(id);
  }
  // The writer: after a commit, or when a new build is switched in.
  void committed(uint64_t generation, Xapian::rev revision) {
    std::lock_guard lock(mutex_);
    if (generation != generation_) hits_.clear();
    generation_ = generation;
    committed_ = revision;
  }

 private:
  static constexpr size_t kCapacity = 200'000;
  std::mutex mutex_;
  uint64_t generation_ = 0;
  Xapian::rev committed_ = 0;
  std::unordered_map<Xapian::docid, SearchHit> hits_;
};

// Keeps a search from being overtaken by two commits. Xapian lets a reader fall one commit behind
// the writer; a second commit may recycle blocks the reader still needs, and the search fails
// with DatabaseModifiedError and must start again — under a steady stream of commits and a busy
// CPU, again and again. So a commit first waits for the searches that have already seen one
// commit go by (never for searches that started since the last one, so a stream of searches
// cannot hold the writer off), for at most kMaxCommitWait. Thread-safety: internally locked.
class CommitGate {
 public:
  // A search registers for its whole run; the number returned is given back to leave().
  uint64_t enter() {
    std::lock_guard lock(mutex_);
    ++active_[commits_];
    return commits_;
  }
  void leave(uint64_t epoch) {
    {
      std::lock_guard lock(mutex_);
      auto it = active_.find(epoch);
      if (it != active_.end() && --it->second == 0) active_.erase(it);
    }
    changed_.notify_all();
  }
  // The writer, around each commit.
  void before_commit() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kMaxCommitWait,
                      [&] { return active_.empty() || active_.begin()->first >= commits_; });
  }
  void after_commit() {
    std::lock_guard lock(mutex_);
    ++commits_;
  }

 private:
  static constexpr auto kMaxCommitWait = std::chrono::seconds(2);
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t commits_ = 0;
  std::map<uint64_t, int> active_;  // searches running, by the commit count when they started
};

std::string facet_cache_key(uint64_t generation, Xapian::rev revision,
                            const std::vector<std::string>& words, const Filters& f,
                            const SearchQuery& q) {
  std::string key;
  auto add = [&key](std::string_view part) {
    key += part;
    key.push_back(kFieldSep);
  };
  add(std::to_string(generation) + "." + std::to_string(revision));
  add(join(words, ' '));
  add(join(f.categories, kItemSep));
  add(join(f.brands, kItemSep));
  add(join(f.colours, kItemSep));
  add(join(f.sizes, kItemSep));
  add(f.price_min ? std::to_string(*f.price_min) : "-");
  add(f.price_max ? std::to_string(*f.price_max) : "-");
  add(f.in_stock ? (*f.in_stock ? "1" : "0") : "-");
  add(join(f.tags, kItemSep));
  add(join(f.attributes, kItemSep));
  const FacetRequest& w = q.facets;
  for (bool b : {w.brand, w.colour, w.size, w.category, w.price, w.in_stock, w.tag}) {
    key.push_back(b ? '1' : '0');
  }
  for (int64_t edge : q.price_bucket_edges) add(std::to_string(edge));
  return key;
}

}  // namespace

struct CatalogIndex::State {
  fs::path dir;

  // Serialises writers: upsert/remove/commit, and the switch at the end of a rebuild.
  mutable std::mutex write_mutex;
  std::unique_ptr<Xapian::WritableDatabase> writer;  // null while missing or corrupt
  std::optional<std::string> open_error;             // why `writer` is null, if it is
  bool rebuilding = false;
  // Changes made while a rebuild runs, replayed onto the new index before the switch.
  std::vector<std::variant<SearchDocument, std::string>> pending;

  std::mutex rebuild_mutex;  // one rebuild at a time

  // The served database and the reader handles on it.
  mutable std::mutex readers_mutex;
  fs::path current_path;    // empty while there is no index
  uint64_t generation = 0;  // bumped at each switch, so handles on the old index are dropped
  mutable std::vector<std::unique_ptr<Reader>> idle;

  std::atomic<uint64_t> build_counter{0};
  FacetCache facet_cache;
  OrderCache order_cache;
  HitCache hit_cache;
  mutable CommitGate commit_gate;

  // The facet bitmaps of the newest revision a search has asked for.
  mutable std::mutex snapshot_mutex;
  std::shared_ptr<const FacetSnapshot> snapshot;
  std::mutex snapshot_build_mutex;  // one build at a time; others wait and reuse it

  std::shared_ptr<const FacetSnapshot> facet_snapshot(const Reader& reader) {
    Xapian::rev revision = reader.db.get_revision();
    auto current = [&]() -> std::shared_ptr<const FacetSnapshot> {
      std::lock_guard lock(snapshot_mutex);
      if (snapshot && snapshot->generation == reader.generation && snapshot->revision == revision) {
        return snapshot;
      }
      return nullptr;
    };
    if (auto snap = current()) return snap;
    std::lock_guard build_lock(snapshot_build_mutex);
    if (auto snap = current()) return snap;
    auto built = FacetSnapshot::build(reader.db, reader.generation);
    std::lock_guard lock(snapshot_mutex);
    // A reader still on an older revision keeps its build to itself.
    if (!snapshot || built->generation > snapshot->generation ||
        (built->generation == snapshot->generation && built->revision > snapshot->revision)) {
      snapshot = built;
    }
    return built;
  }

  // Gives the reader back to the pool when done, unless the index was switched meanwhile.
  struct Lease {
    Lease(const State* owner, std::unique_ptr<Reader> r) : state(owner), reader(std::move(r)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    const State* state;
    std::unique_ptr<Reader> reader;
    ~Lease() {
      if (!reader) return;
      std::lock_guard lock(state->readers_mutex);
      if (reader->generation == state->generation && state->idle.size() < kMaxIdleReaders) {
        state->idle.push_back(std::move(reader));
      }
    }
  };

  uint64_t current_generation() const {
    std::lock_guard lock(readers_mutex);
    return generation;
  }

  // A reader on the current index, refreshed to its latest commit.
  Result<Lease> lease() const {
    // A rebuild may switch indexes, and the one after it delete the old directory, between
    // reading the current path and opening it: then the open fails and is retried on the new one.
    for (int attempt = 0;; ++attempt) {
      fs::path path;
      uint64_t gen = 0;
      std::unique_ptr<Reader> reader;
      {
        std::lock_guard lock(readers_mutex);
        if (current_path.empty()) {
          if (open_error) return corrupt_error(*open_error);
          return missing_error();
        }
        path = current_path;
        gen = generation;
        while (!idle.empty() && !reader) {
          auto candidate = std::move(idle.back());
          idle.pop_back();
          if (candidate->generation == gen) reader = std::move(candidate);
        }
      }
      try {
        if (reader) {
          reader->db.reopen();  // cheap: reads the revision; picks up the latest commit
        } else {
          reader = std::make_unique<Reader>();
          reader->db = Xapian::Database(path.string(), Xapian::DB_BACKEND_GLASS);
          reader->generation = gen;
        }
        return Lease{this, std::move(reader)};
      } catch (const Xapian::Error& e) {
        if (attempt < 3 && current_generation() != gen) continue;
        if (is_corruption(e)) {
          return corrupt_error(e.get_msg());
        }
        return Error::unavailable("search_index_unavailable",
                                  "cannot open the search index: " + e.get_description());
      }
    }
  }

  // The writer, before it rewrites or deletes the product with this (clean) id.
  void forget_hit(const std::string& id) {
    std::string term = kIdPrefix + id;
    auto post = writer->postlist_begin(term);
    if (post != writer->postlist_end(term)) hit_cache.forget(*post);
  }

  Result<void> writable() const {
    if (writer) return {};
    if (open_error) return corrupt_error(*open_error);
    return missing_error();
  }
};

CatalogIndex::CatalogIndex(std::unique_ptr<State> state) : state_(std::move(state)) {}
CatalogIndex::~CatalogIndex() = default;

Result<std::unique_ptr<CatalogIndex>> CatalogIndex::open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return Error::unavailable("search_index_unavailable",
                              "cannot create the search index directory " + dir.string());
  }
  auto state = std::make_unique<State>();
  state->dir = dir;
  if (auto name = read_current(dir)) {
    fs::path path = dir / *name;
    try {
      if (!fs::exists(path / "iamglass")) throw Xapian::DatabaseNotFoundError("no glass database");
      state->writer = std::make_unique<Xapian::WritableDatabase>(
          path.string(), Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS);
      state->current_path = path;
      state->hit_cache.committed(state->generation, state->writer->get_revision());
    } catch (const Xapian::DatabaseLockError& e) {
      // Another process serves this directory; rebuilding it from here would pull the index
      // from under that process.
      return Error::unavailable("search_index_locked",
                                "the search index is in use by another process: " + e.get_msg());
    } catch (const Xapian::Error& e) {
      state->open_error = e.get_description();
    }
  }
  return std::unique_ptr<CatalogIndex>(new CatalogIndex(std::move(state)));
}

Result<void> CatalogIndex::verify() const {
  fs::path path;
  {
    std::lock_guard lock(state_->readers_mutex);
    if (state_->current_path.empty()) {
      if (state_->open_error) return corrupt_error(*state_->open_error);
      return Error::not_found("search_index_missing", "the search index has not been built");
    }
    path = state_->current_path;
  }
  // Reads every document (data, terms, values) and every posting list, so any damaged block
  // is read. Xapian::Database::check would do the same but trips AddressSanitizer inside
  // libxapian 1.4.22 (new/delete size mismatch), and our tests run under it.
  try {
    Xapian::Database db(path.string(), Xapian::DB_BACKEND_GLASS);
    Xapian::doccount documents = 0;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      Xapian::Document doc = db.get_document(*it);
      (void)doc.get_data();
      for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) (void)*t;
      for (auto v = doc.values_begin(); v != doc.values_end(); ++v) (void)*v;
      ++documents;
    }
    if (documents != db.get_doccount()) {
      return corrupt_error("document count disagrees with the documents present");
    }
    for (auto term = db.allterms_begin(); term != db.allterms_end(); ++term) {
      Xapian::doccount postings = 0;
      for (auto p = db.postlist_begin(*term); p != db.postlist_end(*term); ++p) ++postings;
      if (postings != term.get_termfreq()) {
        return corrupt_error("posting list of a term disagrees with its frequency");
      }
    }
    for (auto word = db.spellings_begin(); word != db.spellings_end(); ++word) (void)*word;
  } catch (const Xapian::Error& e) {
    return corrupt_error(e.get_description());
  } catch (const std::exception& e) {
    return corrupt_error(e.what());
  }
  return {};
}

Result<void> CatalogIndex::upsert(const SearchDocument& doc) {
  if (auto ok = check_document(doc); !ok) return ok;
  std::lock_guard lock(state_->write_mutex);
  if (auto ok = state_->writable(); !ok) return ok;
  try {
    state_->forget_hit(clean_key(doc.id));
    write_document(*state_->writer, doc, true);
    if (state_->rebuilding) state_->pending.emplace_back(doc);
  } catch (const Xapian::Error& e) {
    return Error::internal("search index write failed: " + e.get_description());
  }
  return {};
}

Result<void> CatalogIndex::remove(std::string_view id) {
  std::lock_guard lock(state_->write_mutex);
  if (auto ok = state_->writable(); !ok) return ok;
  try {
    state_->forget_hit(clean_key(id));
    erase_document(*state_->writer, id);
    if (state_->rebuilding) state_->pending.emplace_back(std::string(id));
  } catch (const Xapian::Error& e) {
    return Error::internal("search index write failed: " + e.get_description());
  }
  return {};
}

Result<void> CatalogIndex::commit() {
  std::lock_guard lock(state_->write_mutex);
  if (auto ok = state_->writable(); !ok) return ok;
  try {
    state_->commit_gate.before_commit();
    state_->writer->commit();
    state_->commit_gate.after_commit();
    state_->hit_cache.committed(state_->current_generation(), state_->writer->get_revision());
  } catch (const Xapian::Error& e) {
    return Error::internal("search index commit failed: " + e.get_description());
  }
  return {};
}

Result<uint64_t> CatalogIndex::rebuild(std::span<const SearchDocument> docs,
                                       const Progress& progress) {
  size_t at = 0;
  return rebuild(
      [&]() -> std::optional<SearchDocument> {
        if (at == docs.size()) return std::nullopt;
        return docs[at++];
      },
      docs.size(), progress);
}

Result<uint64_t> CatalogIndex::rebuild(const DocumentSource& next, uint64_t expected,
                                       const Progress& progress) {
  State& s = *state_;
  std::lock_guard rebuild_lock(s.rebuild_mutex);

  // Builds left by earlier runs (or a crash) are no longer served: only CURRENT's is.
  auto current_name = read_current(s.dir);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(s.dir, ec)) {
    auto name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("index-", 0) == 0 && name != current_name) {
      fs::remove_all(entry.path(), ec);
    }
  }

  auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  std::string name = "index-" + std::to_string(stamp) + "-" + std::to_string(++s.build_counter);
  fs::path path = s.dir / name;
  {
    std::lock_guard lock(s.write_mutex);
    s.rebuilding = true;
    s.pending.clear();
  }
  auto fail = [&](const std::string& why) -> Result<uint64_t> {
    {
      std::lock_guard lock(s.write_mutex);
      s.rebuilding = false;
      s.pending.clear();
    }
    std::error_code ignored;
    fs::remove_all(path, ignored);
    return Error::internal("search index rebuild failed: " + why);
  };

  uint64_t done = 0;
  try {
    auto fresh = std::make_unique<Xapian::WritableDatabase>(
        path.string(), Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
    std::unordered_set<std::string> seen;
    while (auto doc = next()) {
      if (!check_document(*doc)) continue;  // the live path refuses these too
      bool duplicate = !seen.insert(clean_key(doc->id)).second;
      write_document(*fresh, *doc, duplicate);
      ++done;
      if (progress && done % kProgressEvery == 0) progress(done, expected);
    }
    fresh->commit();

    std::lock_guard lock(s.write_mutex);
    for (const auto& change : s.pending) {
      if (const auto* doc = std::get_if<SearchDocument>(&change)) {
        write_document(*fresh, *doc, true);
      } else {
        erase_document(*fresh, std::get<std::string>(change));
      }
    }
    fresh->commit();
    write_atomically(s.dir, kCurrentFile, name + "\n");
    s.writer = std::move(fresh);
    s.open_error.reset();
    s.rebuilding = false;
    s.pending.clear();
    {
      std::lock_guard readers_lock(s.readers_mutex);
      s.current_path = path;
      ++s.generation;
      s.idle.clear();
    }
    s.hit_cache.committed(s.generation, s.writer->get_revision());
  } catch (const Xapian::Error& e) {
    return fail(e.get_description());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (progress) progress(done, expected);
  return done;
}

Result<SearchResult> CatalogIndex::search(const SearchQuery& query) const {
  if (query.page < 1) return parameter_error("page", "page must be 1 or more");
  if (query.per_page < 1 || query.per_page > kMaxPerPage) {
    return parameter_error("per_page",
                           "per_page must be between 1 and " + std::to_string(kMaxPerPage));
  }
  if (static_cast<int64_t>(query.page) * query.per_page > kMaxResultWindow) {
    return parameter_error(
        "page", "results beyond the first " + std::to_string(kMaxResultWindow) + " are not served");
  }
  if (query.price_min && *query.price_min < 0) {
    return parameter_error("price_min", "price_min must not be negative");
  }
  if (query.price_max && *query.price_max < 0) {
    return parameter_error("price_max", "price_max must not be negative");
  }
  if (query.price_min && query.price_max && *query.price_min > *query.price_max) {
    return parameter_error("price_min", "price_min must not exceed price_max");
  }
  if (!std::is_sorted(query.price_bucket_edges.begin(), query.price_bucket_edges.end())) {
    return parameter_error("price_bucket_edges", "price bucket edges must be ascending");
  }

  Filters base;
  base.categories = clean_keys(query.categories);
  base.brands = clean_keys(query.brands);
  base.colours = clean_keys(query.colours);
  base.sizes = clean_keys(query.sizes);
  base.price_min = query.price_min;
  base.price_max = query.price_max;
  base.in_stock = query.in_stock;
  base.tags = clean_keys(query.tags);
  for (const auto& [key, value] : query.attributes) {
    base.attributes.push_back(clean_key(key) + ":" + clean_key(value));
  }
  auto tokens = words_of(truncate_utf8(query.text, kMaxQueryTextBytes));

  // A reader can see a revision the writer has since recycled blocks of (DatabaseModifiedError);
  // reopening and running again is the documented answer. Under load a search can be overtaken
  // several times in a row, so it is bounded by time rather than by a count.
  auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    struct Entered {  // registered with the commit gate before the reader picks its revision
      CommitGate& gate;
      uint64_t epoch;
      ~Entered() { gate.leave(epoch); }
    } entered{state_->commit_gate, state_->commit_gate.enter()};
    auto lease = state_->lease();
    if (!lease) return lease.error();
    Reader& reader = *lease->reader;
    try {
      Xapian::Database& db = reader.db;
      reader.load_vocabulary();
      SearchResult result;
      Filters filters = base;

      // Colour and size words become filters; the rest are searched as text. A size word counts
      // as a filter after "size", or when it is not also an ordinary word in the catalog.
      std::vector<std::string> words;
      for (size_t i = 0; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        if (i + 1 < tokens.size() && reader.colours.count(t + " " + tokens[i + 1])) {
          result.colours_from_text.push_back(t + " " + tokens[i + 1]);
          ++i;
          continue;
        }
        if (reader.colours.count(t)) {
          result.colours_from_text.push_back(t);
          continue;
        }
        bool after_size = i > 0 && (tokens[i - 1] == "size" || tokens[i - 1] == "sz");
        if (reader.sizes.count(t) && (after_size || !db.term_exists(stem(t)))) {
          result.sizes_from_text.push_back(t);
          continue;
        }
        if (!is_stopword(t)) words.push_back(t);
      }
      // Each word costs a posting-list walk and maybe a spelling lookup; no shopper types more.
      if (words.size() > kMaxQueryWords) words.resize(kMaxQueryWords);
      // Words from the text narrow only dimensions the caller did not filter already.
      if (filters.colours.empty()) filters.colours = result.colours_from_text;
      if (filters.sizes.empty()) filters.sizes = result.sizes_from_text;

      auto run = [&](const std::vector<std::string>& text_words, SearchResult& out) {
        Xapian::Query text = text_query(text_words);
        auto single = single_select_filters(filters);
        auto multi = multi_select_filters(filters, reader.variants);
        std::vector<Xapian::Query> all = single;
        all.insert(all.end(), multi.begin(), multi.end());
        Xapian::Query full = with_filters(text, all);
        Xapian::doccount everything = std::max<Xapian::doccount>(db.get_doccount(), 1);

        Xapian::Enquire enquire(db);
        enquire.set_query(full);
        enquire.set_docid_order(Xapian::Enquire::ASCENDING);
        // Without words every match weighs the same: ranking would only cost time.
        bool ranked = !text_words.empty();
        if (!ranked) enquire.set_weighting_scheme(Xapian::BoolWeight());
        switch (query.sort) {
          case SortOrder::relevance:
            if (ranked)
              enquire.set_sort_by_relevance_then_value(kPopularitySlot, true);
            else
              enquire.set_sort_by_value(kPopularitySlot, true);
            break;
          case SortOrder::price_asc:
            enquire.set_sort_by_value_then_relevance(kPriceSlot, false);
            break;
          case SortOrder::price_desc:
            enquire.set_sort_by_value_then_relevance(kPriceSlot, true);
            break;
          case SortOrder::newest:
            enquire.set_sort_by_value_then_relevance(kCreatedSlot, true);
            break;
          case SortOrder::best_selling:
            enquire.set_sort_by_value_then_relevance(kPopularitySlot, true);
            break;
        }

        std::optional<uint64_t> known_total;
        std::string cache_key;
        if (query.facets.any()) {
          cache_key =
              facet_cache_key(reader.generation, db.get_revision(), text_words, filters, query);
          if (auto cached = state_->facet_cache.find(cache_key)) {
            out.facets = std::move(cached->facets);
            known_total = cached->total;
          } else {
            auto snap = state_->facet_snapshot(reader);
            // The multi-select filters are left out of this match: the bitmaps apply them.
            Bits matched(snap->words, 0);
            MatchCollector collector(matched);
            Xapian::Enquire counting(db);
            counting.set_query(with_filters(text, single));
            counting.set_weighting_scheme(Xapian::BoolWeight());
            counting.add_matchspy(&collector);
            (void)counting.get_mset(0, 0, everything);
            known_total =
                count_facets(*snap, matched, query.facets, filters.brands, filters.colours,
                             filters.sizes, filters.in_stock, query.price_bucket_edges, out.facets);
            state_->facet_cache.insert(std::move(cache_key), {out.facets, *known_total});
          }
        }
        auto offset = static_cast<size_t>((query.page - 1) * query.per_page);
        if (ranked) {
          // Ranked by words: Xapian stops early once the page is certain, and with the total
          // known from the facet count it need not count the rest either.
          Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(offset),
                                               static_cast<Xapian::doccount>(query.per_page),
                                               known_total ? 0 : everything);
          out.total = known_total ? *known_total : mset.get_matches_estimated();
          Xapian::rev revision = db.get_revision();
          for (auto it = mset.begin(); it != mset.end(); ++it) {
            if (auto hit = state_->hit_cache.find(reader.generation, *it)) {
              out.hits.push_back(std::move(*hit));
              continue;
            }
            std::string data = it.get_document().get_data();
            auto stored = parse_data(data);
            SearchHit hit{std::string(stored.id), std::string(stored.slug)};
            state_->hit_cache.insert(reader.generation, revision, *it, hit);
            out.hits.push_back(std::move(hit));
          }
          out.searched_text = join(text_words, ' ');
          return;
        }
        // Sorted by a value (a listing): every match is visited whatever the page, so the whole
        // order is kept and the listing's other pages are slices of it.
        std::string order_key =
            facet_cache_key(reader.generation, db.get_revision(), text_words, filters, query);
        order_key.push_back(static_cast<char>('0' + static_cast<int>(query.sort)));
        OrderCache::Order order = state_->order_cache.find(order_key);
        if (!order) {
          Xapian::MSet mset = enquire.get_mset(0, kMaxResultWindow, everything);
          auto ordered = std::make_shared<OrderCache::Ordered>();
          ordered->ids.reserve(mset.size());
          for (auto it = mset.begin(); it != mset.end(); ++it) ordered->ids.push_back(*it);
          ordered->total = mset.get_matches_estimated();  // exact: every match was counted
          order = ordered;
          state_->order_cache.insert(order_key, order);
        }
        out.total = known_total ? *known_total : order->total;
        const auto& ids = order->ids;
        for (size_t i = offset; i < ids.size() && i < offset + static_cast<size_t>(query.per_page);
             ++i) {
          Xapian::rev revision = db.get_revision();
          if (auto hit = state_->hit_cache.find(reader.generation, ids[i])) {
            out.hits.push_back(std::move(*hit));
            continue;
          }
          std::string data = db.get_document(ids[i]).get_data();
          auto stored = parse_data(data);
          SearchHit hit{std::string(stored.id), std::string(stored.slug)};
          state_->hit_cache.insert(reader.generation, revision, ids[i], hit);
          out.hits.push_back(std::move(hit));
        }
        out.searched_text = join(text_words, ' ');
      };

      run(words, result);

      // Spelling: only words that match nothing are corrected.
      std::vector<std::string> corrected = words;
      bool changed = false;
      for (auto& w : corrected) {
        if (!spellable(w) || word_is_known(db, w)) continue;
        std::string fix = db.get_spelling_suggestion(w, w.size() <= 4 ? 1 : 2);
        if (!fix.empty() && fix != w) {
          w = fix;
          changed = true;
        }
      }
      if (changed) {
        std::vector<std::string> shown;
        size_t next_word = 0;
        for (const auto& t : tokens) {
          if (next_word < words.size() && t == words[next_word]) {
            shown.push_back(corrected[next_word++]);
          } else {
            shown.push_back(t);
          }
        }
        result.did_you_mean = join(shown, ' ');
        if (result.total == 0) {
          SearchResult fixed;
          fixed.colours_from_text = result.colours_from_text;
          fixed.sizes_from_text = result.sizes_from_text;
          run(corrected, fixed);
          if (fixed.total > 0) {
            fixed.did_you_mean = result.did_you_mean;
            fixed.corrected = true;
            return fixed;
          }
        }
      }
      return result;
    } catch (const Xapian::DatabaseModifiedError&) {
      if (std::chrono::steady_clock::now() - started > kOvertakenBudget) {
        return Error::unavailable("search_index_busy", "the search index changed too quickly");
      }
      continue;
    } catch (const Xapian::Error& e) {
      // The index was switched under this reader (and its files possibly removed): run again on
      // the new one.
      if (attempt < 2 && state_->current_generation() != reader.generation) continue;
      if (is_corruption(e)) return corrupt_error(e.get_msg());
      return Error::internal("search failed: " + e.get_description());
    }
  }
}

Result<std::vector<std::string>> CatalogIndex::suggest(std::string_view prefix,
                                                       size_t limit) const {
  limit = std::min(limit, kMaxSuggestions);
  std::string text = truncate_utf8(prefix, kMaxQueryTextBytes);
  auto words = words_of(text);
  std::vector<std::string> out;
  // A trailing separator means the last word is finished: nothing to complete.
  auto last_byte = text.empty() ? 0u : static_cast<unsigned char>(text.back());
  bool open_word = !words.empty() && (last_byte >= 0x80 || Xapian::Unicode::is_wordchar(last_byte));
  if (limit == 0 || !open_word) return out;
  std::string last = words.back();
  words.pop_back();
  std::string before = join(words, ' ');

  auto lease = state_->lease();
  if (!lease) return lease.error();
  try {
    Xapian::Database& db = lease->reader->db;
    std::string term_prefix = kSuggestPrefix + last;
    std::vector<std::pair<std::string, Xapian::doccount>> found;
    for (auto it = db.allterms_begin(term_prefix);
         it != db.allterms_end(term_prefix) && found.size() < kMaxSuggestScan; ++it) {
      found.emplace_back((*it).substr(kSuggestPrefix.size()), it.get_termfreq());
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (size_t i = 0; i < found.size() && out.size() < limit; ++i) {
      out.push_back(before.empty() ? found[i].first : before + " " + found[i].first);
    }
  } catch (const Xapian::DatabaseCorruptError& e) {
    return corrupt_error(e.get_msg());
  } catch (const Xapian::Error& e) {
    return Error::internal("suggest failed: " + e.get_description());
  }
  return out;
}

Result<uint64_t> CatalogIndex::document_count() const {
  auto lease = state_->lease();
  if (!lease) return lease.error();
  try {
    return static_cast<uint64_t>(lease->reader->db.get_doccount());
  } catch (const Xapian::Error& e) {
    return Error::internal("search index read failed: " + e.get_description());
  }
}

}  // namespace fff::search
