// The route table (server/routes.h) against the server and the docs: every
// route that needs a token refuses a request without one or with a wrong one,
// on a server that remembers; and docs/api.md documents exactly the table.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "server/routes.h"
#include "server/running_server.h"
#include "support/http_client.h"

#ifndef OS1_SOURCE_DIR
#error "OS1_SOURCE_DIR must name the source tree"
#endif

namespace os1::server {
namespace {

using test::bearer;
using test::http_request;
using test::fake_server_test;

std::string concrete(std::string pattern) {
    const size_t id = pattern.find("{id}");
    return id == std::string::npos ? pattern : pattern.replace(id, 4, "1");
}

TEST(routes, the_table_finds_fixed_paths_before_patterns) {
    ASSERT_NE(find_route("GET", "/api/v1/memories/search"), nullptr);
    EXPECT_STREQ(find_route("GET", "/api/v1/memories/search")->pattern, "/api/v1/memories/search");
    EXPECT_STREQ(find_route("GET", "/api/v1/memories/12")->pattern, "/api/v1/memories/{id}");
    EXPECT_EQ(find_route("DELETE", "/api/v1/memories/search"), nullptr);
    EXPECT_EQ(find_route("GET", "/api/v1/memories/1/2"), nullptr);
    EXPECT_EQ(find_route("POST", "/health"), nullptr);
    EXPECT_EQ(methods_of("/api/v1/memories/7"), "GET, PATCH, DELETE");
    EXPECT_EQ(methods_of("/nothing"), "");
}

// Every route of the table: no token and a wrong token are 401 before anything is read or done.
TEST_F(fake_server_test, the_auth_matrix_covers_every_route_in_the_table) {
    auto s = start({}, {}, "m", /*with_memory=*/true);
    const auto alice = *s->users->add("alice");
    std::string wrong = alice;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    int checked = 0, open_routes = 0;
    for (const auto & r : all_routes()) {
        const std::string path = concrete(r.pattern);
        const std::string m = r.method;
        const bool upload = path == "/v1/audio/transcriptions";  // a form, not JSON
        const std::string body = m == "GET" || m == "HEAD" || m == "DELETE" ? "" : upload ? "--b--\r\n" : "{}";
        if (!r.needs_token()) {
            // The web page's files are not built for this server: 404, yet never 401 (test-server-web.cpp).
            const int want = r.area == route_area::web ? 404 : 200;
            EXPECT_EQ(http_request(s->port(), r.method, path, body).status, want) << r.method << " " << path;
            ++open_routes;
            continue;
        }
        for (const auto & headers : {std::map<std::string, std::string>{}, bearer(wrong), bearer("os1_0000_1111"),
                                     std::map<std::string, std::string>{{"Authorization", "Basic " + alice}}}) {
            auto with_type = headers;
            if (upload) with_type["Content-Type"] = "multipart/form-data; boundary=b";
            const auto got = http_request(s->port(), r.method, path, body, with_type);
            EXPECT_EQ(got.status, 401) << r.method << " " << path << ": " << got.body;
        }
        ++checked;
    }
    EXPECT_EQ(open_routes, 6);  // GET and HEAD of / and /assets/NAME, /health, /metrics
    EXPECT_EQ(checked + open_routes, static_cast<int>(all_routes().size()));
    // The token works on each (anything but 401), and nothing of this reached anyone.
    EXPECT_NE(http_request(s->port(), "GET", "/api/v1/memories", "", bearer(alice)).status, 401);
    EXPECT_TRUE(test::get_json(s->port(), alice, "/api/v1/memories")["items"].empty());
}

TEST(routes, docs_api_md_documents_exactly_the_table) {
    std::ifstream in(std::string(OS1_SOURCE_DIR) + "/docs/api.md");
    ASSERT_TRUE(in) << "docs/api.md";
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    std::set<std::string> documented;
    const std::regex route("`(GET|HEAD|POST|PUT|PATCH|DELETE) (/[^` ?]*)");
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), route); it != std::sregex_iterator(); ++it) {
        documented.insert((*it)[1].str() + " " + (*it)[2].str());
    }
    std::set<std::string> table;
    for (const auto & r : all_routes()) table.insert(std::string(r.method) + " " + r.pattern);
    for (const auto & r : table) EXPECT_TRUE(documented.count(r)) << r << " is in the route table but not in docs/api.md";
    for (const auto & r : documented) EXPECT_TRUE(table.count(r)) << r << " is documented but no route";
}

}  // namespace
}  // namespace os1::server
