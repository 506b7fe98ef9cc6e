// The server remembers, with a real engine: the layout keeps the
// conversation's KV prefix from turn to turn and across a restart, and an
// embedding model's vectors reach recall.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "companion/fact_distiller.h"
#include "llm/embedder.h"
#include "memory/memory_store.h"
#include "llm/engine_runner.h"
#include "server/running_server.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::bearer;
using test::http_request;
using test::server_test;
using test::fake_server_test;
using test::path_of_json;
using test::chat;
using test::user;
using test::turns_of;
TEST_F(server_test, with_memory_a_second_turn_computes_only_its_new_tokens) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    chat(s->port(), ada, "old", json::array({user("I adopted a grey cat named Pixel.")}));
    json messages = json::array({user("Pixel the grey cat knocked my water glass over.")});
    const json first = chat(s->port(), ada, "now", messages);
    const int first_prompt = first["usage"]["prompt_tokens"];
    const auto stored = turns_of(dir_.file("m") + "/memory.db", "ada");
    ASSERT_NE(stored[2].recalled.find("grey cat named Pixel"), std::string::npos);  // the block was in that prompt
    messages.push_back({{"role", "assistant"}, {"content", first["choices"][0]["message"]["content"]}});
    messages.push_back(user("What should I do?"));
    const json second = chat(s->port(), ada, "now", messages);
    // The first prompt, recalled block included, is reused from the KV cache.
    EXPECT_GE(second["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), first_prompt) << second["usage"].dump();
}

// With memory on, a returning turn gets the same greedy reply whether the server
// kept the conversation or restarted in between: the earlier block comes back
// from the store, the KV state from disk, and only the new tokens are computed.
TEST_F(server_test, with_memory_a_restart_changes_neither_the_reply_nor_what_is_computed) {
    const auto conversation = [&](const std::string & sub, bool restart) {
        std::string token;
        json messages = json::array({user("Pixel the grey cat knocked my water glass over.")});
        int first_prompt = 0;
        {
            auto s = start({}, {}, sub, true);
            token = *s->users->add("ada");
            chat(s->port(), token, "old", json::array({user("I adopted a grey cat named Pixel.")}));
            const json first = chat(s->port(), token, "now", messages);
            first_prompt = first["usage"]["prompt_tokens"];
            messages.push_back({{"role", "assistant"}, {"content", first["choices"][0]["message"]["content"]}});
            messages.push_back(user("What should I do about the glass?"));
            if (!restart) return std::make_pair(chat(s->port(), token, "now", messages), first_prompt);
        }  // a graceful stop writes the states to disk
        auto s = start({}, {}, sub, true);
        const json second = chat(s->port(), token, "now", messages);
        EXPECT_EQ(s->engine->stats().hits_disk, 1u);
        return std::make_pair(second, first_prompt);
    };
    const auto [kept, kept_first] = conversation("kept", false);
    const auto [restarted, restarted_first] = conversation("restarted", true);
    EXPECT_EQ(restarted["choices"][0]["message"]["content"], kept["choices"][0]["message"]["content"]);
    EXPECT_EQ(restarted["usage"]["prompt_tokens"], kept["usage"]["prompt_tokens"]);
    EXPECT_GE(restarted["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), restarted_first);
    EXPECT_EQ(restarted["usage"]["prompt_tokens_details"]["cached_tokens"], kept["usage"]["prompt_tokens_details"]["cached_tokens"]);
    EXPECT_EQ(kept_first, restarted_first);
}

// With an embedding model, each turn and reply gets a vector when it is stored,
// and a search reaches turns that share no word with it, of that person only.
TEST_F(server_test, with_an_embedding_model_every_turn_gets_a_vector_and_recall_uses_them) {
    auto e = llm::embedder::open(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(e) << e.error().message();
    server_options so;
    so.distill_every = 0;
    so.memory.embedder = e->get();
    auto s = start(so, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    const int port = s->port();
    const auto search = "/api/v1/memories/search?q=Tell%20me%20about%20my%20pet";
    chat(port, ada, "c", json::array({user("I adopted a grey cat called Pixel.")}));
    {
        auto store = memory::memory_store::open(dir_.file("m") + "/memory.db");
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->vectors().use_vector_model((*e)->key(), (*e)->dims(), /*replace=*/false));
        auto who = (*store)->person("ada", false);
        EXPECT_EQ(*(*store)->turns().count_turns(*who), 2);
        EXPECT_TRUE((*store)->vectors().turns_without_vector(*who, 10)->empty());  // the message and the reply
    }
    const auto found = json::parse(path_of_json(port, ada, "GET", search));
    ASSERT_FALSE(found["items"].empty()) << found;
    bool cat = false;
    for (const auto & i : found["items"]) cat = cat || i["text"].get<std::string>().find("Pixel") != std::string::npos;
    EXPECT_TRUE(cat) << found;
    EXPECT_TRUE(json::parse(path_of_json(port, bob, "GET", search))["items"].empty());
}

}  // namespace
}  // namespace os1::server
