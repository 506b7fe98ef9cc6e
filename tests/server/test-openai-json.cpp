#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/openai_json.h"

namespace os1::server {
namespace {

TEST(openai_json, request_with_every_supported_field) {
    server_options o;
    auto r = parse_chat_request(R"({"model":"m","messages":[
        {"role":"developer","content":"be brief"},
        {"role":"user","content":[{"type":"text","text":"hel"},{"type":"text","text":"lo"}]}],
        "max_completion_tokens":7,"temperature":0.5,"top_p":0.9,"seed":42,"stop":["x","y"],
        "stream":true,"stream_options":{"include_usage":true},"user":"conv-1","ignore_eos":true})", o);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->messages.size(), 2u);
    EXPECT_EQ(r->messages[0].role, role::system);
    EXPECT_EQ(r->messages[1].content, "hello");
    EXPECT_EQ(r->gen.max_tokens, 7);
    EXPECT_FLOAT_EQ(r->gen.sampling.temperature, 0.5f);
    EXPECT_EQ(r->gen.sampling.seed, 42);
    EXPECT_EQ(r->stop, (std::vector<std::string>{"x", "y"}));
    EXPECT_TRUE(r->stream);
    EXPECT_TRUE(r->include_usage);
    EXPECT_TRUE(r->gen.ignore_eos);
    EXPECT_EQ(r->user, "conv-1");
}

TEST(openai_json, defaults) {
    server_options o;
    o.max_tokens_default = 99;
    auto r = parse_chat_request(R"({"messages":[{"role":"user","content":"x"}],"stop":"END"})", o);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->gen.max_tokens, 99);
    EXPECT_EQ(r->stop, std::vector<std::string>{"END"});
    EXPECT_FALSE(r->stream);
}

TEST(openai_json, errors_name_the_field) {
    server_options o;
    const auto err = [&](const char * body) { return parse_chat_request(body, o).error().message(); };
    EXPECT_NE(err(R"({"messages":[]})").find("messages"), std::string::npos);
    EXPECT_NE(err(R"({"messages":[{"role":"user","content":"x"}],"seed":1.5})").find("seed"), std::string::npos);
    EXPECT_NE(err(R"({"messages":[{"role":"user","content":"x"}],"stop":[1]})").find("stop"), std::string::npos);
    EXPECT_NE(err(R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})").find("stream"), std::string::npos);
    EXPECT_NE(err(R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})").find("messages[0].content"),
              std::string::npos);
    EXPECT_NE(err(R"({"messages":[{"content":"x"}]})").find("messages[0].role"), std::string::npos);
}

TEST(openai_json, responses_are_valid_json_even_for_odd_text) {
    usage u{5, 3, 2};
    const auto body = completion_json("id", 1, "m", "quote \" and \x01 and \xff", llm::stop_reason::end_of_turn, u);
    const auto j = nlohmann::json::parse(body);
    EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
    EXPECT_EQ(j["usage"]["prompt_tokens_details"]["cached_tokens"], 2);
    const std::string ev = chunk_event("id", 1, "m", "", "x", true, llm::stop_reason::max_tokens);
    ASSERT_EQ(ev.rfind("data: ", 0), 0u);
    EXPECT_EQ(ev.substr(ev.size() - 2), "\n\n");
    EXPECT_EQ(nlohmann::json::parse(ev.substr(6))["choices"][0]["finish_reason"], "length");
    const auto e = nlohmann::json::parse(error_json("bad", "invalid_request_error", "messages"));
    EXPECT_EQ(e["error"]["param"], "messages");
    EXPECT_TRUE(e["error"]["code"].is_null());
}

}  // namespace
}  // namespace os1::server
