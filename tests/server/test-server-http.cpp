// The HTTP server over the scripted fake engine (no model): health and
// metrics, the auth matrix, clear errors, the rate limit, timeouts, keep-alive.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <thread>
#include <vector>

#include "llm/engine.h"
#include "server/http_server.h"
#include "server/running_server.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::http_request;
using test::bearer;
using test::chat_body;
using test::running_server;
using test::server_test;
using test::fake_server_test;
using test::expect_error_object;
TEST_F(fake_server_test, health_models_and_metrics) {
    auto s = start();
    const auto token = *s->users->add("alice");
    EXPECT_EQ(http_request(s->port(), "GET", "/health").status, 200);
    const auto models = http_request(s->port(), "GET", "/v1/models", "", bearer(token));
    ASSERT_EQ(models.status, 200);
    const auto j = json::parse(models.body);
    EXPECT_EQ(j["object"], "list");
    EXPECT_EQ(j["data"][0]["object"], "model");
    const auto m = http_request(s->port(), "GET", "/metrics");
    ASSERT_EQ(m.status, 200);
    for (const char * name : {"os1_requests_total", "os1_prompt_tokens_computed_total", "os1_kv_hits_total{tier=\"disk\"}",
                              "os1_time_to_first_token_seconds_bucket", "os1_queue_depth", "os1_open_connections",
                              "os1_conversations{tier=\"ram\"}"}) {
        EXPECT_NE(m.body.find(name), std::string::npos) << name;
    }
}

TEST_F(fake_server_test, the_auth_matrix_never_gives_data) {
    auto s = start();
    const auto alice = *s->users->add("alice");
    const auto bob = *s->users->add("bob");
    const auto body = chat_body("Hello");
    expect_error_object(http_request(s->port(), "POST", "/v1/chat/completions", body), 401, "authentication_error");
    expect_error_object(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer("os1_0000_1111")), 401,
                        "authentication_error");
    std::string wrong = alice;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    expect_error_object(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(wrong)), 401,
                        "authentication_error");
    expect_error_object(http_request(s->port(), "GET", "/v1/models"), 401, "authentication_error");

    // Alice's conversation "diary" exists; Bob cannot reach it by its id.
    ASSERT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(alice, "diary")).status, 200);
    expect_error_object(http_request(s->port(), "DELETE", "/api/v1/conversations/diary", "", bearer(bob)), 404,
                        "not_found_error");
    const auto bobs = http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(bob, "diary"));
    ASSERT_EQ(bobs.status, 200);
    EXPECT_EQ(json::parse(bobs.body)["usage"]["prompt_tokens_details"]["cached_tokens"], 0);  // nothing of Alice's
    // Alice can forget hers; then it is gone.
    EXPECT_EQ(http_request(s->port(), "DELETE", "/api/v1/conversations/diary", "", bearer(alice)).status, 204);
    EXPECT_EQ(http_request(s->port(), "DELETE", "/api/v1/conversations/diary", "", bearer(alice)).status, 404);
    // A removed person's token stops working at once.
    ASSERT_TRUE(s->users->remove("bob"));
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(bob)).status, 401);
}

TEST_F(fake_server_test, bad_requests_get_clear_errors) {
    server_options so;
    so.max_body_bytes = 4096;
    auto s = start(so);
    const auto t = *s->users->add("alice");
    const auto post = [&](const std::string & body) { return http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(t)); };
    expect_error_object(post("{not json"), 400, "invalid_request_error");
    expect_error_object(post("[]"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":"hi"})"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":[{"role":"user","content":5}]})"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":[{"role":"tool","content":"x"}]})"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":[{"role":"user","content":"x"}],"temperature":"hot"})"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-3})"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":[{"role":"user","content":"x"}],"tools":[{}]})"), 400, "invalid_request_error");
    expect_error_object(post(R"({"messages":[{"role":"user","content":"x"}],"n":2})"), 400, "invalid_request_error");
    expect_error_object(post("{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\"}]}"), 400, "invalid_request_error");
    const auto named = post(R"({"messages":[{"role":"user","content":"x"}],"top_p":7})");
    EXPECT_NE(named.body.find("top_p"), std::string::npos) << named.body;
    expect_error_object(post(chat_body(std::string(5000, 'x'))), 413, "invalid_request_error");
    expect_error_object(http_request(s->port(), "GET", "/v1/chat/completions", "", bearer(t)), 405, "invalid_request_error");
    expect_error_object(http_request(s->port(), "GET", "/nope"), 404, "not_found_error");
    auto bad_conv = bearer(t);
    bad_conv["X-OS1-Conversation"] = std::string(200, 'c');
    expect_error_object(http_request(s->port(), "POST", "/v1/chat/completions", chat_body("x"), bad_conv), 400,
                        "invalid_request_error");
    // Garbage on the wire, then the server still serves.
    EXPECT_NE(test::raw_exchange(s->port(), "GARBAGE\r\n\r\n", 2000).find("400"), std::string::npos);
    EXPECT_EQ(post(chat_body("still there?")).status, 200);
}

TEST_F(fake_server_test, over_the_rate_a_person_gets_429) {
    server_options so;
    so.rate_per_minute = 2;
    so.rate_burst = 2;
    auto s = start(so);
    const auto alice = *s->users->add("alice");
    const auto bob = *s->users->add("bob");
    const auto body = chat_body("Hi", 2);
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(alice)).status, 200);
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(alice)).status, 200);
    const auto r = http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(alice));
    expect_error_object(r, 429, "rate_limit_error");
    EXPECT_GE(std::stoi(r.headers.at("retry-after")), 1);
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(bob)).status, 200);  // others unaffected
}

TEST_F(fake_server_test, idle_and_slow_connections_time_out) {
    server_options so;
    so.header_timeout_s = 1;
    so.idle_timeout_s = 1;
    auto s = start(so);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(test::raw_exchange(s->port(), "", 5000), "");  // idle: closed without a word
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
    const auto t1 = std::chrono::steady_clock::now();
    test::raw_exchange(s->port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", 5000);  // never finishes
    EXPECT_LT(std::chrono::steady_clock::now() - t1, std::chrono::seconds(4));
}

TEST_F(fake_server_test, keep_alive_serves_several_requests_on_one_connection) {
    auto s = start();
    const std::string one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string out = test::raw_exchange(s->port(), one + one + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    size_t n = 0;
    for (size_t pos = 0; (pos = out.find("HTTP/1.1 200", pos)) != std::string::npos; ++pos) ++n;
    EXPECT_EQ(n, 3u);
}

}  // namespace
}  // namespace os1::server
