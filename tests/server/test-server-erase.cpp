// Erasing and revoking a person as one ordered step (issue 14, item 3): the
// token stops first, requests in flight are refused, event streams close, and
// nothing of the person is written afterwards; a name given again is someone new.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "memory/memory_store.h"
#include "server/running_server.h"
#include "support/http_client.h"

namespace os1::server {
namespace {

using json = nlohmann::json;
using test::bearer;
using test::eventually;
using test::get_json;
using test::http_request;
using test::say;
using test::fake_server_test;

server_options remembering() {
    server_options so;
    so.distill_every = 0;
    so.feelings = feelings_mode::lexicon;
    so.account_check_ms = 50;
    return so;
}

// How many turns the database holds of NAME (-1: no such person).
int64_t turns_of(const std::string & db, const std::string & name) {
    auto store = memory::memory_store::open(db);
    if (!store) return -2;
    auto who = (*store)->person(name, false);
    if (!who) return -1;
    auto n = (*store)->turns().count_turns(*who);
    return n ? *n : -2;
}

TEST_F(fake_server_test, erase_races_chats_sent_around_the_erase_are_never_stored_after_it) {
    auto s = start(remembering(), {}, "e", true);
    const auto alice = *s->users->add("alice");
    const auto bob = *s->users->add("bob");
    say(s->port(), alice, "My sister lives in Lisbon.");
    say(s->port(), bob, "I keep bees.");

    // Alice keeps talking on four connections while she erases herself.
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::vector<std::future<void>> talkers;
    for (int i = 0; i < 4; ++i) {
        talkers.push_back(std::async(std::launch::async, [&, i] {
            while (!stop) {
                const auto r = http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body("still me", 4),
                                            bearer(alice, "c" + std::to_string(i)));
                if (r.status == 200) ++answered;
                if (r.status == 401) return;  // the token is dead
            }
        }));
    }
    ASSERT_TRUE(eventually([&] { return answered >= 2; }, 60000));
    const auto erased = http_request(s->port(), "DELETE", "/api/v1/me", "", {{"Authorization", "Bearer " + alice},
                                                                             {"X-OS1-Confirm", "erase"}});
    EXPECT_EQ(erased.status, 204) << erased.body;
    for (auto & t : talkers) {
        ASSERT_EQ(t.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    }
    stop = true;
    // Every request that was in flight has ended; nothing of hers came back.
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/memories", "", bearer(alice)).status, 401);
    EXPECT_EQ(turns_of(dir_.file("e") + "/memory.db", "alice"), -1);
    EXPECT_EQ(turns_of(dir_.file("e") + "/memory.db", "bob"), 2);

    // The name given again is someone new, with nothing of the old one.
    const auto alice2 = *s->users->add("alice");
    EXPECT_TRUE(get_json(s->port(), alice2, "/api/v1/memories")["items"].empty());
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/chat/completions", test::chat_body("hello", 2), bearer(alice2)).status, 200);
}

TEST_F(fake_server_test, revocation_ends_the_event_streams_and_a_name_given_again_is_someone_new) {
    auto s = start(remembering(), {}, "r", true);
    const auto alice = *s->users->add("alice");
    say(s->port(), alice, "Remember the blue door.");
    const std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice + "\r\n\r\n";
    auto stream = std::async(std::launch::async, [&] { return test::raw_exchange(s->port(), req, 120000); });
    ASSERT_TRUE(eventually([&] { return s->http->listeners("alice") == 1; }));

    // `os1 users remove` writes the users file from another process; the server notices.
    ASSERT_TRUE(s->users->remove("alice"));
    ASSERT_EQ(stream.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "the old stream stayed open";
    const std::string got = stream.get();
    EXPECT_NE(got.find("text/event-stream"), std::string::npos);
    // Ended, not cut: the chunked stream's last chunk is there (a browser reports a cut one as an error).
    EXPECT_TRUE(got.size() >= 5 && got.compare(got.size() - 5, 5, "0\r\n\r\n") == 0) << got;
    EXPECT_EQ(http_request(s->port(), "GET", "/api/v1/memories", "", bearer(alice)).status, 401);
    ASSERT_TRUE(eventually([&] { return turns_of(dir_.file("r") + "/memory.db", "alice") == -1; }));

    const auto alice2 = *s->users->add("alice");
    EXPECT_TRUE(get_json(s->port(), alice2, "/api/v1/memories")["items"].empty());
    EXPECT_EQ(s->http->listeners("alice"), 0);
}

}  // namespace
}  // namespace os1::server
