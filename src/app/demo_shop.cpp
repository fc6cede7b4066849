#include "app/demo_shop.hpp"

#include <string>
#include <vector>

#include "core/log.hpp"
#include "modules/catalog/service.hpp"

namespace fff::app {
namespace {

struct Line {
  const char* noun;         // "Wrap Dress"
  int base_price_cents;     // price of the plainest version
  const char* description;  // what the garment is
};

// Eight product lines × five materials × six colours = 240 distinct products.
const Line kLines[] = {
    {"Wrap Dress", 5900,
     "A wrap dress with a tie waist and a flowing skirt that falls below the knee."},
    {"Straight Jeans", 6900, "Mid-rise jeans with a straight leg, five pockets and a button fly."},
    {"Crew Sweater", 4900, "A crew-neck sweater with ribbed cuffs and hem, cut for an easy fit."},
    {"Oversized Tee", 1900, "A boxy t-shirt with dropped shoulders and a slightly longer back."},
    {"Trench Coat", 14900, "A double-breasted trench with a storm flap, belt and deep pockets."},
    {"Pleated Skirt", 4500, "A midi skirt with knife pleats and a concealed side zip."},
    {"Canvas Sneakers", 5500, "Low-top trainers with a vulcanised rubber sole and cotton laces."},
    {"Linen Shirt", 3900, "A relaxed shirt with a camp collar and a single chest pocket."},
};

struct Material {
  const char* name;
  int extra_cents;
};
const Material kMaterials[] = {{"Cotton", 0},
                               {"Linen", 1000},
                               {"Organic Cotton", 500},
                               {"Wool Blend", 2000},
                               {"Recycled", 300}};

const char* kColours[] = {"Black", "Ivory", "Navy", "Sage", "Terracotta", "Sand"};

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

}  // namespace

Result<void> load_demo_shop(catalog::CatalogService& catalog) {
  std::vector<catalog::NewProduct> products;
  for (const auto& line : kLines) {
    for (const auto& material : kMaterials) {
      for (const char* colour : kColours) {
        std::string title = std::string(material.name) + " " + line.noun + " in " + colour;
        catalog::NewProduct p;
        p.slug = slugify(title);
        p.title = title;
        p.description = std::string(line.description) + " Made in " + material.name + ".";
        p.price = Money(line.base_price_cents + material.extra_cents, Currency::USD);
        products.push_back(std::move(p));
      }
    }
  }
  auto added = catalog.add_products(products);
  if (!added) return added.error();
  if (*added > 0) log::info("demo shop loaded", {{"products", *added}});
  return {};
}

}  // namespace fff::app
