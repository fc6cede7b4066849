#include "app/app.hpp"

namespace fff::app {

Result<void> App::wire_orders() {
  return {};
}

}  // namespace fff::app
