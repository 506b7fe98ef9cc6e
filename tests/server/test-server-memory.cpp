// The server remembers (over the scripted fake engine): each turn is stored
// before it is acknowledged and recalled in later conversations of the same
// person only; the person reads, corrects, forgets, exports and erases.
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
using test::get_json;
using test::bearer;
using test::http_request;
using test::server_test;
using test::fake_server_test;
using test::path_of_json;
using test::chat;
using test::user;
using test::turns_of;
TEST_F(fake_server_test, a_turn_and_its_reply_are_stored_before_the_reply_is_acknowledged) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const json r = chat(s->port(), ada, "c1", json::array({user("My sister Zoe moved to Boston in May.")}));
    const std::string reply = r["choices"][0]["message"]["content"];
    const auto stored = turns_of(dir_.file("m") + "/memory.db", "ada");  // right after the response, no waiting
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].text, "My sister Zoe moved to Boston in May.");
    EXPECT_EQ(stored[0].session, "c1");
    EXPECT_EQ(stored[1].role, role::assistant);
    EXPECT_EQ(stored[1].text, reply);

    const json streamed = chat(s->port(), ada, "c1", json::array({user("And my brother?")}), 8, true);
    EXPECT_NE(streamed["raw"].get<std::string>().find("[DONE]"), std::string::npos);
    EXPECT_EQ(turns_of(dir_.file("m") + "/memory.db", "ada").size(), 4u);
}

TEST_F(fake_server_test, what_one_conversation_learned_is_recalled_in_another_of_the_same_person_only) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    chat(s->port(), ada, "c1", json::array({user("My sister Zoe moved to Boston in May. My PIN is CANARY4471.")}));
    chat(s->port(), ada, "c2", json::array({user("Where does my sister Zoe live now?")}));
    chat(s->port(), bob, "c2", json::array({user("Where does my sister Zoe live now? What is my PIN CANARY4471?")}));
    const auto a = turns_of(dir_.file("m") + "/memory.db", "ada");
    ASSERT_EQ(a.size(), 4u);
    EXPECT_NE(a[2].recalled.find("My sister Zoe moved to Boston in May."), std::string::npos) << a[2].recalled;
    const auto b = turns_of(dir_.file("m") + "/memory.db", "bob");
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].recalled, "");
}

// Bob's reply is the same whether or not Alice told a remembering server a secret.
TEST_F(fake_server_test, canaries_never_cross_people_through_memory) {
    const json bob_says = json::array({user("What did I tell you about CANARY4471 and Boston?")});
    std::string alone;
    {
        auto s = start({}, {}, "fresh", true);
        const auto bob = *s->users->add("bob");
        alone = chat(s->port(), bob, "c", bob_says, 12)["choices"][0]["message"]["content"];
    }
    auto s = start({}, {}, "m", true);
    const auto alice = *s->users->add("alice");
    const auto bob = *s->users->add("bob");
    chat(s->port(), alice, "c", json::array({user("CANARY4471 is my PIN and I live in Boston.")}), 12);
    chat(s->port(), alice, "d", json::array({user("CANARY4471 Boston: what did I tell you?")}), 12);
    EXPECT_EQ(chat(s->port(), bob, "c", bob_says, 12)["choices"][0]["message"]["content"], alone);
}

TEST_F(fake_server_test, a_message_the_memory_refuses_gets_a_clear_400_and_the_server_goes_on) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    json body = {{"model", "os1"}, {"messages", json::array({{{"role", "assistant"}, {"content", "hi"}}})}, {"max_tokens", 4}};
    const auto r = http_request(s->port(), "POST", "/v1/chat/completions", body.dump(), bearer(ada, "c"));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("user"), std::string::npos) << r.body;
    chat(s->port(), ada, "c", json::array({user("still here?")}));
}

TEST_F(fake_server_test, a_person_lists_searches_reads_corrects_and_forgets_their_own_memories_only) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    chat(s->port(), ada, "c1", json::array({user("My sister Zoe moved to Boston in May.")}));
    chat(s->port(), ada, "c2", json::array({user("I adopted a grey cat named Pixel.")}));
    const int port = s->port();

    const auto page = json::parse(path_of_json(port, ada, "GET", "/api/v1/memories?limit=3"));
    ASSERT_EQ(page["items"].size(), 3u);
    EXPECT_EQ(page["items"][0]["role"], "assistant");  // newest first
    const auto rest = json::parse(path_of_json(port, ada, "GET", "/api/v1/memories?before=" + page["next_before"].dump()));
    ASSERT_EQ(rest["items"].size(), 1u);
    const int64_t zoe = rest["items"][0]["id"];
    EXPECT_EQ(rest["items"][0]["text"], "My sister Zoe moved to Boston in May.");

    const auto found = json::parse(path_of_json(port, ada, "GET", "/api/v1/memories/search?q=where%20is%20my%20sister%3F"));
    ASSERT_FALSE(found["items"].empty());
    EXPECT_EQ(found["items"][0]["ids"][0], zoe);
    const std::string item = "/api/v1/memories/" + std::to_string(zoe);
    EXPECT_EQ(json::parse(path_of_json(port, ada, "GET", item))["conversation"], "c1");

    // Bob: nothing of Ada's, by any route.
    EXPECT_TRUE(json::parse(path_of_json(port, bob, "GET", "/api/v1/memories"))["items"].empty());
    EXPECT_TRUE(json::parse(path_of_json(port, bob, "GET", "/api/v1/memories/search?q=sister+Boston"))["items"].empty());
    path_of_json(port, bob, "GET", item, "", 404);
    path_of_json(port, bob, "PATCH", item, R"({"text":"hacked"})", 404);
    path_of_json(port, bob, "DELETE", item, "", 404);

    const auto fixed = json::parse(path_of_json(port, ada, "PATCH", item, R"({"text":"My sister Zoe moved to Denver in May."})"));
    EXPECT_EQ(fixed["text"], "My sister Zoe moved to Denver in May.");
    EXPECT_TRUE(json::parse(path_of_json(port, ada, "GET", "/api/v1/memories/search?q=Boston"))["items"].empty());
    path_of_json(port, ada, "DELETE", item, "", 204);
    path_of_json(port, ada, "GET", item, "", 404);
    EXPECT_TRUE(json::parse(path_of_json(port, ada, "GET", "/api/v1/memories/search?q=Denver+sister+Zoe"))["items"].empty());
    const auto left = turns_of(dir_.file("m") + "/memory.db", "ada");
    for (const auto & t : left) EXPECT_EQ(t.text.find("Zoe"), std::string::npos) << t.text;

    // Bad input: a clear error, and the server goes on.
    path_of_json(port, ada, "GET", "/api/v1/memories?limit=0", "", 400);
    path_of_json(port, ada, "PATCH", "/api/v1/memories/1", "{not json", 400);
    path_of_json(port, ada, "GET", "/api/v1/memories/search", "", 400);
    path_of_json(port, ada, "GET", "/api/v1/memories/abc", "", 404);
    path_of_json(port, ada, "POST", "/api/v1/memories", "", 405);
    EXPECT_EQ(http_request(port, "GET", "/api/v1/memories").status, 401);
}

TEST_F(fake_server_test, a_person_lists_and_reads_back_their_own_conversations_only) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    const int port = s->port();
    chat(port, ada, "walks", json::array({user("We walked by the river.")}));
    chat(port, ada, "cats", json::array({user("Pixel sleeps all day.")}));
    chat(port, ada, "walks", json::array({user("We walked by the river."), {{"role", "assistant"}, {"content", "I hear you."}},
                                          user("Then we had tea.")}));
    chat(port, bob, "bob's own", json::array({user("Bob's secret plan.")}));

    const auto list = get_json(port, ada, "/api/v1/conversations");
    ASSERT_EQ(list["items"].size(), 2u) << list.dump();
    EXPECT_EQ(list["items"][0]["id"], "walks");  // the most recently active first
    EXPECT_EQ(list["items"][0]["turns"], 4);
    EXPECT_EQ(list["items"][0]["last_text"], "I hear you.");
    EXPECT_EQ(list["items"][1]["id"], "cats");
    EXPECT_EQ(get_json(port, ada, "/api/v1/conversations?limit=1")["items"].size(), 1u);

    const auto walks = get_json(port, ada, "/api/v1/conversations/walks");
    ASSERT_EQ(walks["messages"].size(), 4u) << walks.dump();
    EXPECT_EQ(walks["messages"][0]["text"], "We walked by the river.");  // oldest first
    EXPECT_EQ(walks["messages"][2]["text"], "Then we had tea.");
    EXPECT_EQ(walks["messages"][3]["role"], "assistant");
    const auto tail = get_json(port, ada, "/api/v1/conversations/walks?limit=2");
    ASSERT_EQ(tail["messages"].size(), 2u);
    EXPECT_EQ(tail["messages"][0]["text"], "Then we had tea.");
    EXPECT_EQ(get_json(port, bob, "/api/v1/conversations/bob%27s%20own")["messages"][0]["text"], "Bob's secret plan.");

    // Nothing of anyone else's: a name another person uses is no conversation of theirs.
    path_of_json(port, bob, "GET", "/api/v1/conversations/walks", "", 404);
    path_of_json(port, ada, "GET", "/api/v1/conversations/bob%27s%20own", "", 404);
    EXPECT_EQ(get_json(port, bob, "/api/v1/conversations")["items"].size(), 1u);
    path_of_json(port, ada, "GET", "/api/v1/conversations?limit=5000", "", 400);
    EXPECT_EQ(http_request(port, "GET", "/api/v1/conversations").status, 401);
}

TEST_F(fake_server_test, a_person_reads_corrects_and_forgets_their_own_facts_only) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    chat(s->port(), ada, "c", json::array({user("My sister Zoe moved to Boston.")}));
    int64_t fact_id = 0;
    {  // as a distillation would store it (another connection: SQLite serializes the writers)
        auto store = memory::memory_store::open(dir_.file("m") + "/memory.db");
        ASSERT_TRUE(store);
        auto who = (*store)->person("ada", false);
        auto turns = (*store)->turns().list_turns(*who, 0, 10);
        memory::new_fact f;
        f.text = "Her sister Zoe lives in Boston.";
        f.ts = turns->back().ts;
        f.confidence = 0.9;
        f.sources = {turns->back().id};
        auto id = (*store)->facts().add_fact(*who, f);
        ASSERT_TRUE(id) << id.error().message();
        fact_id = *id;
    }
    const int port = s->port();
    const auto list = json::parse(path_of_json(port, ada, "GET", "/api/v1/facts"));
    ASSERT_EQ(list["items"].size(), 1u);
    EXPECT_EQ(list["items"][0]["text"], "Her sister Zoe lives in Boston.");
    EXPECT_EQ(list["items"][0]["sources"].size(), 1u);
    const std::string item = "/api/v1/facts/" + std::to_string(fact_id);
    EXPECT_TRUE(json::parse(path_of_json(port, bob, "GET", "/api/v1/facts"))["items"].empty());
    path_of_json(port, bob, "GET", item, "", 404);
    path_of_json(port, bob, "DELETE", item, "", 404);
    EXPECT_EQ(json::parse(path_of_json(port, ada, "PATCH", item, R"({"text":"Her sister Zoe lives in Denver."})"))["text"],
              "Her sister Zoe lives in Denver.");
    EXPECT_TRUE(json::parse(path_of_json(port, ada, "GET", item))["history"].empty());
    path_of_json(port, ada, "DELETE", item, "", 204);
    EXPECT_TRUE(json::parse(path_of_json(port, ada, "GET", "/api/v1/facts"))["items"].empty());
    path_of_json(port, ada, "GET", "/api/v1/facts/x1", "", 404);
}

// What the background jobs learn (stored here as they would store it) reaches
// the person's routes and prompts, never another's; forgetting the memory it
// came from takes it out of both.
TEST_F(fake_server_test, facts_and_summaries_reach_their_person_only_and_go_with_their_source) {
    server_options so;
    so.distill_every = 0;  // only what this test stores
    auto s = start(so, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    const int port = s->port();
    chat(port, ada, "c", json::array({user("My sister Zoe moved to Boston.")}));
    int64_t source = 0;
    {
        auto store = memory::memory_store::open(dir_.file("m") + "/memory.db");
        ASSERT_TRUE(store);
        auto who = (*store)->person("ada", false);
        auto turns = (*store)->turns().list_turns(*who, 0, 10);
        source = turns->back().id;
        memory::new_fact f;
        f.text = "Her sister Zoe lives in Boston.";
        f.ts = turns->back().ts;
        f.confidence = 0.9;
        f.sources = {source};
        ASSERT_TRUE((*store)->facts().add_fact(*who, f));
        const int64_t session = (*store)->turns().sessions(*who)->front().id;
        ASSERT_TRUE((*store)->summaries().put_summary(*who, session, "Ada told of her sister Zoe's move to Boston.", turns->front().id));
        ASSERT_TRUE((*store)->summaries().put_summary(*who, 0, "Ada paints and misses her sister Zoe.", turns->front().id));
    }
    const auto sums = json::parse(path_of_json(port, ada, "GET", "/api/v1/summaries"));
    EXPECT_EQ(sums["person"], "Ada paints and misses her sister Zoe.");
    ASSERT_EQ(sums["items"].size(), 1u);
    EXPECT_EQ(sums["items"][0]["conversation"], "c");
    const auto none = json::parse(path_of_json(port, bob, "GET", "/api/v1/summaries"));
    EXPECT_TRUE(none["person"].is_null());
    EXPECT_TRUE(none["items"].empty());
    const auto profile = json::parse(path_of_json(port, ada, "GET", "/api/v1/profile"));
    EXPECT_NE(profile["in_prompt"].get<std::string>().find("In short: Ada paints"), std::string::npos) << profile;
    EXPECT_NE(profile["in_prompt"].get<std::string>().find("- Her sister Zoe lives in Boston."), std::string::npos);
    EXPECT_EQ(json::parse(path_of_json(port, bob, "GET", "/api/v1/profile"))["in_prompt"], "");
    const auto found = json::parse(path_of_json(port, ada, "GET", "/api/v1/memories/search?q=sister%20Zoe%20move%20Boston"));
    std::set<std::string> kinds;
    for (const auto & i : found["items"]) kinds.insert(i["kind"].get<std::string>());
    EXPECT_TRUE(kinds.count("fact") && kinds.count("summary") && kinds.count("turn")) << found;
    EXPECT_TRUE(json::parse(path_of_json(port, bob, "GET", "/api/v1/memories/search?q=sister%20Zoe%20move%20Boston"))["items"].empty());

    // A new conversation begins with the portrait and the fact in its core profile.
    const json with = chat(port, ada, "e", json::array({user("Hello")}));
    const json without = chat(port, bob, "e", json::array({user("Hello")}));
    EXPECT_GT(with["usage"]["prompt_tokens"].get<int>(), without["usage"]["prompt_tokens"].get<int>() + 10);
    const std::string before = path_of_json(port, ada, "GET", "/api/v1/export");
    EXPECT_NE(before.find("In short: Ada paints"), std::string::npos);

    // Forgetting a fact that a conversation's profile holds drops that conversation's KV state.
    int64_t other = 0;
    {
        auto store = memory::memory_store::open(dir_.file("m") + "/memory.db");
        auto who = (*store)->person("ada", false);
        memory::new_fact f;
        f.text = "Ada keeps bees on the roof.";
        f.ts = 1780000000;
        f.confidence = 0.9;
        f.sources = {(*store)->turns().list_turns(*who, 0, 1)->front().id};
        other = *(*store)->facts().add_fact(*who, f);
    }
    chat(port, ada, "g", json::array({user("Good evening")}));
    path_of_json(port, ada, "DELETE", "/api/v1/facts/" + std::to_string(other), "", 204);
    EXPECT_FALSE(test::drop_and_wait(*s->backend, {"ada", "g"}));  // already dropped by the route
    EXPECT_TRUE(test::drop_and_wait(*s->backend, {"bob", "e"}));   // another person's state stays

    // Forgetting the source: the fact, both summaries and that profile go, and e's KV state with them.
    path_of_json(port, ada, "DELETE", "/api/v1/memories/" + std::to_string(source), "", 204);
    EXPECT_FALSE(test::drop_and_wait(*s->backend, {"ada", "e"}));
    const std::string after = path_of_json(port, ada, "GET", "/api/v1/export");
    for (const char * gone : {"Ada paints", "Zoe lives in Boston", "Zoe's move", "moved to Boston"}) {
        EXPECT_EQ(after.find(gone), std::string::npos) << gone;
    }
    EXPECT_TRUE(json::parse(path_of_json(port, ada, "GET", "/api/v1/summaries"))["person"].is_null());
}

// Distillation runs in the background after enough new turns, as a request of
// its own; an answer that is not the grammar's JSON is refused (counted, the
// turns kept for later), and replies go on meanwhile.
TEST_F(fake_server_test, facts_are_distilled_in_the_background_without_holding_up_replies) {
    script_ = [](const llm::completion_request & r) {
        return r.key.conversation == companion::distill_conversation() ? std::string("{\"facts\": [") : std::string("I hear you.");
    };
    server_options so;
    so.distill_every = 2;
    auto s = start(so, {}, "m", true);
    const auto ada = *s->users->add("ada");
    chat(s->port(), ada, "c", json::array({user("My sister Zoe moved to Boston in May.")}));
    chat(s->port(), ada, "c", json::array({user("I adopted a grey cat called Pixel.")}));
    EXPECT_EQ(chat(s->port(), ada, "d", json::array({user("Still there?")}))["choices"][0]["message"]["content"], "I hear you.");
    memory::distill_state st;
    ASSERT_TRUE(test::eventually([&] {
        auto store = memory::memory_store::open(dir_.file("m") + "/memory.db");
        auto who = store ? (*store)->person("ada", false) : result<memory::person_id>(store.error());
        auto progress = who ? (*store)->facts().distill_progress(*who) : result<memory::distill_state>(who.error());
        if (progress) st = *progress;
        return progress && st.failures > 0;
    })) << "no distillation ran";
    EXPECT_EQ(st.upto_turn_id, 0);  // refused: the turns wait for the next try
    EXPECT_NE(st.last_error.find("distillation"), std::string::npos) << st.last_error;
    // Its prompt held copies of the turns: no KV state of it stays behind.
    EXPECT_FALSE(test::drop_and_wait(*s->backend, {"ada", companion::distill_conversation()}));
    bool asked = false;
    for (const auto & r : dynamic_cast<test::fake_llm &>(*s->backend).requests()) {
        asked = asked || r.key.conversation == companion::distill_conversation();
    }
    EXPECT_TRUE(asked);
}

TEST_F(fake_server_test, the_core_profile_is_set_by_the_person_and_goes_into_their_prompts) {
    server_options so;
    so.memory.recall_items = 0;  // only the profile differs between the two prompts
    auto s = start(so, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const int port = s->port();
    EXPECT_EQ(json::parse(path_of_json(port, ada, "GET", "/api/v1/profile"))["text"], "");
    path_of_json(port, ada, "PUT", "/api/v1/profile", R"({"text":"Ada paints at night."})");
    EXPECT_EQ(json::parse(path_of_json(port, ada, "GET", "/api/v1/profile"))["text"], "Ada paints at night.");
    path_of_json(port, ada, "PUT", "/api/v1/profile", json{{"text", std::string(3000, 'x')}}.dump(), 400);
    // The profile is in the prompt: more prompt tokens than the same message without it.
    const json with = chat(port, ada, "p1", json::array({user("Hello")}));
    path_of_json(port, ada, "PUT", "/api/v1/profile", R"({"text":""})");
    const json without = chat(port, ada, "p2", json::array({user("Hello")}));
    EXPECT_GT(with["usage"]["prompt_tokens"].get<int>(), without["usage"]["prompt_tokens"].get<int>() + 5);
}

TEST_F(fake_server_test, export_holds_everything_and_erase_leaves_nothing_of_the_person) {
    auto s = start({}, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    const int port = s->port();
    for (int i = 0; i < 3; ++i) chat(port, ada, "c" + std::to_string(i), json::array({user("Note PLANTED" + std::to_string(i) + "Q")}));
    chat(port, bob, "c", json::array({user("Bob was here.")}));
    const std::string tar = path_of_json(port, ada, "GET", "/api/v1/export");
    ASSERT_GT(tar.size(), 1024u);
    EXPECT_EQ(tar.substr(257, 5), "ustar");
    EXPECT_EQ(tar.substr(0, 24), "os1-export/memories.json");
    for (int i = 0; i < 3; ++i) EXPECT_NE(tar.find("PLANTED" + std::to_string(i) + "Q"), std::string::npos);
    EXPECT_NE(tar.find("os1-export/memories.md"), std::string::npos);
    EXPECT_EQ(tar.find("Bob was here."), std::string::npos);

    path_of_json(port, ada, "DELETE", "/api/v1/me", "", 400);  // no confirmation header
    auto h = bearer(ada);
    h["X-OS1-Confirm"] = "erase";
    EXPECT_EQ(http_request(port, "DELETE", "/api/v1/me", "", h).status, 204);
    EXPECT_EQ(http_request(port, "GET", "/api/v1/memories", "", bearer(ada)).status, 401);  // the account went too
    EXPECT_TRUE(turns_of(dir_.file("m") + "/memory.db", "ada").empty());
    EXPECT_EQ(turns_of(dir_.file("m") + "/memory.db", "bob").size(), 2u);
}

}  // namespace
}  // namespace os1::server
