// modules/catalog/reference: the small reference tables (categories, brands, option values),
// shared by the service's listing, detail and search code. Internal to the module.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/catalog/model.hpp"

namespace fff::catalog {

// The small reference tables a listing needs for labels and slug resolution: a few dozen rows
// each, read at most once a second (CatalogService::kReferenceTtl) instead of on every request.
struct CatalogReference {
  std::vector<Category> categories;
  std::vector<Brand> brands;
  std::vector<OptionValue> options;

  const Category* category_by_id(const std::string& id) const {
    for (const auto& c : categories)
      if (c.id == id) return &c;
    return nullptr;
  }
  const Brand* brand_by_id(const std::string& id) const {
    for (const auto& b : brands)
      if (b.id == id) return &b;
    return nullptr;
  }
  const Category* category_by_slug(std::string_view slug) const {
    for (const auto& c : categories)
      if (c.slug == slug) return &c;
    return nullptr;
  }
  const Brand* brand_by_slug(std::string_view slug) const {
    for (const auto& b : brands)
      if (b.slug == slug) return &b;
    return nullptr;
  }
  const OptionValue* option(const std::string& option, const std::string& code) const {
    for (const auto& o : options)
      if (o.option == option && o.code == code) return &o;
    return nullptr;
  }
  // The category and every category below it.
  std::vector<std::string> subtree(const std::string& root_id) const {
    std::vector<std::string> out{root_id};
    for (size_t i = 0; i < out.size(); ++i)
      for (const auto& c : categories)
        if (c.parent_id && *c.parent_id == out[i]) out.push_back(c.id);
    return out;
  }
  // Every category, each parent directly before its children (the order a menu shows).
  std::vector<const Category*> tree_order() const {
    std::vector<const Category*> out;
    std::function<void(const std::optional<std::string>&)> visit =
        [&](const std::optional<std::string>& parent) {
          for (const auto& c : categories)
            if (c.parent_id == parent) {
              out.push_back(&c);
              visit(c.id);
            }
        };
    visit(std::nullopt);
    return out;
  }
  // Root first, `id` last.
  std::vector<Category> path_to(const std::string& id) const {
    std::vector<Category> out;
    for (const Category* c = category_by_id(id); c && out.size() < 32;
         c = c->parent_id ? category_by_id(*c->parent_id) : nullptr)
      out.push_back(*c);
    std::reverse(out.begin(), out.end());
    return out;
  }
};

}  // namespace fff::catalog
