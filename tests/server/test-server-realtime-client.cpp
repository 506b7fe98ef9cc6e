// OS1's own realtime client (os1 talk --mic's side of the WebSocket) against
// the server over the fake engine: a call in a named conversation, a typed
// turn answered, a normal close; and each refusal named as the server gave it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "server/realtime_client.h"
#include "server/running_server.h"

namespace os1::server {
namespace {

using test::fake_server_test;
using json = nlohmann::json;
using namespace std::chrono_literals;

// What the client hears: each event kept, and the close.
struct heard {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<json> events;
    std::optional<status> closed;

    realtime_client::on_event on_event() {
        return [this](const std::string & e) {
            std::lock_guard<std::mutex> lock(mu);
            events.push_back(json::parse(e));
            cv.notify_all();
        };
    }
    realtime_client::on_closed on_closed() {
        return [this](const status & why) {
            std::lock_guard<std::mutex> lock(mu);
            closed = why;
            cv.notify_all();
        };
    }
    std::optional<json> wait_for(const std::string & type) {
        std::unique_lock<std::mutex> lock(mu);
        std::optional<json> found;
        cv.wait_for(lock, 30s, [&] {
            for (const auto & e : events) {
                if (e.value("type", "") == type) found = e;
            }
            return found.has_value();
        });
        return found;
    }
    std::optional<status> wait_closed() {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, 30s, [&] { return closed.has_value(); });
        return closed;
    }
};

class realtime_client_test : public fake_server_test {};

TEST_F(realtime_client_test, a_call_in_a_named_conversation_is_answered_and_closed) {
    script_ = [](const llm::completion_request &) { return std::string("The sea was calm."); };
    auto s = start(test::remembering(), {}, "a", true);
    const auto token = *s->users->add("ada");
    heard h;
    const std::string url = "http://127.0.0.1:" + std::to_string(s->port()) + "/v1";
    auto c = realtime_client::connect(url, token, "kitchen & co/1", h.on_event(), h.on_closed());
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_TRUE(h.wait_for("session.created"));
    (*c)->send(json{{"type", "conversation.item.create"},
                    {"item", {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", "Hello."}}}}}}}
                   .dump());
    (*c)->send(json{{"type", "response.create"}}.dump());
    const auto done = h.wait_for("response.done");
    ASSERT_TRUE(done);
    EXPECT_EQ((*done)["response"]["status"], "completed") << done->dump();
    const auto text = h.wait_for("response.audio_transcript.done");
    ASSERT_TRUE(text);
    EXPECT_EQ((*text)["transcript"], "The sea was calm.");
    (*c)->close();
    const auto closed = h.wait_closed();
    ASSERT_TRUE(closed);
    EXPECT_TRUE(closed->is_ok()) << closed->message();
    // The conversation's name went through the URL whole.
    const auto listed = test::http_request(s->port(), "GET", "/api/v1/conversations", "", test::bearer(token));
    EXPECT_NE(listed.body.find("kitchen & co/1"), std::string::npos) << listed.body;
}

TEST_F(realtime_client_test, each_refusal_is_named) {
    server_options so;
    auto s = start(so);
    const std::string url = "http://127.0.0.1:" + std::to_string(s->port()) + "/v1";
    heard h;
    auto wrong = realtime_client::connect(url, "os1_wrong", "voice", h.on_event(), h.on_closed());
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), status_code::permission_denied);
    EXPECT_NE(wrong.error().message().find("(401)"), std::string::npos) << wrong.error().message();
    auto tls = realtime_client::connect("https://127.0.0.1/v1", "", "voice", h.on_event(), h.on_closed());
    ASSERT_FALSE(tls);
    EXPECT_NE(tls.error().message().find("does not speak TLS"), std::string::npos);
    auto bare = realtime_client::connect("127.0.0.1:80", "", "voice", h.on_event(), h.on_closed());
    ASSERT_FALSE(bare);
    EXPECT_EQ(bare.error().code(), status_code::invalid_argument);

    server_options quiet;
    quiet.voice = false;
    auto q = start(quiet, {}, "b");
    const auto token = *q->users->add("ada");
    auto off = realtime_client::connect("http://127.0.0.1:" + std::to_string(q->port()), token, "voice", h.on_event(),
                                        h.on_closed());
    ASSERT_FALSE(off);
    EXPECT_NE(off.error().message().find("(503)"), std::string::npos) << off.error().message();
}

TEST_F(realtime_client_test, the_server_going_away_is_reported) {
    auto s = start();
    const auto token = *s->users->add("ada");
    heard h;
    auto c = realtime_client::connect("http://127.0.0.1:" + std::to_string(s->port()) + "/v1/", token, "voice",
                                      h.on_event(), h.on_closed());
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_TRUE(h.wait_for("session.created"));
    s.reset();  // the server shuts down with the call open
    const auto closed = h.wait_closed();
    ASSERT_TRUE(closed);
    EXPECT_FALSE(closed->is_ok());
    EXPECT_FALSE(closed->message().empty());
}

}  // namespace
}  // namespace os1::server
