// The query string of a request target ("/a?b=1&q=hello%20you"), decoded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace os1::server {

// Parameters of TARGET's query; '+' and %XX are decoded; a malformed escape is kept as text.
std::map<std::string, std::string> url_query(std::string_view target);

// A path segment with its %XX escapes decoded ('+' stays '+'); a malformed escape is kept as text.
std::string percent_decode(std::string_view segment);

// The whole number NAME of QUERY: FALLBACK when absent; nullopt when it is not
// a plain number from LO to HI.
std::optional<int64_t> query_number(const std::map<std::string, std::string> & query, const std::string & name, int64_t lo,
                                    int64_t hi, int64_t fallback);

}  // namespace os1::server
