// The OS speaking first, over HTTP, on a fake clock: what a message asks for
// is noticed, the scheduler sends it when due (to an open event stream at
// once, else at the next connection), quiet hours and opt-out hold or drop it
// with the reason in the log, and nobody sees another's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "base/clock.h"
#include "server/running_server.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::bearer;
using test::get_json;
using test::http_request;
using test::eventually;
using test::say;
using test::fake_server_test;

constexpr int64_t hour = 3600;
constexpr int64_t wednesday_10h = 1796205600;  // 2026-12-02 10:00 UTC

// Everything an event stream of TOKEN's person receives in MS milliseconds.
std::future<std::string> open_events(int port, const std::string & token, int ms) {
    const std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    return std::async(std::launch::async, [port, req, ms] { return test::raw_exchange(port, req, ms); });
}

json log_of(int port, const std::string & token) { return get_json(port, token, "/api/v1/initiatives")["initiatives"]; }

class initiative_server_test : public fake_server_test {
protected:
    std::unique_ptr<test::running_server> start_at(int64_t t) {
        clock_.set(t);
        server_options so;
        so.clock = &clock_;
        so.initiative_tick_ms = 50;
        so.feelings = feelings_mode::lexicon;
        so.distill_every = 0;
        return start(so, {}, "i", true);
    }
    fake_clock clock_{0};
};

TEST_F(initiative_server_test, a_reminder_is_noticed_then_sent_when_due_to_the_open_stream_and_logged) {
    auto s = start_at(wednesday_10h);
    const std::string ada = *s->users->add("ada"), bob = *s->users->add("bob");
    say(s->port(), ada, "Please remind me to water the plants in 2 hours");
    auto log = log_of(s->port(), ada);
    ASSERT_EQ(log.size(), 1u) << log;
    EXPECT_EQ(log[0]["kind"], "reminder");
    EXPECT_EQ(log[0]["state"], "pending");
    EXPECT_EQ(log[0]["text"], "You asked me to remind you: water the plants in 2 hours.");
    EXPECT_EQ(log[0]["due_at"], wednesday_10h + 2 * hour);
    EXPECT_TRUE(log_of(s->port(), bob).empty());  // bob sees nothing of ada's

    auto ada_stream = open_events(s->port(), ada, 2500);
    auto bob_stream = open_events(s->port(), bob, 2500);
    ASSERT_TRUE(eventually([&] { return s->http->listeners("ada") == 1 && s->http->listeners("bob") == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ticks before it is due send nothing
    EXPECT_EQ(log_of(s->port(), ada)[0]["state"], "pending");
    clock_.advance(2 * hour + 60);
    const std::string got = ada_stream.get();
    EXPECT_NE(got.find("text/event-stream"), std::string::npos) << got;
    EXPECT_NE(got.find("event: initiative\n"), std::string::npos) << got;
    EXPECT_NE(got.find("water the plants"), std::string::npos) << got;
    EXPECT_EQ(bob_stream.get().find("event: initiative"), std::string::npos);
    log = log_of(s->port(), ada);
    EXPECT_EQ(log[0]["state"], "sent");
    EXPECT_FALSE(log[0]["delivered_at"].is_null());
    EXPECT_NE(log[0]["decision"].get<std::string>().find("due"), std::string::npos) << log[0];
    // What the OS said is remembered as its own words.
    const auto memories = get_json(s->port(), ada, "/api/v1/memories");
    EXPECT_NE(memories.dump().find("You asked me to remind you: water the plants"), std::string::npos);
}

TEST_F(initiative_server_test, quiet_hours_hold_a_follow_up_which_waits_for_the_next_connection) {
    auto s = start_at(wednesday_10h);
    const std::string ada = *s->users->add("ada");
    say(s->port(), ada, "I have a job interview tonight at 9pm");
    auto log = log_of(s->port(), ada);
    ASSERT_EQ(log.size(), 1u) << log;
    EXPECT_EQ(log[0]["kind"], "follow_up");
    EXPECT_EQ(log[0]["due_at"], wednesday_10h + 14 * hour);  // three hours after it: midnight
    clock_.advance(14 * hour + 60);                           // 00:01, in the default quiet hours
    ASSERT_TRUE(eventually([&] { return !log_of(s->port(), ada)[0]["decision"].get<std::string>().empty(); }));
    log = log_of(s->port(), ada);
    EXPECT_EQ(log[0]["state"], "pending");
    EXPECT_EQ(log[0]["decision"], "quiet hours until 08:00");
    EXPECT_EQ(log[0]["due_at"], wednesday_10h + 22 * hour);
    clock_.advance(8 * hour);  // 08:01; nobody is connected
    ASSERT_TRUE(eventually([&] { return log_of(s->port(), ada)[0]["state"] == "sent"; }));
    EXPECT_TRUE(log_of(s->port(), ada)[0]["delivered_at"].is_null());
    // The next connection gets it at once.
    const std::string got = open_events(s->port(), ada, 1000).get();
    EXPECT_NE(got.find("How did it go?"), std::string::npos) << got;
    EXPECT_FALSE(log_of(s->port(), ada)[0]["delivered_at"].is_null());
    EXPECT_EQ(open_events(s->port(), ada, 500).get().find("event: initiative"), std::string::npos);  // once only
}

TEST_F(initiative_server_test, the_person_sets_their_limits_and_opting_out_drops_with_the_reason) {
    auto s = start_at(wednesday_10h);
    const std::string ada = *s->users->add("ada");
    auto settings = get_json(s->port(), ada, "/api/v1/initiative/settings");
    EXPECT_EQ(settings["quiet_from"], "22:00");
    EXPECT_EQ(settings["daily_cap"], 2);
    EXPECT_EQ(settings["opted_out"], false);
    const auto put = [&](const std::string & body) {
        return http_request(s->port(), "PUT", "/api/v1/initiative/settings", body, bearer(ada));
    };
    auto r = put(R"({"opted_out": true, "daily_cap": 5, "quiet_from": "23:30"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["quiet_from"], "23:30");
    for (const char * bad : {R"({"quiet_to": "25:00"})", R"({"daily_cap": 99})", R"({"daily_cap": 4294967296})", R"({"utc_offset_minutes": 1.5})", R"({"volume": 3})", R"([1])",
                             R"({"opted_out": "yes"})", "{"}) {
        r = put(bad);
        EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    }
    EXPECT_NE(put(R"({"volume": 3})").body.find("volume"), std::string::npos);
    settings = get_json(s->port(), ada, "/api/v1/initiative/settings");
    EXPECT_EQ(settings["daily_cap"], 5);  // the refused changes changed nothing
    EXPECT_EQ(settings["quiet_to"], "08:00");

    say(s->port(), ada, "I have an exam tomorrow");
    clock_.advance(2 * 24 * hour);
    ASSERT_TRUE(eventually([&] { return log_of(s->port(), ada)[0]["state"] == "dropped"; }));
    EXPECT_EQ(log_of(s->port(), ada)[0]["decision"], "the person has opted out of the OS speaking first");
    EXPECT_EQ(open_events(s->port(), ada, 300).get().find("event: initiative"), std::string::npos);
}

TEST_F(fake_server_test, without_initiative_the_routes_say_so) {
    server_options so;
    so.initiative = false;
    auto s = start(so, {}, "n", true);
    const std::string ada = *s->users->add("ada");
    const auto r = http_request(s->port(), "GET", "/api/v1/events", "", bearer(ada));
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("--no-initiative"), std::string::npos) << r.body;
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/initiatives", "").status, 401);
}

}  // namespace
}  // namespace os1::server
