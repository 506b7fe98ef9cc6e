// The server over a real engine: OpenAI-shaped replies and streams, canaries
// through the KV state, saturation, a client that leaves, restarts, --no-auth
// on loopback, and tokenizing kept off the I/O threads.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
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
TEST_F(server_test, a_reply_parses_as_openais) {
    auto s = start();
    const auto token = *s->users->add("alice");
    const auto r = http_request(s->port(), "POST", "/v1/chat/completions", chat_body("Hello", 8), bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["object"], "chat.completion");
    EXPECT_EQ(j["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
    EXPECT_TRUE(j["created"].is_number_integer());
    EXPECT_EQ(j["choices"][0]["index"], 0);
    EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
    EXPECT_FALSE(j["choices"][0]["message"]["content"].get<std::string>().empty());
    EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
    EXPECT_EQ(j["usage"]["completion_tokens"], 8);
    EXPECT_EQ(j["usage"]["total_tokens"], j["usage"]["prompt_tokens"].get<int>() + 8);
}

TEST_F(server_test, a_stream_parses_as_openais_and_says_the_same) {
    auto s = start();
    const auto token = *s->users->add("alice");
    const auto plain = json::parse(
        http_request(s->port(), "POST", "/v1/chat/completions", chat_body("Hello", 10), bearer(token, "one")).body);
    const auto r = http_request(s->port(), "POST", "/v1/chat/completions", chat_body("Hello", 10, true), bearer(token, "two"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "text/event-stream");
    const auto events = test::sse_data(r.body);
    ASSERT_GE(events.size(), 4u);
    EXPECT_EQ(events.back(), "[DONE]");
    std::string text;
    std::string finish;
    bool usage = false;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
        const auto e = json::parse(events[i]);
        EXPECT_EQ(e["object"], "chat.completion.chunk");
        EXPECT_EQ(e["id"], json::parse(events[0])["id"]);
        if (e.contains("usage")) {
            usage = true;
            EXPECT_EQ(e["usage"]["completion_tokens"], 10);
            continue;
        }
        const auto & choice = e["choices"][0];
        if (i == 0) {
            EXPECT_EQ(choice["delta"]["role"], "assistant");
        }
        if (choice["delta"].contains("content")) text += choice["delta"]["content"].get<std::string>();
        if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
    }
    EXPECT_TRUE(usage);
    EXPECT_EQ(finish, "length");
    EXPECT_EQ(text, plain["choices"][0]["message"]["content"]);
}

// Canary: Bob's reply is the same whether or not Alice told the server a secret
// in a conversation of the same name.
TEST_F(server_test, canaries_never_cross_people) {
    const std::string bob_body = chat_body("What did I tell you?", 12);
    std::string alone;
    {
        auto s = start({}, {}, "fresh");
        const auto bob = *s->users->add("bob");
        alone = json::parse(http_request(s->port(), "POST", "/v1/chat/completions", bob_body, bearer(bob, "c")).body)
                    ["choices"][0]["message"]["content"];
    }
    auto s = start();
    const auto alice = *s->users->add("alice");
    const auto bob = *s->users->add("bob");
    for (int i = 0; i < 3; ++i) {
        http_request(s->port(), "POST", "/v1/chat/completions", chat_body("CANARY-4471 is my PIN. What did I tell you?", 12),
                     bearer(alice, "c"));
    }
    const auto r = json::parse(http_request(s->port(), "POST", "/v1/chat/completions", bob_body, bearer(bob, "c")).body);
    EXPECT_EQ(r["choices"][0]["message"]["content"], alone);
    EXPECT_EQ(r["choices"][0]["message"]["content"].get<std::string>().find("CANARY"), std::string::npos);
}

TEST_F(server_test, a_saturated_server_answers_503) {
    llm::engine_options eo;
    eo.parallel = 1;
    eo.max_pending = 1;
    eo.ctx_tokens = 4000;  // each reply below runs for a second or more
    auto s = start({}, eo);
    const auto t = *s->users->add("alice");
    // One request generating, then one waiting: each waited for in turn (not a
    // fixed sleep, and not all at once: two arriving together can find the
    // first still queued and the second refused, leaving nothing waiting).
    const auto wait_for = [&](uint64_t n) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        for (;;) {
            const auto st = s->engine->stats();
            if (st.active + st.pending >= n || std::chrono::steady_clock::now() > deadline) return st.active + st.pending >= n;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    };
    std::vector<std::thread> busy;
    for (int i = 0; i < 2; ++i) {
        busy.emplace_back([&, i] {
            http_request(s->port(), "POST", "/v1/chat/completions", chat_body("long", 3000), bearer(t, "b" + std::to_string(i)));
        });
        if (!wait_for(static_cast<uint64_t>(i) + 1)) {
            ADD_FAILURE() << "request " << i << " never reached the engine";
            break;
        }
    }
    const auto r = http_request(s->port(), "POST", "/v1/chat/completions", chat_body("one more", 2), bearer(t, "x"));
    expect_error_object(r, 503, "server_error");
    EXPECT_TRUE(r.headers.count("retry-after"));
    for (auto & b : busy) b.join();
}

TEST_F(server_test, a_client_that_leaves_stops_its_reply) {
    auto s = start();
    const auto t = *s->users->add("alice");
    const int fd = test::connect_local(s->port());
    const std::string body = chat_body("Talk forever", 5000, true);
    const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t +
                            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    char buf[4096];
    ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);  // the stream has started
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto st = s->engine->stats();
    EXPECT_LT(st.generated_tokens, 3000u);
    EXPECT_EQ(st.active, 0u);
}

// The same greedy reply whether the server kept the conversation or was
// restarted in between (its state comes back from disk).
TEST_F(server_test, a_restart_keeps_every_conversation) {
    const auto turn2 = [](const std::string & first) {
        json j = {{"messages", {{{"role", "user"}, {"content", "Hello"}}, {{"role", "assistant"}, {"content", first}},
                                {{"role", "user"}, {"content", "And then?"}}}},
                  {"max_tokens", 10}, {"temperature", 0}};
        return j.dump();
    };
    std::string first, uninterrupted, token;
    {
        auto s = start({}, {}, "kept");
        token = *s->users->add("alice");
        first = json::parse(http_request(s->port(), "POST", "/v1/chat/completions", chat_body("Hello", 10), bearer(token, "c")).body)
                    ["choices"][0]["message"]["content"];
        uninterrupted = json::parse(http_request(s->port(), "POST", "/v1/chat/completions", turn2(first), bearer(token, "c")).body)
                            ["choices"][0]["message"]["content"];
    }
    {
        auto s = start({}, {}, "restarted");
        token = *s->users->add("alice");
        http_request(s->port(), "POST", "/v1/chat/completions", chat_body("Hello", 10), bearer(token, "c"));
    }  // graceful stop: states written to disk
    auto s = start({}, {}, "restarted");
    const auto r = json::parse(http_request(s->port(), "POST", "/v1/chat/completions", turn2(first), bearer(token, "c")).body);
    EXPECT_EQ(r["choices"][0]["message"]["content"], uninterrupted);
    EXPECT_GT(r["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), 5);
    EXPECT_EQ(s->engine->stats().hits_disk, 1u);
}

TEST_F(server_test, no_auth_is_loopback_only) {
    llm::engine_options eo;
    eo.kv_dir = dir_.file("n/kv");
    auto e = llm::engine::start(model_, eo);
    ASSERT_TRUE(e);
    server_options so;
    so.no_auth = true;
    so.host = "0.0.0.0";
    http_server h(so, **e, nullptr);
    const status st = h.listen();
    EXPECT_EQ(st.code(), status_code::invalid_argument);
    EXPECT_NE(st.message().find("--no-auth"), std::string::npos);
}

// A server that never runs (its address refused) goes away while its
// background requests (the feelings probe) are in flight: they end first,
// and nothing is left calling into it (the sanitizer preset checks).
TEST_F(server_test, a_server_that_never_ran_goes_away_cleanly_with_its_background_requests_in_flight) {
    for (int i = 0; i < 3; ++i) {
        llm::engine_options eo;
        eo.kv_dir = dir_.file("g/kv");
        auto e = llm::engine::start(model_, eo);
        ASSERT_TRUE(e);
        server_options so;
        so.no_auth = true;
        so.host = "0.0.0.0";
        so.feelings = feelings_mode::auto_probe;
        auto store = memory::memory_store::open(dir_.file("g/memory.db"));
        ASSERT_TRUE(store);
        {
            http_server h(so, **e, nullptr, std::make_unique<memory::memory_worker>(std::move(*store)));
            EXPECT_EQ(h.listen().code(), status_code::invalid_argument);
        }
        llm::completion_request r;
        r.key = {"ada", "c"};
        r.messages = {{role::user, "Hello"}};
        r.gen.max_tokens = 2;
        r.on_event = [](const llm::completion_event &) {};
        EXPECT_EQ((*e)->submit(std::move(r)).code(), status_code::cancelled);  // the server stopped its engine
    }
}

// The real tokenizer, on the prompts queue and never on the I/O threads: /health answers meanwhile.
TEST_F(server_test, freeze_by_tokenizing_on_the_io_threads_cannot_stall_health) {
    server_options so;
    auto s = start(so);
    const auto token = *s->users->add("alice");
    // As many tiny messages as a request may hold, on new conversations: their
    // prompts are rendered and tokenized while /health is asked.
    // Each about 500 bytes: the most text a request may hold, tokenized again each time the cut moves.
    std::string words;
    for (int w = 0; words.size() < so.max_prompt_bytes / so.max_messages - 20; ++w) words += "word" + std::to_string(w) + " ";
    json big = {{"max_tokens", 1}, {"temperature", 0}, {"messages", json::array()}};
    for (int i = 0; i < so.max_messages - 1; ++i) {
        big["messages"].push_back({{"role", i % 2 ? "assistant" : "user"}, {"content", words}});
    }
    big["messages"].push_back({{"role", "user"}, {"content", "and now?"}});
    const std::string body = big.dump();
    std::vector<std::future<int>> chats;
    std::atomic<int64_t> chat_us{0};  // the shortest chat request, from sent to answered
    for (int i = 0; i < 2; ++i) {
        chats.push_back(std::async(std::launch::async, [&, i] {
            const auto t0 = std::chrono::steady_clock::now();
            const int code = http_request(s->port(), "POST", "/v1/chat/completions", body, bearer(token, "many-" + std::to_string(i))).status;
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
            int64_t seen = chat_us.load();
            while ((seen == 0 || us < seen) && !chat_us.compare_exchange_weak(seen, us)) {}
            return code;
        }));
    }
    int asked = 0;
    double worst_ms = 0;
    while (asked < 5 || chats[0].wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        const auto t0 = std::chrono::steady_clock::now();
        ASSERT_EQ(http_request(s->port(), "GET", "/health").status, 200);
        worst_ms = std::max(worst_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (++asked >= 200) break;
    }
    for (auto & c : chats) EXPECT_EQ(c.get(), 200);
    const double chat_ms = static_cast<double>(chat_us.load()) / 1000.0;
    std::printf("/health while two of the largest chat requests were prepared (%.0f ms): worst %.1f ms over %d checks\n",
                chat_ms, worst_ms, asked);
    // Tokenizing on an I/O thread would hold /health for a whole preparation;
    // relative to it, not to a fixed time (a loaded machine slows both alike).
    EXPECT_LT(worst_ms, chat_ms / 4) << "over " << asked << " health checks";
    EXPECT_GE(asked, 5);

}

}  // namespace
}  // namespace os1::server
