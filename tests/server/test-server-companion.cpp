// The companion layer over HTTP (over the scripted fake engine): the persona
// routes, and the honest status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "companion/emotion.h"
#include "companion/onboarding.h"
#include "memory/memory_store.h"
#include "server/presence.h"
#include "server/running_server.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::bearer;
using test::http_request;
using test::get_json;
using test::say;
using test::server_test;
using test::fake_server_test;
TEST_F(fake_server_test, the_person_can_rename_the_os_read_the_history_and_roll_back) {
    onboarding_ = true;
    auto s = start({}, {}, "m", true);
    const auto token = *s->users->add("ada");
    EXPECT_EQ(say(s->port(), token, "hello"), companion::interview_questions()[0]);
    EXPECT_NE(say(s->port(), token, "skip").find("All right"), std::string::npos);
    const std::string chosen = get_json(s->port(), token, "/api/v1/persona")["name"];

    auto r = http_request(s->port(), "PUT", "/api/v1/persona", R"({"name": "Kit"})", bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["diff"], "name: " + chosen + " -> Kit");
    const json history = get_json(s->port(), token, "/api/v1/persona/history");
    ASSERT_EQ(history["versions"].size(), 2u);
    EXPECT_EQ(history["versions"][0]["source"], "rename");
    EXPECT_EQ(history["versions"][1]["source"], "onboarding");

    r = http_request(s->port(), "POST", "/api/v1/persona/rollback", R"({"version": 1})", bearer(token));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["name"], chosen);
    EXPECT_EQ(json::parse(r.body)["version"], 3);
    EXPECT_EQ(get_json(s->port(), token, "/api/v1/persona")["name"], chosen);

    // Bad requests name the problem; nothing changes.
    EXPECT_EQ(http_request(s->port(), "PUT", "/api/v1/persona", R"({"name": ""})", bearer(token)).status, 400);
    EXPECT_EQ(http_request(s->port(), "PUT", "/api/v1/persona", "{not json", bearer(token)).status, 400);
    EXPECT_EQ(http_request(s->port(), "POST", "/api/v1/persona/rollback", R"({"version": 99})", bearer(token)).status, 404);
    EXPECT_EQ(http_request(s->port(), "POST", "/api/v1/persona/rollback", R"({"version": "1"})", bearer(token)).status, 400);
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/persona/history?limit=0", "", bearer(token)).status, 400);
    EXPECT_EQ(http_request(s->port(), "DELETE", "/api/v1/persona", "", bearer(token)).status, 405);
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/persona", "", bearer("os1_wrong")).status, 401);
    EXPECT_EQ(get_json(s->port(), token, "/api/v1/persona/history")["versions"].size(), 3u);
}

TEST_F(fake_server_test, the_status_counts_the_people_talking_now_and_the_conversations_held) {
    auto s = start();
    std::vector<std::string> tokens;
    for (const char * who : {"ann", "bob", "cy"}) tokens.push_back(*s->users->add(who));
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/status").status, 401);
    json st = get_json(s->port(), tokens[0], "/api/v1/status");
    EXPECT_EQ(st["people_talking_now"], 0);
    EXPECT_EQ(st["conversations_held"], 0);

    // Three people, two conversations each, all at once; a watcher reads the status meanwhile.
    std::atomic<bool> done{false};
    std::atomic<int> most_seen{0};
    std::thread watcher([&] {
        while (!done) {
            const auto r = http_request(s->port(), "GET", "/api/v1/status", "", bearer(tokens[0]));
            const int n = json::parse(r.body, nullptr, false).value("people_talking_now", -1);
            if (n > most_seen) most_seen = n;
            EXPECT_LE(n, 3);
        }
    });
    std::vector<std::thread> people;
    for (const auto & t : tokens) {
        people.emplace_back([&, t] {
            for (const char * c : {"c1", "c2"}) say(s->port(), t, "Tell me a story", true, c);
        });
    }
    for (auto & p : people) p.join();
    done = true;
    watcher.join();
    EXPECT_GE(most_seen.load(), 1);
    st = get_json(s->port(), tokens[1], "/api/v1/status");
    EXPECT_EQ(st["people_talking_now"], 3);  // each spoke within the window
    EXPECT_EQ(st["conversations_held"], 6);
    EXPECT_EQ(st["conversations"]["resident"].get<int>() + st["conversations"]["in_ram"].get<int>() +
                  st["conversations"]["on_disk"].get<int>(),
              6);
    EXPECT_EQ(st["requests_in_flight"], 0);
    EXPECT_EQ(st["talking_window_s"], 300);
    EXPECT_EQ(http_request(s->port(), "POST", "/api/v1/status", "", bearer(tokens[0])).status, 405);
}

TEST_F(fake_server_test, asked_how_many_people_it_talks_with_the_os_is_given_the_true_figures) {
    auto s = start({}, {}, "m", true);
    const auto ann = *s->users->add("ann");
    const auto bob = *s->users->add("bob");
    say(s->port(), ann, "Hello");
    say(s->port(), bob, "Good morning");
    say(s->port(), ann, "How many people are you talking to right now?");
    say(s->port(), ann, "Nice weather today.");
    auto store = memory::memory_store::open(dir_.file("m") + "/memory.db");
    ASSERT_TRUE(store);
    auto who = (*store)->person("ann", false);
    ASSERT_TRUE(who);
    auto turns = (*store)->turns().list_turns(*who, 0, 10);
    ASSERT_TRUE(turns);
    ASSERT_EQ(turns->size(), 6u);  // newest first
    ASSERT_EQ((*turns)[3].text, "How many people are you talking to right now?");
    EXPECT_NE((*turns)[3].recalled.find("you are talking with 2 people (this person among them) and hold 2 conversations"),
              std::string::npos)
        << (*turns)[3].recalled;
    EXPECT_EQ((*turns)[1].recalled.find("Live figures"), std::string::npos);  // only when asked
}

TEST_F(fake_server_test, with_the_word_list_only_the_reading_stays_the_word_lists) {
    server::server_options so;
    so.feelings = feelings_mode::lexicon;
    auto s = start(so, {}, "m", true);
    const auto ada = *s->users->add("ada");
    say(s->port(), ada, "I'm so happy today!");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const json mood = get_json(s->port(), ada, "/api/v1/mood?days=1");
    ASSERT_EQ(mood["readings"].size(), 1u);
    EXPECT_EQ(mood["readings"][0]["source"], "lexicon");
    EXPECT_EQ(mood["readings"][0]["label"], "joy");
    EXPECT_EQ(mood["days"][0]["label"], "joy");
}

TEST(presence, counts_people_in_flight_or_seen_within_the_window_once_each) {
    presence p(std::chrono::seconds(60));
    const auto t0 = presence::clock::now();
    p.begin("ann", t0);
    p.begin("ann", t0);  // two requests of one person
    p.begin("bob", t0);
    EXPECT_EQ(p.talking_now(t0), 2u);
    p.end("bob", t0);
    EXPECT_EQ(p.talking_now(t0 + std::chrono::seconds(59)), 2u);
    EXPECT_EQ(p.talking_now(t0 + std::chrono::seconds(61)), 1u);  // bob went quiet; ann is still waiting
    p.end("ann", t0 + std::chrono::seconds(70));
    EXPECT_EQ(p.talking_now(t0 + std::chrono::seconds(100)), 1u);  // one request is still in flight
    p.end("ann", t0 + std::chrono::seconds(100));
    EXPECT_EQ(p.talking_now(t0 + std::chrono::seconds(159)), 1u);
    EXPECT_EQ(p.talking_now(t0 + std::chrono::seconds(161)), 0u);
    p.end("nobody", t0);  // an end without a begin changes nothing
    EXPECT_EQ(p.talking_now(t0 + std::chrono::seconds(161)), 0u);
}

}  // namespace
}  // namespace os1::server
