#include "app/app.hpp"

namespace fff::app {

Result<void> App::wire_cart() {
  return {};
}

}  // namespace fff::app
