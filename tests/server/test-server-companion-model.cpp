// The companion layer over HTTP with a real model: the first-run interview and
// the OS naming itself under the grammar, and feelings the model reads.
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
TEST_F(server_test, a_new_person_is_interviewed_the_os_names_itself_and_the_name_survives_a_restart) {
    onboarding_ = true;
    const auto & q = companion::interview_questions();
    std::string token, name;
    {
        auto s = start({}, {}, "m", true);
        token = *s->users->add("theo");
        EXPECT_EQ(say(s->port(), token, "Hello?"), q[0]);
        EXPECT_EQ(say(s->port(), token, "I write letters for other people.", /*stream=*/true), q[1]);
        EXPECT_EQ(say(s->port(), token, "Company in the evenings."), q[2]);
        const std::string intro = say(s->port(), token, "Gently.");
        const std::string marker = "I'd like to be called ";
        const size_t at = intro.find(marker);
        ASSERT_NE(at, std::string::npos) << intro;
        const json p = get_json(s->port(), token, "/api/v1/persona");
        name = p["name"];
        EXPECT_EQ(intro.substr(at + marker.size(), name.size() + 1), name + ".");
        EXPECT_EQ(p["version"], 1);
        EXPECT_EQ(p["source"], "onboarding");
        EXPECT_EQ(p["onboarding"], "done");
        // The grammar's name: a capitalized word or two.
        ASSERT_GE(name.size(), 2u);
        EXPECT_TRUE(name[0] >= 'A' && name[0] <= 'Z') << name;
        const json profile = get_json(s->port(), token, "/api/v1/profile");
        EXPECT_NE(profile["text"].get<std::string>().find("How they describe themselves: I write letters"), std::string::npos);
    }
    auto s = start({}, {}, "m", true);  // a restart
    EXPECT_EQ(get_json(s->port(), token, "/api/v1/persona")["name"], name);
    const std::string reply = say(s->port(), token, "What shall we do today?");
    for (const auto & question : q) EXPECT_NE(reply, question);  // the model answers now
    // Another person starts their own interview; Theo's persona is not theirs.
    const auto ann = *s->users->add("ann");
    EXPECT_EQ(say(s->port(), ann, "hi"), q[0]);
    EXPECT_EQ(get_json(s->port(), ann, "/api/v1/persona")["version"], 0);
    EXPECT_EQ(get_json(s->port(), ann, "/api/v1/persona/history")["versions"].size(), 0u);
}

TEST_F(server_test, every_message_gets_a_reading_the_model_replaces_it_and_the_mood_route_draws_the_series) {
    server::server_options so;
    so.feelings = feelings_mode::model;  // the tiny model's readings are noise, but they follow the grammar
    auto s = start(so, {}, "m", true);
    const auto ada = *s->users->add("ada");
    const auto bob = *s->users->add("bob");
    say(s->port(), ada, "I'm so sad today, my cat died.");
    // The word list's reading is stored with the message; the model's replaces it in the background.
    json mood;
    for (int i = 0; i < 100; ++i) {
        mood = get_json(s->port(), ada, "/api/v1/mood?days=7");
        if (!mood["readings"].empty() && mood["readings"][0]["source"] == "model") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(mood["readings"].size(), 1u) << mood.dump();
    EXPECT_EQ(mood["readings"][0]["source"], "model");
    const auto & labels = companion::emotion_labels();
    EXPECT_NE(std::find(labels.begin(), labels.end(), mood["readings"][0]["label"].get<std::string>()), labels.end());
    ASSERT_EQ(mood["days"].size(), 7u);
    EXPECT_EQ(mood["days"][6]["messages"], 1);
    EXPECT_TRUE(mood["days"][0]["valence"].is_null());
    EXPECT_EQ(mood["sparkline"].get<std::string>().substr(0, 12), "······");  // six silent days, 2 bytes each
    // Bob sees only his own (none); bad requests are refused.
    EXPECT_EQ(get_json(s->port(), bob, "/api/v1/mood")["readings"].size(), 0u);
    EXPECT_EQ(get_json(s->port(), bob, "/api/v1/mood")["days"].size(), 30u);
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/mood?days=0", "", bearer(ada)).status, 400);
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/mood?days=400", "", bearer(ada)).status, 400);
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/mood", "", bearer("os1_nope")).status, 401);
}

}  // namespace
}  // namespace os1::server
