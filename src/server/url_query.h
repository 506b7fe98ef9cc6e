// The query string of a request target ("/a?b=1&q=hello%20you"), decoded.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace os1::server {

// Parameters of TARGET's query; '+' and %XX are decoded; a malformed escape is kept as text.
std::map<std::string, std::string> url_query(std::string_view target);

}  // namespace os1::server
