// modules/media/store: the media module's SQL. The only code that touches media_assets.
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/media/model.hpp"

namespace fff::media {

class AssetStore {
 public:
  explicit AssetStore(db::Database& database) : db_(database) {}

  // Records `asset` unless its key is there already; returns the stored row either way (the
  // first writer's, when two nodes store the same bytes at once).
  Result<Asset> insert(const Asset& asset);
  Result<std::optional<Asset>> find(const std::string& key);

 private:
  db::Database& db_;
};

}  // namespace fff::media
