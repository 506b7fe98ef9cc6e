// Limits and browser rules (issue 14, items 4 to 6) over the scripted fake
// engine: JSON bodies only, connection caps, rate limits on every route that works.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/request_guard.h"
#include "server/running_server.h"
#include "support/http_client.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::bearer;
using test::get_json;
using test::http_request;
using test::server_test;
using test::fake_server_test;
using test::raw_post;
using test::mode_of;
using test::remembering;
TEST(request_guard, no_auth_takes_only_this_machines_names_and_its_own_pages) {
    server_options o;
    o.no_auth = true;
    const auto check = [&](std::string_view host, std::string_view origin = "", std::string_view site = "") {
        return check_request({"GET", host, origin, site, "", 0}, o).status;
    };
    EXPECT_EQ(check("127.0.0.1:8316"), 0);
    EXPECT_EQ(check("localhost"), 0);
    EXPECT_EQ(check("[::1]:8316"), 0);
    EXPECT_EQ(check("evil.example"), 403);
    EXPECT_EQ(check("127.0.0.1.evil.example"), 403);
    EXPECT_EQ(check(""), 403);
    EXPECT_EQ(check("localhost:8316", "http://localhost:8316"), 0);  // its own page
    EXPECT_EQ(check("localhost:8316", "http://evil.example"), 403);
    EXPECT_EQ(check("localhost:8316", "", "cross-site"), 403);
    EXPECT_EQ(check("localhost:8316", "", "none"), 0);
    o.allow_origins = {"https://app.example"};
    const auto v = check_request({"GET", "localhost", "https://app.example", "cross-site", "", 0}, o);
    EXPECT_EQ(v.status, 0);
    EXPECT_EQ(v.cors_origin, "https://app.example");
}

TEST(request_guard, a_body_must_be_declared_json) {
    server_options o;
    EXPECT_EQ(check_request({"POST", "x", "", "", "text/plain", 5}, o).status, 415);
    EXPECT_EQ(check_request({"POST", "x", "", "", "", 5}, o).status, 415);
    EXPECT_EQ(check_request({"POST", "x", "", "", "application/x-www-form-urlencoded", 5}, o).status, 415);
    EXPECT_EQ(check_request({"POST", "x", "", "", "application/json; charset=utf-8", 5}, o).status, 0);
    EXPECT_EQ(check_request({"DELETE", "x", "", "", "", 0}, o).status, 0);
}

TEST_F(fake_server_test, every_route_that_works_the_store_is_rate_limited) {
    server_options so = remembering();
    so.rate_per_minute = 2;
    so.rate_burst = 2;
    auto s = start(so, {}, "l", true);
    const auto token = *s->users->add("alice");
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/memories/search?q=hello", "", bearer(token)).status, 200);
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/export", "", bearer(token)).status, 200);
    const auto third = http_request(s->port(), "GET", "/api/v1/memories/search?q=hello", "", bearer(token));
    EXPECT_EQ(third.status, 429);
    EXPECT_TRUE(third.headers.count("retry-after"));
    EXPECT_EQ(http_request(s->port(), "GET", "/health").status, 200);  // costs nothing: not counted
}

TEST_F(fake_server_test, one_address_cannot_hold_every_connection) {
    server_options so;
    so.max_connections_per_address = 3;
    auto s = start(so);
    std::vector<int> held;
    for (int i = 0; i < 3; ++i) held.push_back(test::connect_local(s->port()));
    // Connections are accepted in the order they came: the fourth is closed at once, unanswered.
    EXPECT_EQ(test::raw_exchange(s->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 5000), "");
    ::close(held.back());
    held.pop_back();
    EXPECT_TRUE(test::eventually([&] { return http_request(s->port(), "GET", "/health").status == 200; }));
    for (const int fd : held) ::close(fd);
}

}  // namespace
}  // namespace os1::server
