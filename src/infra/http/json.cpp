#include "infra/http/json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

namespace fff::http {

Response json_response(const boost::json::value& body, int status) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = boost::json::serialize(body);
  return r;
}

Result<boost::json::value> json_body(const Request& request) {
  auto type = request.headers.get("Content-Type").value_or("");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  bool is_json = iequals(media, "application/json") ||
                 (media.size() > 5 && iequals(media.substr(media.size() - 5), "+json"));
  if (!is_json)
    return Error{ErrorKind::unsupported,
                 "unsupported_media_type",
                 "the request body must be application/json",
                 {}};
  boost::system::error_code ec;
  boost::json::stream_parser p;
  size_t used = p.write(request.body.data(), request.body.size(), ec);
  if (!ec) p.finish(ec);
  if (ec)
    return Error::invalid("malformed_json", "the request body is not valid JSON (" + ec.message() +
                                                " near byte " + std::to_string(used) + ")");
  return p.release();
}

}  // namespace fff::http
