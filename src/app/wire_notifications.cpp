#include "app/app.hpp"

namespace fff::app {

Result<void> App::wire_notifications() {
  return {};
}

}  // namespace fff::app
