// Test support for the server: an engine and a server in this process, and
// request helpers.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "fakes/fake_llm.h"
#include "llm/engine.h"
#include "memory/memory_store.h"
#include "memory/memory_worker.h"
#include "server/http_server.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

namespace os1::test {

// A server on a free port, in this process, over an engine or any llm_i.
class running_server {
public:
    // With with_memory, turns are remembered in DIR/memory.db.
    running_server(std::shared_ptr<llm::model> m, const std::string & dir, server::server_options so = {},
                   llm::engine_options eo = {}, bool with_users = true, bool with_memory = false) {
        eo.kv_dir = dir + "/kv";
        if (eo.ctx_tokens == 4096) eo.ctx_tokens = 1024;
        auto e = llm::engine::start(std::move(m), eo);
        if (!e) throw std::runtime_error(e.error().message());
        engine = e->get();
        backend = std::move(*e);
        serve(dir, std::move(so), with_users, with_memory);
    }
    // Over LLM (the scripted fake, tests/fakes/fake_llm.h): no model, no tokens.
    running_server(std::unique_ptr<llm::llm_i> fake, const std::string & dir, server::server_options so = {},
                   bool with_users = true, bool with_memory = false)
        : backend(std::move(fake)) {
        serve(dir, std::move(so), with_users, with_memory);
    }
    ~running_server() {
        http->stop();
        thread.join();
    }
    int port() const { return http->port(); }

    std::unique_ptr<llm::llm_i> backend;  // the engine or the fake
    llm::engine * engine = nullptr;  // the local engine, when it is one
    std::unique_ptr<server::users_store> users;
    std::unique_ptr<server::http_server> http;
    std::thread thread;

private:
    void serve(const std::string & dir, server::server_options so, bool with_users, bool with_memory) {
        std::filesystem::create_directories(dir);  // the engine makes it for its KV files; a fake does not
        so.port = 0;
        if (with_users) users = std::make_unique<server::users_store>(dir + "/users.json");
        else so.no_auth = true;
        std::unique_ptr<memory::memory_worker> worker;
        if (with_memory) {
            auto store = memory::memory_store::open(dir + "/memory.db");
            if (!store) throw std::runtime_error(store.error().message());
            worker = std::make_unique<memory::memory_worker>(std::move(*store));
        }
        http = std::make_unique<server::http_server>(so, *backend, users.get(), std::move(worker));
        if (auto st = http->listen(); !st) throw std::runtime_error(st.message());
        thread = std::thread([this] { http->run(false); });
    }
};

class server_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto m = llm::model::load(test::tiny_model_path(), model_options{});
        ASSERT_TRUE(m) << m.error().message();
        model_ = *m;
    }
    static void TearDownTestSuite() { model_.reset(); }

    // The first-run interview is off unless a test turns it on (onboarding_).
    std::unique_ptr<running_server> start(server::server_options so = {}, llm::engine_options eo = {},
                                          const std::string & sub = "a", bool with_memory = false) {
        so.onboarding.enabled = onboarding_;
        // Tests poll routes in tight loops: no rate limit unless a test sets its own.
        if (so.rate_per_minute == server::server_options{}.rate_per_minute) so.rate_per_minute = 0;
        return std::make_unique<running_server>(model_, dir_.file(sub), so, eo, true, with_memory);
    }

    static inline std::shared_ptr<llm::model> model_;
    test::temp_dir dir_;
    bool onboarding_ = false;
};

inline std::map<std::string, std::string> bearer(const std::string & token, const std::string & conversation = "") {
    std::map<std::string, std::string> h = {{"Authorization", "Bearer " + token}};
    if (!conversation.empty()) h["X-OS1-Conversation"] = conversation;
    return h;
}

inline std::string chat_body(const std::string & text, int max_tokens = 8, bool stream = false) {
    nlohmann::json j = {{"model", "os1"}, {"messages", {{{"role", "user"}, {"content", text}}}}, {"max_tokens", max_tokens},
              {"temperature", 0}, {"stream", stream}};
    if (stream) j["stream_options"] = {{"include_usage", true}};
    return j.dump();
}

// The same server over the scripted fake (tests/fakes/fake_llm.h), for tests
// that need no real tokens: they run in the unit tier. Each reply is script_'s.
class fake_server_test : public ::testing::Test {
protected:
    // The same arguments as server_test's (there is no engine to configure).
    std::unique_ptr<running_server> start(server::server_options so = {}, llm::engine_options = {},
                                          const std::string & sub = "a", bool with_memory = false) {
        so.onboarding.enabled = onboarding_;
        if (so.rate_per_minute == server::server_options{}.rate_per_minute) so.rate_per_minute = 0;
        return std::make_unique<running_server>(std::make_unique<fake_llm>(script_, word_hook_), dir_.file(sub), so, true,
                                                with_memory);
    }

    fake_llm::script script_ = [](const llm::completion_request &) { return std::string("I hear you."); };
    fake_llm::word_hook word_hook_;
    test::temp_dir dir_;
    bool onboarding_ = false;
};

using json = nlohmann::json;

// TEXT from the person with TOKEN in CONVERSATION; the reply's text (of every chunk, when streamed).
inline std::string say(int port, const std::string & token, const std::string & text, bool stream = false,
                const std::string & conversation = "c1") {
    json body = {{"model", "os1"}, {"messages", {{{"role", "user"}, {"content", text}}}}, {"max_tokens", 8},
                 {"temperature", 0}, {"stream", stream}};
    const auto r = http_request(port, "POST", "/v1/chat/completions", body.dump(), bearer(token, conversation));
    EXPECT_EQ(r.status, 200) << r.body;
    if (!stream) return json::parse(r.body, nullptr, false)["choices"][0]["message"]["content"];
    std::string text_out;  // the content of every chunk, in order
    size_t at = 0;
    while ((at = r.body.find("data: {", at)) != std::string::npos) {
        const size_t end = r.body.find("\n\n", at);
        const json chunk = json::parse(r.body.substr(at + 6, end - at - 6), nullptr, false);
        if (chunk.contains("choices") && !chunk["choices"].empty() && chunk["choices"][0]["delta"].contains("content")) {
            text_out += chunk["choices"][0]["delta"]["content"].get<std::string>();
        }
        at = end;
    }
    EXPECT_NE(r.body.find("data: [DONE]"), std::string::npos);
    return text_out;
}

// Waits until DONE holds, looking every 20 ms, for at most MS; whether it held.
inline bool eventually(const std::function<bool()> & done, int ms = 10000) {
    for (int waited = 0; waited < ms; waited += 20) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

inline json get_json(int port, const std::string & token, const std::string & path) {
    const auto r = http_request(port, "GET", path, "", bearer(token));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
}

// Helpers the server tests share (both tiers).
inline void expect_error_object(const test::http_result & r, int status, const std::string & type) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_EQ(j["error"]["type"], type) << r.body;
    EXPECT_TRUE(j["error"]["message"].is_string());
}

inline json chat(int port, const std::string & token, const std::string & conversation, const json & messages, int max_tokens = 8,
          bool stream = false) {
    json body = {{"model", "os1"}, {"messages", messages}, {"max_tokens", max_tokens}, {"temperature", 0}, {"stream", stream}};
    const auto r = http_request(port, "POST", "/v1/chat/completions", body.dump(), bearer(token, conversation));
    EXPECT_EQ(r.status, 200) << r.body;
    if (stream) return json{{"raw", r.body}};
    return json::parse(r.body, nullptr, false);
}

inline json user(const std::string & text) { return {{"role", "user"}, {"content", text}}; }

// The store as another process would see it (WAL readers see committed turns).
inline std::vector<memory::turn_record> turns_of(const std::string & db, const std::string & person) {
    auto store = memory::memory_store::open(db);
    EXPECT_TRUE(store);
    auto who = (*store)->person(person, false);
    if (!who) return {};
    auto rows = (*store)->turns().list_turns(*who, 0, 1000);
    EXPECT_TRUE(rows);
    return std::vector<memory::turn_record>(rows->rbegin(), rows->rend());
}

inline std::string raw_post(const std::string & path, const std::string & body, const std::string & headers) {
    return "POST " + path + " HTTP/1.1\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

inline int mode_of(const std::string & path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

inline server::server_options remembering() {
    server::server_options so;
    so.distill_every = 0;
    so.feelings = server::feelings_mode::lexicon;
    return so;
}

inline std::string path_of_json(int port, const std::string & token, const std::string & method, const std::string & path,
                                const std::string & body = "", int expect = 200) {
    const auto r = http_request(port, method, path, body, bearer(token));
    EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
    return r.body;
}

}  // namespace os1::test
