// infra/kv: the concrete stores, for kv_store.cpp's open() and the tests.
#pragma once

#include <memory>
#include <string>

#include "infra/kv/kv_store.hpp"

namespace fff::kv {

std::unique_ptr<KeyValueStore> make_memory_store();
// REQUIRES: host not empty, port 1..65535, db >= 0.
std::unique_ptr<KeyValueStore> make_redis_store(std::string host, int port, int db);

}  // namespace fff::kv
