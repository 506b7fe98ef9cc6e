// Limits and browser rules (issue 14, items 4 to 6) with a real engine: the
// recall budget in bytes, cross-site requests and DNS rebinding on --no-auth,
// and private data and KV files.
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
