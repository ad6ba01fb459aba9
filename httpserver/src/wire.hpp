#pragma once
// Response bytes on the wire: the status line, the handler's headers, the server's own.

#include <string>

#include "kv/httpserver/message.hpp"

namespace kv::httpserver::detail {

/// How the server frames one response.
struct Framing {
  bool close = false;          // Connection: close, and the connection ends after it
  bool keep_alive_10 = false;  // an HTTP/1.0 client asked for keep-alive: say it is kept
  bool head = false;           // answer to HEAD: headers only
};

/// Appends the response to `out`; false (and nothing appended) when the status is not 200-599
/// or a header name or value could split the response (CR, LF, NUL, a name that is no token).
bool serialize_response(const Response& response, const Framing& framing, std::string& out);

/// The current time as an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date();

}  // namespace kv::httpserver::detail
