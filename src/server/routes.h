// Every route the server has, in one table: dispatch refuses what is not in it
// (404, or 405 naming the methods a path has), the auth matrix test walks it,
// and a test checks it against docs/api.md, so a route cannot be added
// without its authentication being tested and its documentation written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace os1::server {

struct route_info {
    const char * method;   // "GET", "POST", ...
    const char * pattern;  // "{id}" stands for one path segment
    bool needs_token;      // false only for /health and /metrics
};

const std::vector<route_info> & all_routes();

// The route METHOD PATH is (PATH without its query), or null.
const route_info * find_route(std::string_view method, std::string_view path);

// The methods PATH has, "GET, PUT"; "" when it is no route at all.
std::string methods_of(std::string_view path);

}  // namespace os1::server
