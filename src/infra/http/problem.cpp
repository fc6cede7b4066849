#include "infra/http/problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace fff::http {
namespace {

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

}  // namespace

int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid: return 400;
    case ErrorKind::unprocessable: return 422;
    case ErrorKind::unsupported: return 415;
    case ErrorKind::not_found: return 404;
    case ErrorKind::conflict: return 409;
    case ErrorKind::unauthenticated: return 401;
    case ErrorKind::forbidden: return 403;
    case ErrorKind::too_large: return 413;
    case ErrorKind::payment_failed: return 402;
    case ErrorKind::rate_limited: return 429;
    case ErrorKind::unavailable: return 503;
    case ErrorKind::internal: return 500;
  }
  return 500;
}

Response problem(const Error& error, std::string_view request_id, int status) {
  if (status == 0) status = status_for(error.kind);
  boost::json::object body;
  body["type"] = "urn:fff:problem:" + error.code;
  body["title"] = reason(status);
  body["status"] = status;
  if (error.kind == ErrorKind::internal)
    body["detail"] = "An unexpected error occurred. Quote request id " + std::string(request_id) +
                     " when reporting it.";
  else
    body["detail"] = error.message;
  body["code"] = error.code;
  body["request_id"] = request_id;
  if (!error.fields.empty()) {
    boost::json::array errors;
    for (const auto& f : error.fields)
      errors.push_back({{"field", f.field}, {"message", f.message}});
    body["errors"] = std::move(errors);
  }
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/problem+json");
  if (error.retry_after > 0) r.headers.set("Retry-After", std::to_string(error.retry_after));
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace fff::http
