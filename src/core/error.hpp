// core/error: errors a caller can act on, carried as values.
//
// An Error has a kind (what went wrong, in terms the HTTP layer maps to a status in exactly one
// place: infra/http/problem.cpp) and a stable, machine-readable code owned by the module that
// raised it (`insufficient_stock`, `sku_taken`). Result<T> holds either a T or an Error.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace fff {

enum class ErrorKind {
  invalid,          // the request is malformed (bad syntax, bad parameter format)
  unprocessable,    // well-formed but fails validation (negative price, unknown category)
  unsupported,      // a media type the endpoint does not accept
  not_found,        // the thing does not exist (or the actor may not know it exists)
  conflict,         // the request clashes with current state (duplicate, stale version)
  unauthenticated,  // who is asking is unknown
  forbidden,        // who is asking may not do this
  too_large,        // a size limit was exceeded
  payment_failed,   // the payment provider refused (a declined card): nothing was charged or kept
  rate_limited,     // too many requests
  unavailable,      // a dependency is down or the server is overloaded; retry later
  internal,         // a bug or an unexpected failure; details are logged, not shown
};

// A field that failed validation, named as the client sent it (`price`, `variants[2].sku`).
struct FieldError {
  std::string field;
  std::string message;
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string code;     // stable snake_case code, e.g. "malformed_json"
  std::string message;  // human-readable detail, safe to show to the client
  std::vector<FieldError> fields;
  // Seconds the client should wait before retrying (429, 503); 0 for none. The HTTP layer sends
  // it as Retry-After.
  int retry_after = 0;

  static Error invalid(std::string code, std::string message, std::vector<FieldError> fields = {}) {
    return {ErrorKind::invalid, std::move(code), std::move(message), std::move(fields)};
  }
  static Error unprocessable(std::string code, std::string message,
                             std::vector<FieldError> fields = {}) {
    return {ErrorKind::unprocessable, std::move(code), std::move(message), std::move(fields)};
  }
  static Error not_found(std::string code, std::string message) {
    return {ErrorKind::not_found, std::move(code), std::move(message), {}};
  }
  static Error conflict(std::string code, std::string message) {
    return {ErrorKind::conflict, std::move(code), std::move(message), {}};
  }
  static Error unauthenticated(std::string code, std::string message) {
    return {ErrorKind::unauthenticated, std::move(code), std::move(message), {}};
  }
  static Error forbidden(std::string code, std::string message) {
    return {ErrorKind::forbidden, std::move(code), std::move(message), {}};
  }
  static Error unsupported(std::string code, std::string message) {
    return {ErrorKind::unsupported, std::move(code), std::move(message), {}};
  }
  static Error too_large(std::string code, std::string message) {
    return {ErrorKind::too_large, std::move(code), std::move(message), {}};
  }
  static Error payment_failed(std::string code, std::string message) {
    return {ErrorKind::payment_failed, std::move(code), std::move(message), {}};
  }
  static Error rate_limited(std::string code, std::string message, int retry_after_seconds = 0) {
    return {ErrorKind::rate_limited, std::move(code), std::move(message), {}, retry_after_seconds};
  }
  static Error unavailable(std::string code, std::string message) {
    return {ErrorKind::unavailable, std::move(code), std::move(message), {}};
  }
  static Error internal(std::string message) {
    return {ErrorKind::internal, "internal_error", std::move(message), {}};
  }
};

const char* to_string(ErrorKind kind);

// Either a value or an Error. Accessing the wrong alternative is a programmer error (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace fff
