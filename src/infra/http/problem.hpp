// infra/http/problem: the one place where errors become HTTP responses (RFC 9457
// application/problem+json) and where error kinds map to status codes.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "infra/http/message.hpp"

namespace fff::http {

int status_for(ErrorKind kind);

// {"type":"urn:fff:problem:<code>","title","status","detail","code","request_id","errors"?}.
// `status` 0 means status_for(error.kind). Internal errors never leak their message: the
// detail names the request id so an operator can find the logged cause.
Response problem(const Error& error, std::string_view request_id, int status = 0);

}  // namespace fff::http
