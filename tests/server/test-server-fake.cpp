// The server over the scripted fake engine (tests/fakes/fake_llm.h): what the
// server does with whatever llm_i it is given, without a model.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "fakes/fake_llm.h"
#include "server/http_server.h"
#include "support/http_client.h"

namespace os1::server {
namespace {

using json = nlohmann::json;

class fake_server {
public:
    explicit fake_server(test::fake_llm::script s) : llm(std::move(s)) {
        server_options so;
        so.port = 0;
        so.no_auth = true;
        so.rate_per_minute = 0;
        http = std::make_unique<http_server>(so, llm, nullptr);
        if (auto st = http->listen(); !st) throw std::runtime_error(st.message());
        thread = std::thread([this] { http->run(false); });
    }
    ~fake_server() {
        http->stop();
        thread.join();
    }
    test::http_result chat(const std::string & text, const std::string & conversation, bool stream = false) {
        const json body = {{"model", "os1"}, {"messages", {{{"role", "user"}, {"content", text}}}}, {"stream", stream}};
        return test::http_request(http->port(), "POST", "/v1/chat/completions", body.dump(),
                                  {{"X-OS1-Conversation", conversation}});
    }

    test::fake_llm llm;
    std::unique_ptr<http_server> http;
    std::thread thread;
};

TEST(server_on_a_fake_llm, a_reply_comes_from_the_llm_it_is_given) {
    fake_server s([](const llm::completion_request & r) { return "you said " + r.messages.back().content; });
    const auto plain = s.chat("hello there", "c1");
    ASSERT_EQ(plain.status, 200) << plain.body;
    EXPECT_EQ(json::parse(plain.body)["choices"][0]["message"]["content"], "you said hello there");
    const auto streamed = s.chat("again", "c1", true);
    ASSERT_EQ(streamed.status, 200);
    EXPECT_NE(streamed.body.find("\"content\":\" said\""), std::string::npos) << streamed.body;
    EXPECT_NE(streamed.body.find("data: [DONE]"), std::string::npos);
    const auto asked = s.llm.requests();
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(asked[1].key, (llm::conversation_key{"local", "c1"}));
}

TEST(server_on_a_fake_llm, deleting_a_conversation_answers_when_its_state_is_gone) {
    fake_server s([](const llm::completion_request &) { return "fine"; });
    ASSERT_EQ(s.chat("keep this", "diary").status, 200);
    ASSERT_EQ(s.chat("and this", "notes").status, 200);
    EXPECT_TRUE(s.llm.holds({"local", "diary"}));
    EXPECT_EQ(test::http_request(s.http->port(), "DELETE", "/api/v1/conversations/diary", "", {}).status, 204);
    EXPECT_FALSE(s.llm.holds({"local", "diary"}));  // gone before the answer came
    EXPECT_TRUE(s.llm.holds({"local", "notes"}));
    EXPECT_EQ(test::http_request(s.http->port(), "DELETE", "/api/v1/conversations/diary", "", {}).status, 404);
}

TEST(server_on_a_fake_llm, a_refusal_names_its_reason) {
    fake_server s([](const llm::completion_request &) { return "fine"; });
    s.llm.refuse_next({status_code::invalid_argument, "the prompt is too long for the context"});
    const auto r = s.chat("a long story", "c1");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("too long for the context"), std::string::npos) << r.body;
    s.llm.refuse_next({status_code::resource_exhausted, "too many requests are waiting"});
    EXPECT_EQ(s.chat("again", "c1").status, 503);
    EXPECT_EQ(s.chat("and again", "c1").status, 200);
}

}  // namespace
}  // namespace os1::server
