// Limits and browser rules (issue 14, items 4 to 6): the recall budget in
// bytes, cross-site requests and DNS rebinding on --no-auth, JSON bodies only,
// connection caps, rate limits on every route that works, and private files.
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

std::string raw_post(const std::string & path, const std::string & body, const std::string & headers) {
    return "POST " + path + " HTTP/1.1\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

int mode_of(const std::string & path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

server_options remembering() {
    server_options so;
    so.distill_every = 0;
    so.feelings = feelings_mode::lexicon;
    return so;
}

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

TEST_F(server_test, cross_site_requests_and_dns_rebinding_are_refused_on_no_auth) {
    test::temp_dir d;
    server_options so = remembering();
    so.onboarding.enabled = false;
    so.rate_per_minute = 0;
    so.allow_origins = {"https://app.example"};
    test::running_server s(model_, d.file("n"), so, {}, /*with_users=*/false, /*with_memory=*/true);
    const std::string body = test::chat_body("my bank pin is 4321", 2);
    // A page on another site posts text/plain (no preflight in a browser): refused, and nothing stored.
    auto out = test::raw_exchange(
        s.port(), raw_post("/v1/chat/completions", body, "Host: 127.0.0.1\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\n"));
    EXPECT_NE(out.find("403"), std::string::npos) << out;
    out = test::raw_exchange(s.port(), raw_post("/v1/chat/completions", body, "Host: 127.0.0.1\r\nContent-Type: text/plain\r\n"));
    EXPECT_NE(out.find("415"), std::string::npos) << out;
    // A name that resolves here (DNS rebinding) cannot read anything.
    out = test::raw_exchange(s.port(), "GET /api/v1/memories HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    EXPECT_NE(out.find("403"), std::string::npos) << out;
    const auto mine = get_json(s.port(), "", "/api/v1/memories");
    EXPECT_TRUE(mine["items"].empty()) << mine;
    // The operator's own page is served with CORS headers, preflight included.
    out = test::raw_exchange(s.port(), "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\n"
                                       "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
    EXPECT_NE(out.find("204"), std::string::npos) << out;
    EXPECT_NE(out.find("Access-Control-Allow-Origin: https://app.example"), std::string::npos) << out;
    const auto r = http_request(s.port(), "GET", "/api/v1/memories", "", {{"Origin", "https://app.example"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.count("access-control-allow-origin") ? r.headers.at("access-control-allow-origin") : "", "https://app.example");
    EXPECT_EQ(http_request(s.port(), "GET", "/health").headers.count("access-control-allow-origin"), 0u);
}

TEST_F(server_test, the_recall_budget_counts_bytes_and_a_refused_message_is_not_remembered) {
    auto s = start(remembering(), {}, "b", true);
    const auto token = *s->users->add("alice");
    // Too long for the context (1,024 tokens here): refused, and not kept.
    const auto refused =
        http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body(std::string(30000, 'q'), 2), bearer(token));
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_TRUE(get_json(s->port(), token, "/api/v1/memories")["items"].empty());
    // A long "word" that fits is kept; recalled later, it is cut, and never makes a message fail.
    const std::string wall = "zebra " + std::string(1500, 'k');
    ASSERT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body(wall, 2), bearer(token, "one")).status, 200);
    for (const char * later : {"zebra?", "tell me about the zebra again", "zebra zebra"}) {
        const auto r = http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body(later, 2), bearer(token, later));
        EXPECT_EQ(r.status, 200) << later << ": " << r.body;
    }
    const auto items = get_json(s->port(), token, "/api/v1/memories?limit=100")["items"];
    int recalled = 0;
    for (const auto & item : items) {
        if (item["role"] != "user" || item["text"] == wall) continue;
        const auto turn = get_json(s->port(), token, "/api/v1/memories/" + std::to_string(item["id"].get<int64_t>()));
        const std::string block = turn["recalled"];
        if (block.find("kkkk") == std::string::npos) continue;
        ++recalled;
        EXPECT_LT(block.size(), 1400u) << block.size();  // cut at half of the budget (1,000 bytes); whole it is 1,506
        EXPECT_NE(block.find("\u2026"), std::string::npos);
    }
    EXPECT_GT(recalled, 0) << items;
}

TEST_F(server_test, every_route_that_works_the_store_is_rate_limited) {
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

TEST_F(server_test, one_address_cannot_hold_every_connection) {
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

TEST_F(server_test, data_and_kv_files_are_their_owners_only) {
    auto s = start(remembering(), {}, "m", true);
    const auto token = *s->users->add("alice");
    ASSERT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body("Hello", 2), bearer(token)).status, 200);
    s.reset();  // stopping writes every KV state to disk
    const std::string dir = dir_.file("m");
    EXPECT_EQ(mode_of(dir + "/memory.db"), 0600);
    if (std::filesystem::exists(dir + "/memory.db-wal")) {
        EXPECT_EQ(mode_of(dir + "/memory.db-wal"), 0600);
    }
    EXPECT_EQ(mode_of(dir + "/users.json"), 0600);
    EXPECT_EQ(mode_of(dir + "/kv/conversations"), 0700);
    int files = 0;
    for (const auto & e : std::filesystem::recursive_directory_iterator(dir + "/kv")) {
        if (e.is_regular_file()) {
            ++files;
            EXPECT_EQ(mode_of(e.path().string()), 0600) << e.path();
        } else if (e.is_directory()) {
            EXPECT_EQ(mode_of(e.path().string()), 0700) << e.path();
        }
    }
    EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace os1::server
