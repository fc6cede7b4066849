#include "modules/media/store.hpp"

#include <charconv>

namespace fff::media {
namespace {

std::string join_widths(const std::vector<int>& widths) {
  std::string out;
  for (int w : widths) out += (out.empty() ? "" : ",") + std::to_string(w);
  return out;
}

std::vector<int> split_widths(const std::string& text) {
  std::vector<int> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    int w = 0;
    auto [next, ec] = std::from_chars(p, end, w);
    if (ec != std::errc()) break;
    out.push_back(w);
    p = next < end && *next == ',' ? next + 1 : next;
    if (next == end) break;
  }
  return out;
}

}  // namespace

Result<Asset> AssetStore::insert(const Asset& asset) {
  auto inserted = db_.query(
      "INSERT INTO media_assets (media_key, content_type, width, height, bytes, variant_widths, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (media_key) DO NOTHING",
      {asset.key, asset.content_type, asset.width, asset.height, asset.bytes,
       join_widths(asset.variant_widths), asset.created_at});
  if (!inserted) return inserted.error();
  auto found = find(asset.key);
  if (!found) return found.error();
  if (!*found) return Error::internal("media asset " + asset.key + " vanished after insert");
  return std::move(**found);
}

Result<std::optional<Asset>> AssetStore::find(const std::string& key) {
  auto rows = db_.query(
      "SELECT media_key, content_type, width, height, bytes, variant_widths, created_at "
      "FROM media_assets WHERE media_key = $1",
      {key});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Asset>();
  const db::Row& r = rows->rows.front();
  Asset a;
  a.key = r.text(0);
  a.content_type = r.text(1);
  a.width = r.int64(2);
  a.height = r.int64(3);
  a.bytes = r.int64(4);
  a.variant_widths = split_widths(r.text(5));
  a.created_at = r.text(6);
  return std::optional<Asset>(std::move(a));
}

}  // namespace fff::media
