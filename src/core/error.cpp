#include "core/error.hpp"

namespace fff {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid: return "invalid";
    case ErrorKind::unprocessable: return "unprocessable";
    case ErrorKind::unsupported: return "unsupported";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::unauthenticated: return "unauthenticated";
    case ErrorKind::forbidden: return "forbidden";
    case ErrorKind::too_large: return "too_large";
    case ErrorKind::payment_failed: return "payment_failed";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

}  // namespace fff
