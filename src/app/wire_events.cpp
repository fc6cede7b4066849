#include "app/app.hpp"

namespace fff::app {

Result<void> App::wire_events() {
  return {};
}

}  // namespace fff::app
