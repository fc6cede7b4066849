#include <algorithm>

#include "modules/catalog/store.hpp"

namespace fff::catalog {

Result<std::vector<VariantView>> ProductStore::variant_views(const std::vector<std::string>& ids) {
  std::vector<VariantView> out;
  // A few lines at a time: carts are small, and the IN list stays short.
  constexpr size_t kChunk = 100;
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    size_t count = std::min(kChunk, ids.size() - start);
    std::string in;
    db::Params params;
    for (size_t i = 0; i < count; ++i) {
      in += (i ? ", $" : "$") + std::to_string(i + 1);
      params.push_back(ids[start + i]);
    }
    auto rows = db_.query(
        "SELECT v.id, v.sku, p.id, p.slug, p.title, p.status, v.size, v.colour, "
        "(SELECT label FROM option_values WHERE option = 'size' AND code = v.size), "
        "(SELECT label FROM option_values WHERE option = 'colour' AND code = v.colour), "
        "v.price_minor, "
        "COALESCE((SELECT i.media_key FROM product_images i WHERE i.product_id = p.id "
        "AND i.colour = v.colour ORDER BY i.position, i.id LIMIT 1), "
        "(SELECT i.media_key FROM product_images i WHERE i.product_id = p.id "
        "ORDER BY i.position, i.id LIMIT 1)) "
        "FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id IN (" +
            in + ")",
        params);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) {
      VariantView v;
      v.variant_id = r.text(0);
      v.sku = r.text(1);
      v.product_id = r.text(2);
      v.product_slug = r.text(3);
      v.product_title = r.text(4);
      v.product_status = r.text(5);
      v.size = r.text(6);
      v.colour = r.text(7);
      v.size_label = r.opt_text(8).value_or(v.size);
      v.colour_label = r.opt_text(9).value_or(v.colour);
      v.price_minor = r.int64(10);
      v.image_key = r.opt_text(11);
      out.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace fff::catalog
