// infra/http/json: JSON request bodies and responses with Boost.JSON.
#pragma once

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "infra/http/message.hpp"

namespace fff::http {

// Serialises `body` with Content-Type application/json.
Response json_response(const boost::json::value& body, int status = 200);

// The request body as JSON. Errors: 415 unsupported_media_type when Content-Type is not
// application/json (or +json), 400 malformed_json naming the byte offset of the first error.
Result<boost::json::value> json_body(const Request& request);

}  // namespace fff::http
