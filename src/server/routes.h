// Every route the server has, in one table: dispatch refuses what is not in it
// (404, or 405 naming the methods a path has), the auth matrix test walks it,
// and a test checks it against docs/api.md, so a route cannot be added
// without its authentication being tested and its documentation written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace os1::server {

// The handler a route goes to: one per area of the API (http_session).
enum class route_area { health, metrics, models, chat, status, conversations, memory, companion, initiative, web, audio, realtime };
// Its name, also the route's label in the metrics.
const char * area_name(route_area a);

// Whose resource a route works on.
enum class route_owner {
    nobody,  // the server's own (health, metrics): no token
    caller,  // the token's person and only theirs: every path is read within them
};

struct route_info {
    const char * method;   // "GET", "POST", ...
    const char * pattern;  // "{id}" stands for one path segment
    route_owner owner;
    route_area area;
    bool needs_token() const { return owner != route_owner::nobody; }
};

const std::vector<route_info> & all_routes();

// The route METHOD PATH is (PATH without its query), or null.
const route_info * find_route(std::string_view method, std::string_view path);

// The methods PATH has, "GET, PUT"; "" when it is no route at all.
std::string methods_of(std::string_view path);

}  // namespace os1::server
