// B4 as a test: SIGKILL the server at random moments while several people
// talk; every turn whose reply was acknowledged (HTTP 200 received) is still
// stored with that reply, and the database passes its integrity check.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "cli/cli_test.h"
#include "memory/memory_store.h"

namespace os1::test {
namespace {

using json = nlohmann::json;

struct acknowledged {
    std::string person, message, reply;
};

TEST(cli_durability, sigkill_while_people_talk_loses_no_acknowledged_turn) {
    temp_dir home;
    std::vector<std::pair<std::string, std::string>> people;  // name, token
    for (const char * name : {"ada", "bob", "cy"}) people.push_back({name, os1(home, {"users", "add", name}).out.substr(0, 81)});
    std::mt19937 rng(4471);
    std::vector<acknowledged> acks;
    std::mutex acks_mu;
    // bench/durability.sh runs many more (B4); the test runs a few.
    const char * env = std::getenv("OS1_B4_CYCLES");
    const int cycles = env ? std::max(1, std::atoi(env)) : 4;
    for (int cycle = 0; cycle < cycles; ++cycle) {
        const int port = free_port();
        // Distillation and the feelings probe off: their requests would share the engine and thin out the turns under test.
        auto srv = serve(home, port, {"--kv-disk-gib", "1", "--distill-every", "0", "--feelings", "lexicon"});
        ASSERT_TRUE(wait_healthy(port, 30000)) << srv->err();
        std::atomic<bool> dead{false};
        std::vector<std::thread> clients;
        for (size_t p = 0; p < people.size(); ++p) {
            clients.emplace_back([&, p] {
                for (int i = 0; !dead; ++i) {
                    const std::string msg = "cycle " + std::to_string(cycle) + " turn " + std::to_string(i) + " of " + people[p].first;
                    json body = {{"messages", {{{"role", "user"}, {"content", msg}}}}, {"max_tokens", 3}, {"temperature", 0}};
                    const auto r = http_request(port, "POST", "/v1/chat/completions", body.dump(),
                                                {{"Authorization", "Bearer " + people[p].second},
                                                 {"X-OS1-Conversation", "c" + std::to_string(i % 2)}});
                    if (r.status != 200) continue;
                    const auto j = json::parse(r.body, nullptr, false);
                    if (!j.is_object()) continue;
                    std::lock_guard<std::mutex> lock(acks_mu);
                    acks.push_back({people[p].first, msg, j["choices"][0]["message"]["content"]});
                }
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(400, 1500)(rng)));
        srv->signal(SIGKILL);
        srv->wait(10000);
        dead = true;
        for (auto & c : clients) c.join();
    }
    ASSERT_GT(acks.size(), 10u);  // the servers did answer between kills

    auto store = memory::memory_store::open(home.file("data/os1/memory.db"));
    ASSERT_TRUE(store) << store.error().message();
    const auto integrity = (*store)->check_integrity();
    EXPECT_TRUE(integrity) << integrity.message();
    size_t lost = 0;
    for (const auto & [name, token] : people) {
        auto who = (*store)->person(name, false);
        ASSERT_TRUE(who);
        auto rows = (*store)->turns().list_turns(*who, 0, 100000);
        ASSERT_TRUE(rows);
        // Newest first: a user turn's reply is the row just before it (same conversation).
        for (const auto & a : acks) {
            if (a.person != name) continue;
            bool found = false;
            for (size_t i = 1; i < rows->size() && !found; ++i) {
                const auto & u = (*rows)[i];
                if (u.role != role::user || u.text != a.message) continue;
                for (size_t k = i; k-- > 0;) {
                    const auto & r = (*rows)[k];
                    if (r.session != u.session) continue;
                    found = r.role == role::assistant && r.text == a.reply;
                    break;
                }
            }
            lost += !found;
        }
    }
    EXPECT_EQ(lost, 0u) << "of " << acks.size() << " acknowledged turns";
    std::printf("B4: %d SIGKILL cycles, %zu turns acknowledged, %zu lost, integrity_check %s\n", cycles, acks.size(), lost,
                integrity ? "ok" : "FAILED");
}

}  // namespace
}  // namespace os1::test
