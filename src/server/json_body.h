// JSON request bodies from outside: parsed under a nesting limit (a deep body
// is refused before anything recursive touches it: nlohmann's copy and
// comparison recurse, and 60,000 levels overflow a thread's stack), and read
// by typed field readers that answer invalid_argument naming the field
// instead of throwing.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "os1/status.h"

namespace os1::server {

using json = nlohmann::json;

// Arrays and objects nested deeper than this are refused (the documented limit).
constexpr int max_json_depth = 32;

// The deepest nesting of arrays and objects in TEXT, counting no further than
// LIMIT + 1; brackets inside strings do not count. Works on any bytes.
int json_nesting_depth(std::string_view text, int limit);

// BODY as a JSON value, or invalid_argument: not JSON, or nested deeper than max_json_depth.
result<json> parse_json_body(std::string_view body);

// invalid_argument "'FIELD' WHY".
status field_error(const std::string & field, const std::string & why);

// Optional fields of OBJ (an object): absent or null leaves OUT as it is.
// A wrong type or a value out of [lo, hi] is invalid_argument naming FIELD;
// numbers are never wrapped or narrowed into range.
status read_int(const json & obj, const char * field, int64_t lo, int64_t hi, int64_t & out);
status read_number(const json & obj, const char * field, double lo, double hi, double & out);
status read_bool(const json & obj, const char * field, bool & out);
status read_string(const json & obj, const char * field, std::string & out);

// A reply body from a JSON value; invalid UTF-8 in stored text is replaced, never thrown on.
std::string json_text(const json & j);

}  // namespace os1::server
