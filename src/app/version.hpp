// app/version: build facts compiled in by CMake.
#pragma once

namespace fff::app {
inline constexpr const char* kVersion = FFF_VERSION;
inline constexpr const char* kCommit = FFF_GIT_COMMIT;
}  // namespace fff::app
