#include "app/demo_shop.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "app/demo_images.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/media/service.hpp"

namespace fff::app {
namespace {

// SplitMix64: tiny, fast and fully specified, so the catalog is identical on every platform
// (std:: distributions are not).
class Dice {
 public:
  explicit Dice(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return between(1, 100) <= percent; }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[next() % N];
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[next() % items.size()];
  }

 private:
  uint64_t state_;
};

uint64_t mix(uint64_t a, uint64_t b) {
  Dice d(a * 0x100000001b3ULL ^ b);
  return d.next();
}

uint64_t hash_text(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// 2026-01-01T00:00:00Z: the demo shop's products appear one a minute from here.
constexpr int64_t kEpochMs = 1767225600000;

// A UUIDv7-shaped id from a time and the generator: version 7, RFC 9562 variant.
std::string demo_id(int64_t unix_ms, Dice& dice) {
  uint64_t hi = (static_cast<uint64_t>(unix_ms) << 16) | 0x7000 | (dice.next() & 0x0fff);
  uint64_t lo = (dice.next() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

// An id that depends only on the seed and a name (reference rows).
std::string named_id(uint64_t seed, const std::string& name) {
  Dice d(mix(seed, hash_text(name)));
  return demo_id(kEpochMs - 86'400'000, d);
}

std::string slugify(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z')
      s += static_cast<char>(c + 32);
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      s += c;
    else if (!s.empty() && s.back() != '-')
      s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s;
}

// At most `limit` bytes of `text`, cut at a word boundary (never inside a UTF-8 character),
// with "…" when something was cut.
std::string snippet(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = text.rfind(' ', limit - 3);  // room for the 3-byte ellipsis
  if (cut == std::string::npos || cut == 0) {
    cut = limit - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  return text.substr(0, cut) + "\u2026";
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

struct Colour {
  const char* code;
  const char* label;
  const char* hex;
  const char* sku;  // distinct three letters for the SKU
};
const Colour kColours[] = {
    {"black", "Black", "#111111", "BLK"},     {"white", "White", "#f7f7f5", "WHT"},
    {"ivory", "Ivory", "#f3ecdc", "IVR"},     {"navy", "Navy", "#1f2a44", "NVY"},
    {"grey", "Grey", "#8a8d91", "GRY"},       {"camel", "Camel", "#c19a6b", "CML"},
    {"olive", "Olive", "#6b6b3a", "OLV"},     {"sage", "Sage", "#9caf88", "SGE"},
    {"red", "Red", "#b3282d", "RED"},         {"burgundy", "Burgundy", "#6d1a2a", "BGD"},
    {"blue", "Blue", "#3b6fb6", "BLU"},       {"denim", "Denim Blue", "#4a6a8a", "DNM"},
    {"pink", "Pink", "#e8a5b4", "PNK"},       {"terracotta", "Terracotta", "#c0603f", "TRC"},
    {"green", "Green", "#2f6b47", "GRN"},     {"mustard", "Mustard", "#d4a017", "MST"},
    {"brown", "Chocolate", "#4e342e", "BRN"}, {"lilac", "Lilac", "#b39ddb", "LLC"},
};

enum class Sizing { letters, kids, waist, shoes, one_size };

const std::vector<std::string>& sizes_for(Sizing s) {
  static const std::vector<std::string> letters{"xs", "s", "m", "l", "xl"};
  static const std::vector<std::string> kids{"2-3y", "4-5y", "6-7y", "8-9y", "10-11y"};
  static const std::vector<std::string> waist{"26", "28", "30", "32", "34", "36"};
  static const std::vector<std::string> shoes{"36", "37", "38", "39", "40", "41",
                                              "42", "43", "44", "45", "46"};
  static const std::vector<std::string> one{"one-size"};
  switch (s) {
    case Sizing::letters: return letters;
    case Sizing::kids: return kids;
    case Sizing::waist: return waist;
    case Sizing::shoes: return shoes;
    case Sizing::one_size: break;
  }
  return one;
}

std::vector<catalog::OptionValue> option_values() {
  std::vector<catalog::OptionValue> out;
  int64_t pos = 0;
  for (const auto& c : kColours) out.push_back({"colour", c.code, c.label, c.hex, pos++});
  // Sizes in the order a size picker shows them: letters, kids' ages, then numbers, one size.
  std::map<std::string, int64_t> rank;
  auto add = [&](const std::vector<std::string>& codes, int64_t base) {
    for (size_t i = 0; i < codes.size(); ++i) {
      const std::string& code = codes[i];
      if (rank.count(code)) continue;  // waist 36 and shoe 36 are one value
      int64_t r = base + static_cast<int64_t>(i);
      if (code[0] >= '0' && code[0] <= '9' && code.back() != 'y') r = base + std::stoll(code);
      rank[code] = r;
      std::string label = code;
      if (code == "one-size") {
        label = "One size";
      } else if (code.back() == 'y') {
        label = code.substr(0, code.size() - 1) + " years";
      } else {
        for (char& ch : label)
          if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
      }
      out.push_back({"size", code, label, std::nullopt, r});
    }
  };
  add(sizes_for(Sizing::letters), 0);
  add(sizes_for(Sizing::kids), 10);
  add(sizes_for(Sizing::waist), 100);
  add(sizes_for(Sizing::shoes), 100);
  add(sizes_for(Sizing::one_size), 1000);
  return out;
}

struct Kind {
  const char* name;      // category name: "Dresses"
  const char* sku_code;  // "DRS"
  Sizing sizing;
  int64_t price_lo, price_hi;  // whole dollars
  int64_t grams;
  std::vector<const char*> nouns;
  std::vector<const char*> materials;
  const char* what;  // the sentence that says what it is; {m} is the material
};

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> k = {
      {"Dresses",
       "DRS",
       Sizing::letters,
       39,
       169,
       420,
       {"Wrap Dress", "Slip Dress", "Shirt Dress", "Midi Dress", "Maxi Dress", "Tiered Dress",
        "Smock Dress"},
       {"Linen", "Viscose", "Organic Cotton", "Silk", "Crepe", "Poplin"},
       "A dress in {m} that moves with you, with a softly shaped waist and a hem that falls just "
       "right."},
      {"Tops",
       "TOP",
       Sizing::letters,
       15,
       69,
       180,
       {"T-Shirt", "Tank Top", "Blouse", "Polo Shirt", "Long-Sleeve Tee", "Camisole"},
       {"Organic Cotton", "Jersey", "Linen", "Modal", "Recycled Cotton"},
       "An everyday top in {m} with clean seams, a neckline that keeps its shape and a length "
       "that tucks in or hangs loose."},
      {"Shirts",
       "SHT",
       Sizing::letters,
       35,
       119,
       260,
       {"Oxford Shirt", "Linen Shirt", "Overshirt", "Flannel Shirt", "Poplin Shirt",
        "Camp-Collar Shirt"},
       {"Cotton Poplin", "Linen", "Brushed Cotton", "Oxford Cotton", "Chambray"},
       "A button-through shirt in {m} with a proper collar, a curved hem and mother-of-pearl "
       "effect buttons."},
      {"Jeans",
       "JNS",
       Sizing::waist,
       49,
       149,
       650,
       {"Straight Jeans", "Slim Jeans", "Wide-Leg Jeans", "Bootcut Jeans", "Mom Jeans",
        "Tapered Jeans"},
       {"Rigid Denim", "Stretch Denim", "Organic Denim", "Recycled Denim"},
       "Five-pocket jeans in {m} with a button fly, bar-tacked pockets and a leg that holds its "
       "line wash after wash."},
      {"Trousers",
       "TRS",
       Sizing::waist,
       45,
       139,
       520,
       {"Pleated Trousers", "Chinos", "Cargo Trousers", "Wide Trousers", "Tailored Trousers",
        "Drawstring Trousers"},
       {"Cotton Twill", "Wool Blend", "Linen", "Stretch Cotton", "Tencel"},
       "Trousers in {m} with a clean front, deep side pockets and a waistband made to sit "
       "comfortably all day."},
      {"Skirts",
       "SKT",
       Sizing::letters,
       35,
       119,
       300,
       {"Pleated Skirt", "Midi Skirt", "Denim Skirt", "Slip Skirt", "A-Line Skirt", "Wrap Skirt"},
       {"Satin", "Denim", "Wool Blend", "Linen", "Crepe"},
       "A skirt in {m} with a concealed side zip and a hem that swings when you walk."},
      {"Jackets",
       "JKT",
       Sizing::letters,
       89,
       349,
       900,
       {"Trench Coat", "Denim Jacket", "Bomber Jacket", "Blazer", "Puffer Jacket", "Quilted Jacket",
        "Wool Coat"},
       {"Cotton Gabardine", "Wool Blend", "Recycled Nylon", "Denim", "Waxed Cotton"},
       "An outer layer in {m}, lined for comfort, with pockets deep enough for a phone and a "
       "cut that fits over knitwear."},
      {"Knitwear",
       "KNT",
       Sizing::letters,
       49,
       199,
       450,
       {"Crew Sweater", "Cardigan", "Roll-Neck Sweater", "V-Neck Sweater", "Knitted Vest",
        "Cable Sweater"},
       {"Merino Wool", "Cashmere Blend", "Organic Cotton", "Alpaca Blend", "Lambswool"},
       "A knit in {m} with ribbed cuffs and hem, soft against the skin and warm without bulk."},
      {"Shoes",
       "SHO",
       Sizing::shoes,
       59,
       229,
       800,
       {"Canvas Sneakers", "Leather Trainers", "Chelsea Boots", "Loafers", "Sandals",
        "Ballet Flats", "Running Shoes"},
       {"Leather", "Suede", "Canvas", "Recycled Knit", "Vegan Leather"},
       "Shoes in {m} on a cushioned footbed and a grippy rubber sole, made to be worn in from the "
       "first day."},
      {"Bags",
       "BAG",
       Sizing::one_size,
       39,
       299,
       700,
       {"Tote Bag", "Crossbody Bag", "Backpack", "Shoulder Bag", "Belt Bag", "Weekend Bag"},
       {"Leather", "Canvas", "Recycled Nylon", "Vegan Leather", "Suede"},
       "A bag in {m} with an inner zip pocket, sturdy handles and room for a laptop, a water "
       "bottle and the rest of the day."},
      {"Accessories",
       "ACC",
       Sizing::one_size,
       12,
       89,
       120,
       {"Beanie", "Scarf", "Leather Belt", "Baseball Cap", "Sunglasses", "Silk Scarf", "Socks"},
       {"Wool", "Cotton", "Leather", "Silk", "Recycled Polyester"},
       "A finishing touch in {m} that goes with everything in the wardrobe."},
  };
  return k;
}

struct Department {
  const char* name;  // "Women"
  const char* gender;
  int weight;  // share of products, out of 100
  std::vector<const char*> kinds;
};

const std::vector<Department>& departments() {
  static const std::vector<Department> d = {
      {"Women",
       "women",
       45,
       {"Dresses", "Tops", "Shirts", "Jeans", "Trousers", "Skirts", "Jackets", "Knitwear", "Shoes",
        "Bags", "Accessories"}},
      {"Men",
       "men",
       38,
       {"Tops", "Shirts", "Jeans", "Trousers", "Jackets", "Knitwear", "Shoes", "Bags",
        "Accessories"}},
      {"Kids",
       "kids",
       17,
       {"Dresses", "Tops", "Shirts", "Jeans", "Trousers", "Skirts", "Jackets", "Knitwear", "Shoes",
        "Accessories"}},
  };
  return d;
}

const char* kBrands[] = {"Northlane",     "Maison Verre", "Atelier Nord",  "Cobalt & Co",
                         "Linden Studio", "Harbor Goods", "Fieldhouse",    "Saltwater",
                         "Oak & Ember",   "Marlowe",      "Kinfolk Denim", "Juniper Row",
                         "Solenne",       "Tidewater",    "Ashby",         "Little Wren"};

const char* kFits[] = {"Regular", "Relaxed", "Slim", "Oversized"};
const char* kSeasons[] = {"All season", "Spring/Summer", "Autumn/Winter"};
const char* kStyles[] = {"Everyday", "Classic", "Relaxed", "Tailored", "Soft",    "Essential",
                         "Cropped",  "Washed",  "Easy",    "Studio",   "Weekend", "Heritage"};

const char* kFitSentences[] = {
    "The fit is true to size; take your usual.",
    "It is cut generously, so size down for a closer fit.",
    "Our model is 178 cm and wears a size M.",
    "Cut close to the body without clinging.",
};
const char* kCareSentences[] = {
    "Machine wash cold, inside out, and line dry.",
    "Wash at 30°C with similar colours; do not tumble dry.",
    "Dry clean or hand wash cold.",
    "Spot clean; store in the dust bag it comes in.",
};

// Vietnamese category names: the first non-English locale the shop plans for.
const std::map<std::string, std::string>& vi_names() {
  static const std::map<std::string, std::string> m = {
      {"Women", "Nữ"},         {"Men", "Nam"},
      {"Kids", "Trẻ em"},      {"Dresses", "Váy đầm"},
      {"Tops", "Áo"},          {"Shirts", "Áo sơ mi"},
      {"Jeans", "Quần jeans"}, {"Trousers", "Quần dài"},
      {"Skirts", "Chân váy"},  {"Jackets", "Áo khoác"},
      {"Knitwear", "Áo len"},  {"Shoes", "Giày"},
      {"Bags", "Túi xách"},    {"Accessories", "Phụ kiện"}};
  return m;
}

// The stand-in media key of the picture of a kind in a colour: "demo-image:dresses:red".
std::string demo_image_name(const std::string& kind, const std::string& colour) {
  return "demo-image:" + slugify(kind) + ":" + colour;
}

struct Reference {
  std::vector<catalog::Category> categories;
  std::map<std::string, std::string> category_id;  // "women/dresses" -> id
  std::vector<catalog::Brand> brands;
  std::vector<catalog::OptionValue> options;
  std::vector<catalog::Translation> translations;
};

Reference reference(uint64_t seed) {
  Reference ref;
  int64_t root_pos = 0;
  for (const auto& dep : departments()) {
    catalog::Category root{named_id(seed, std::string("category:") + dep.name), std::nullopt,
                           slugify(dep.name), dep.name, root_pos++};
    ref.categories.push_back(root);
    ref.category_id[slugify(dep.name)] = root.id;
    ref.translations.push_back({"category", root.id, "vi", "name", vi_names().at(dep.name)});
    int64_t pos = 0;
    for (const char* kind : dep.kinds) {
      std::string key = slugify(dep.name) + "/" + slugify(kind);
      catalog::Category c{named_id(seed, "category:" + key), root.id,
                          slugify(dep.name) + "-" + slugify(kind), kind, pos++};
      ref.category_id[key] = c.id;
      ref.translations.push_back({"category", c.id, "vi", "name", vi_names().at(kind)});
      ref.categories.push_back(std::move(c));
    }
  }
  for (const char* b : kBrands)
    ref.brands.push_back({named_id(seed, std::string("brand:") + b), slugify(b), b});
  ref.options = option_values();
  return ref;
}

const Kind& kind_named(const char* name) {
  for (const auto& k : kinds())
    if (std::string(k.name) == name) return k;
  return kinds().front();
}

// $49.00 → $48.90: prices end the way shop prices do. In a VND shop, ×25,000 rounded to the
// nearest 1,000 ₫ ($48.90 → 1.223.000 ₫).
int64_t shop_price(int64_t dollars) {
  int64_t cents = dollars * 100 - 10;
  if (Currency(catalog::CatalogService::kShopCurrency) == Currency::VND)
    return (cents * 250 + 500) / 1000 * 1000;
  return cents;
}

void add_product(uint64_t seed, int64_t index, const Reference& ref, DemoChunk& out) {
  Dice dice(mix(seed, static_cast<uint64_t>(index) + 1));
  // Department by weight, then a kind that department sells.
  int roll = static_cast<int>(dice.between(1, 100));
  const Department* dep = &departments().back();
  for (const auto& d : departments()) {
    if (roll <= d.weight) {
      dep = &d;
      break;
    }
    roll -= d.weight;
  }
  const Kind& kind = kind_named(dice.pick(dep->kinds));
  bool kids = std::string(dep->gender) == "kids";
  const std::string noun = dice.pick(kind.nouns);
  const std::string material = dice.pick(kind.materials);
  const std::string style = dice.pick(kStyles);
  const catalog::Brand& brand = kids && dice.chance(60) ? ref.brands.back() : dice.pick(ref.brands);

  int64_t created_ms = kEpochMs + index * 60'000;
  catalog::Product p;
  p.id = demo_id(created_ms, dice);
  p.title = style + " " + material + " " + noun;
  if (kids) p.title = "Kids' " + p.title;
  p.slug = slugify(p.title) + "-" + std::to_string(index + 1);
  p.brand_id = brand.id;
  p.category_id = ref.category_id.at(slugify(dep->name) + "/" + slugify(kind.name));
  p.material = material;
  p.fit = dice.pick(kFits);
  p.gender = dep->gender;
  p.season = dice.pick(kSeasons);
  std::string what = kind.what;
  what.replace(what.find("{m}"), 3, lower(material));
  p.description = what + " " + dice.pick(kFitSentences) + " " + dice.pick(kCareSentences);
  p.seo_title = p.title + " | " + brand.name;
  p.seo_description = snippet(p.description, 155);
  // Kids' clothes cost less; a few products are premium.
  int64_t dollars = dice.between(kind.price_lo, kind.price_hi);
  if (kids) dollars = std::max<int64_t>(9, dollars * 55 / 100);
  int64_t price = shop_price(dollars);
  bool on_sale = dice.chance(18);
  std::optional<int64_t> compare_at;
  if (on_sale) compare_at = shop_price(dollars * dice.between(125, 160) / 100 + 1);
  p.price = Money(price, catalog::CatalogService::kShopCurrency);
  // Sales follow a long tail: most products sell a little, a few sell a lot.
  int64_t r = dice.between(0, 999);
  p.sales_count = r * r / 2000 + dice.between(0, 20);
  p.status = index % 97 == 96 ? "draft" : "active";
  p.created_at = to_iso8601(Timestamp(std::chrono::milliseconds(created_ms)));
  p.updated_at = p.created_at;
  if (on_sale) p.tags.push_back("sale");
  if (p.sales_count > 350) p.tags.push_back("bestseller");
  if (material.find("Organic") != std::string::npos ||
      material.find("Recycled") != std::string::npos || material == "Tencel")
    p.tags.push_back("sustainable");
  if (dice.chance(12)) p.tags.push_back("new");
  std::sort(p.tags.begin(), p.tags.end());

  Sizing sizing = kind.sizing;
  if (kids && sizing != Sizing::one_size)
    sizing = kind.sizing == Sizing::shoes ? Sizing::shoes : Sizing::kids;
  const auto& sizes = sizes_for(sizing);
  // One to four colours, distinct, in palette order.
  int colour_count = static_cast<int>(dice.between(1, 4));
  std::vector<size_t> colours;
  while (static_cast<int>(colours.size()) < colour_count) {
    size_t c = dice.next() % std::size(kColours);
    if (kind.sku_code == std::string("JNS") && dice.chance(50)) c = 11;  // jeans lean denim
    if (std::find(colours.begin(), colours.end(), c) == colours.end()) colours.push_back(c);
  }
  std::sort(colours.begin(), colours.end());

  int64_t position = 0;
  for (size_t ci = 0; ci < colours.size(); ++ci) {
    const Colour& colour = kColours[colours[ci]];
    catalog::Image image;
    image.id = demo_id(created_ms, dice);
    image.product_id = p.id;
    image.colour = colour.code;
    // Products of one kind in one colour share a picture: the seed swaps this name for the
    // stored image's key (see demo_image_name).
    image.media_key = demo_image_name(kind.name, colour.code);
    image.alt = p.title + " in " + colour.label;
    image.position = static_cast<int64_t>(ci);
    out.catalog.images.push_back(std::move(image));
    for (const auto& size : sizes) {
      catalog::Variant v;
      v.id = demo_id(created_ms, dice);
      v.product_id = p.id;
      std::string size_code = size;
      for (char& ch : size_code)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
      char sku[64];
      std::snprintf(sku, sizeof sku, "%s-%06lld-%s-%s", kind.sku_code,
                    static_cast<long long>(index + 1), colour.sku, size_code.c_str());
      v.sku = sku;
      for (char& ch : v.sku)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
      v.size = size;
      v.colour = colour.code;
      v.price_minor = price;
      v.compare_at_minor = compare_at;
      if (dice.chance(80)) {
        char ean[16];
        std::snprintf(ean, sizeof ean, "20%011llu",
                      static_cast<unsigned long long>(dice.next() % 100000000000ULL));
        v.barcode = ean;
      }
      v.weight_grams = kind.grams * (kids ? 6 : 10) / 10;
      v.position = position++;
      // Stock: most sizes well stocked, some low, some sold out (the edge sizes most often).
      bool edge = size == sizes.front() || size == sizes.back();
      int64_t units = 0;
      int roll_stock = static_cast<int>(dice.between(1, 100));
      if (roll_stock <= (edge ? 22 : 8))
        units = 0;
      else if (roll_stock <= (edge ? 40 : 20))
        units = dice.between(1, 3);
      else
        units = dice.between(4, 40);
      v.in_stock = units > 0;
      out.stock.emplace_back(v.id, units);
      out.catalog.variants.push_back(std::move(v));
    }
  }
  out.catalog.products.push_back(std::move(p));
}

}  // namespace

DemoChunk generate_demo_chunk(uint64_t seed, int64_t first, int64_t count) {
  DemoChunk out;
  Reference ref = reference(seed);
  out.catalog.categories = ref.categories;
  out.catalog.brands = ref.brands;
  out.catalog.option_values = ref.options;
  out.catalog.translations = ref.translations;
  for (int64_t i = first; i < first + count; ++i) add_product(seed, i, ref, out);
  return out;
}

namespace {

// Renders and stores the picture of every (kind, colour) the catalog uses, on two threads (one
// per core: encoding WebP is single-threaded in libvips). Returns stand-in name -> media key.
Result<std::map<std::string, std::string>> store_demo_images(media::MediaService& media,
                                                             const DemoShopOptions& options) {
  struct Picture {
    std::string name;
    const char* kind;
    const char* hex;
  };
  std::vector<Picture> pictures;
  std::set<std::string> seen;
  int64_t chunk = std::max<int64_t>(1, options.chunk);
  for (int64_t first = 0; first < options.products; first += chunk) {
    DemoChunk part =
        generate_demo_chunk(options.seed, first, std::min(chunk, options.products - first));
    for (const auto& image : part.catalog.images) {
      if (!seen.insert(image.media_key).second) continue;
      for (const auto& kind : kinds())
        for (const auto& colour : kColours)
          if (demo_image_name(kind.name, colour.code) == image.media_key)
            pictures.push_back({image.media_key, kind.name, colour.hex});
    }
  }

  log::info("drawing demo pictures", {{"pictures", static_cast<int64_t>(pictures.size())}});
  std::map<std::string, std::string> keys;
  std::mutex mutex;
  std::optional<Error> failure;
  std::atomic<size_t> next{0};
  int64_t done = 0;
  auto work = [&] {
    for (size_t i = next++; i < pictures.size(); i = next++) {
      auto webp = render_svg_to_webp(garment_svg(pictures[i].kind, pictures[i].hex));
      Result<media::Asset> asset =
          webp ? media.store(*webp, "image/webp") : Result<media::Asset>(webp.error());
      std::lock_guard lock(mutex);
      if (!asset) {
        if (!failure) failure = asset.error();
        next = pictures.size();
        return;
      }
      keys[pictures[i].name] = asset->key;
      ++done;
      if (options.image_progress)
        options.image_progress(done, static_cast<int64_t>(pictures.size()));
    }
  };
  std::thread helper(work);
  work();
  helper.join();
  if (failure) return *failure;
  return keys;
}

}  // namespace

Result<DemoShopReport> seed_demo_shop(catalog::CatalogService& catalog,
                                      inventory::InventoryService& inventory,
                                      media::MediaService* media, const DemoShopOptions& options) {
  auto started = std::chrono::steady_clock::now();
  DemoShopReport report;
  auto location = inventory.ensure_location("main", "Main warehouse");
  if (!location) return location.error();
  std::map<std::string, std::string> image_keys;
  if (media && options.images) {
    auto stored = store_demo_images(*media, options);
    if (!stored) return stored.error();
    image_keys = std::move(*stored);
    report.images = static_cast<int64_t>(image_keys.size());
  }
  int64_t chunk = std::max<int64_t>(1, options.chunk);
  for (int64_t first = 0; first < options.products; first += chunk) {
    int64_t count = std::min(chunk, options.products - first);
    DemoChunk part = generate_demo_chunk(options.seed, first, count);
    for (auto& image : part.catalog.images)
      if (auto it = image_keys.find(image.media_key); it != image_keys.end())
        image.media_key = it->second;
    auto added = catalog.load_batch(part.catalog);
    if (!added) return added.error();
    report.products_added += *added;
    report.variants += static_cast<int64_t>(part.catalog.variants.size());
    std::vector<inventory::Movement> receipts;
    receipts.reserve(part.stock.size());
    for (auto& [variant_id, units] : part.stock)
      receipts.push_back({variant_id, location->id, inventory::MovementKind::receipt, units,
                          "demo shop opening stock", "seed"});
    if (auto r = inventory.receive_new(receipts); !r) return r.error();
    if (options.progress) options.progress(first + count, options.products);
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace fff::app
