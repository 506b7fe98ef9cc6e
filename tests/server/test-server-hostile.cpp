// Hostile requests from a person with an ordinary token (issue 14): each test
// is named after the class of defect it guards against and goes through the
// real server (over the fake engine: none needs real tokens); after each
// attack the server must still answer everyone. The one that needs the real
// tokenizer (freeze_by_tokenizing...) is in test-server.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/running_server.h"
#include "support/http_client.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::bearer;
using test::http_request;
using test::fake_server_test;

// A 400 whose message names WHAT.
void expect_refused(const test::http_result & r, const std::string & what) {
    EXPECT_EQ(r.status, 400) << r.body;
    const auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(what), std::string::npos) << r.body;
}

void expect_still_serving(int port, const std::string & token) {
    EXPECT_EQ(http_request(port, "GET", "/health").status, 200);
    EXPECT_EQ(http_request(port, "POST", "/v1/chat/completions", test::chat_body("still there?", 2), bearer(token, "after")).status,
              200);
}

std::string deep(int levels, const std::string & inner = "") {
    return std::string(static_cast<size_t>(levels), '[') + inner + std::string(static_cast<size_t>(levels), ']');
}

TEST_F(fake_server_test, crash_by_json_types_is_a_400_naming_the_field) {
    auto s = start();
    const auto token = *s->users->add("alice");
    const auto chat = [&](const std::string & body) {
        return http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(token));
    };
    const std::string msgs = R"("messages":[{"role":"user","content":"x"}])";
    expect_refused(chat("{" + msgs + R"(,"stream_options":{"include_usage":"yes"}})"), "stream_options.include_usage");
    expect_refused(chat("{" + msgs + R"(,"stream_options":[true]})"), "stream_options");
    expect_refused(chat(R"({"messages":[{"role":"user","content":[{"type":1,"text":"x"}]}]})"), "messages[0].content");
    expect_refused(chat(R"({"messages":[{"role":"user","content":[{"type":null}]}]})"), "messages[0].content");
    expect_refused(chat(R"({"messages":[{"role":"user","content":[{"type":"text","text":7}]}]})"), "messages[0].content");
    expect_refused(chat(R"({"messages":[{"role":["user"],"content":"x"}]})"), "messages[0].role");
    expect_refused(chat(R"({"messages":[1]})"), "messages[0]");
    expect_refused(chat("{" + msgs + R"(,"model":{"a":1}})"), "model");
    expect_refused(chat("{" + msgs + R"(,"user":[]})"), "user");
    expect_refused(chat("{" + msgs + R"(,"seed":18446744073709551615})"), "seed");
    expect_refused(chat("{" + msgs + R"(,"max_tokens":1e300})"), "max_tokens");
    expect_refused(chat("{" + msgs + R"(,"temperature":"hot"})"), "temperature");
    expect_still_serving(s->port(), token);
}

TEST_F(fake_server_test, crash_by_json_depth_is_refused_before_it_is_copied) {
    auto s = start({}, {}, "a", true);
    const auto token = *s->users->add("alice");
    // 60,000 arrays deep in the content: about 120 KB, under the body limit.
    const std::string body = R"({"messages":[{"role":"user","content":)" + deep(60000) + "}]}";
    expect_refused(http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(token)), "deeper than");
    expect_refused(http_request(s->port(), "PUT", "/api/v1/initiative/settings", R"({"daily_cap":)" + deep(100000) + "}",
                                bearer(token)),
                   "deeper than");
    for (const char * path : {"/api/v1/profile", "/api/v1/persona"}) {
        expect_refused(http_request(s->port(), "PUT", path, R"({"text":)" + deep(100000) + "}", bearer(token)), "deeper than");
    }
    expect_refused(http_request(s->port(), "POST", "/api/v1/persona/rollback", deep(100000), bearer(token)), "deeper than");
    // Just under the limit is parsed and answered by the type check.
    expect_refused(http_request(s->port(), "POST", "/v1/chat/completions",
                                R"({"messages":[{"role":"user","content":)" + deep(28) + "}]}", bearer(token)),
                   "messages[0].content");
    expect_still_serving(s->port(), token);
}

TEST_F(fake_server_test, numbers_that_would_wrap_are_refused_naming_the_field) {
    auto s = start({}, {}, "a", true);
    const auto token = *s->users->add("alice");
    const auto put = [&](const std::string & body) {
        return http_request(s->port(), "PUT", "/api/v1/initiative/settings", body, bearer(token));
    };
    expect_refused(put(R"({"utc_offset_minutes": 18446744073709551606})"), "utc_offset_minutes");
    expect_refused(put(R"({"daily_cap": -9223372036854775808})"), "daily_cap");
    expect_refused(put(R"({"min_importance": 7})"), "min_importance");
    EXPECT_EQ(test::get_json(s->port(), token, "/api/v1/initiative/settings")["utc_offset_minutes"], 0);
    const auto rollback = [&](const std::string & body) {
        return http_request(s->port(), "POST", "/api/v1/persona/rollback", body, bearer(token));
    };
    expect_refused(rollback(R"({"version": 18446744073709551615})"), "version");
    expect_refused(rollback(R"({"version": 0})"), "version");
    expect_refused(rollback(R"({"version": "1"})"), "version");
}

// More messages than a request may hold is refused by name, at once.
TEST_F(fake_server_test, too_many_messages_are_refused_by_name_at_once) {
    auto s = start();
    const auto token = *s->users->add("alice");
    json huge = {{"messages", json::array()}};
    for (int i = 0; i < 24000; ++i) huge["messages"].push_back({{"role", "user"}, {"content", "x"}});
    expect_refused(http_request(s->port(), "POST", "/v1/chat/completions", huge.dump(), bearer(token)), "messages");
    expect_still_serving(s->port(), token);
}

TEST_F(fake_server_test, conversation_ids_with_escaped_characters_can_be_deleted) {
    auto s = start();
    const auto token = *s->users->add("alice");
    for (const std::string id : {"my diary", "what?", "#1"}) {
        ASSERT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body("Hello", 2), bearer(token, id)).status,
                  200);
    }
    for (const char * escaped : {"my%20diary", "what%3F", "%231"}) {
        const auto r = http_request(s->port(), "DELETE", std::string("/api/v1/conversations/") + escaped, "", bearer(token));
        EXPECT_EQ(r.status, 204) << escaped << ": " << r.body;
    }
    EXPECT_EQ(http_request(s->port(), "DELETE", "/api/v1/conversations/my%20diary", "", bearer(token)).status, 404);
}

TEST_F(fake_server_test, a_search_that_is_not_utf8_is_a_400) {
    auto s = start({}, {}, "a", true);
    const auto token = *s->users->add("alice");
    expect_refused(http_request(s->port(), "GET", "/api/v1/memories/search?q=%FF", "", bearer(token)), "UTF-8");
}

}  // namespace
}  // namespace os1::server
