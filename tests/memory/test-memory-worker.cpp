#include <gtest/gtest.h>

#include "memory/memory_worker.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

TEST(memory_worker, jobs_run_in_order_on_one_thread_and_all_run_before_it_goes) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    std::vector<int> order;
    std::thread::id worker_thread;
    {
        memory_worker w(std::move(*store));
        for (int i = 0; i < 250; ++i) {  // past the point where it merges the index when idle
            w.post([&, i](memory_store & s) {
                worker_thread = std::this_thread::get_id();
                new_turn t;
                t.session = "s";
                t.ts = 1780000000 + i;
                t.speaker = "ada";
                t.role = role::user;
                t.text = "turn " + std::to_string(i);
                auto who = s.person("ada", true);
                ASSERT_TRUE(who && s.turns().add_turn(*who, t));
                order.push_back(i);
            });
        }
        const auto n = w.call([](memory_store & s) { return *s.turns().count_turns(*s.person("ada", false)); });
        EXPECT_EQ(n, 250);
        w.post([](memory_store &) { throw std::runtime_error("a failing job"); });  // logged; the worker goes on
        w.post([&](memory_store &) { order.push_back(-1); });
    }
    ASSERT_EQ(order.size(), 251u);
    for (int i = 0; i < 250; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
    EXPECT_EQ(order.back(), -1);
    EXPECT_NE(worker_thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace os1::memory
