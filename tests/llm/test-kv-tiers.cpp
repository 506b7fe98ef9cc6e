#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "llm/kv_tier_disk.h"
#include "llm/kv_tier_ram.h"
#include "llm/prefill_order.h"
#include "llm/stop_matcher.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

kv_saved_state state(const std::string & person, const std::string & conv, size_t n_bytes, uint8_t fill = 7) {
    kv_saved_state s;
    s.key = {person, conv};
    s.tokens = {1, 2, 3, 4};
    s.prefix_id = "*:abc";
    s.prefix_len = 2;
    s.bytes.assign(n_bytes, fill);
    return s;
}

TEST(kv_state, round_trip_and_damage_detection) {
    const auto s = state("p", "c", 1000);
    const std::string data = encode_kv_state(s);
    auto back = decode_kv_state(data);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->key, s.key);
    EXPECT_EQ(back->tokens, s.tokens);
    EXPECT_EQ(back->prefix_id, s.prefix_id);
    EXPECT_EQ(back->prefix_len, 2);
    EXPECT_EQ(back->bytes, s.bytes);
    for (size_t cut : {size_t(0), size_t(7), size_t(40), data.size() - 1}) {
        EXPECT_FALSE(decode_kv_state(data.substr(0, cut))) << cut;
    }
    std::string bad = data;
    bad[bad.size() - 2] = 'x';
    EXPECT_FALSE(decode_kv_state(bad));
    EXPECT_FALSE(decode_kv_state(data + "extra"));
}

// A sequence state as llama.cpp lays it out: [magic][seq][n_stream][per stream: count, cells].
std::vector<uint8_t> seq_state(uint32_t n_stream, uint32_t at, const std::vector<uint8_t> & cells, uint32_t seq = 5) {
    std::vector<uint8_t> out;
    const auto put = [&](uint32_t v) { out.insert(out.end(), reinterpret_cast<uint8_t *>(&v), reinterpret_cast<uint8_t *>(&v) + 4); };
    put(0xaf143cd8);
    put(seq);
    put(n_stream);
    for (uint32_t s = 0; s < n_stream; ++s) {
        if (s != at) {
            put(0);
            continue;
        }
        put(3);  // three cells
        out.insert(out.end(), cells.begin(), cells.end());
    }
    return out;
}

TEST(kv_state, states_are_kept_in_one_stream_form) {
    const std::vector<uint8_t> cells = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    for (uint32_t at : {0u, 3u, 7u}) {
        auto st = seq_state(8, at, cells);
        ASSERT_TRUE(to_one_stream(st)) << at;
        EXPECT_EQ(st, seq_state(1, 0, cells)) << at;
        auto again = st;
        ASSERT_TRUE(to_one_stream(again));  // already in that form
        EXPECT_EQ(again, st);
        auto wide = st;
        widen_to_streams(wide, 4);
        EXPECT_EQ(wide, seq_state(4, 0, cells));
        narrow_to_one_stream(wide, 4);
        EXPECT_EQ(wide, st);
    }
    {   // in place: a state of 8 streams made one-stream is widened again in its own buffer
        auto st = seq_state(8, 5, cells);
        const uint8_t * buffer = st.data();
        ASSERT_TRUE(to_one_stream(st));
        widen_to_streams(st, 8);
        EXPECT_EQ(st.data(), buffer);
        EXPECT_EQ(st, seq_state(8, 0, cells));
    }
    auto empty = seq_state(4, 99, {});
    ASSERT_TRUE(to_one_stream(empty));
    EXPECT_EQ(empty, seq_state(1, 99, {}));

    // Not a state llama.cpp wrote: refused, never read past the end.
    auto two = seq_state(4, 1, cells);
    two[two.size() - 1] = 1;  // a second stream with cells
    EXPECT_FALSE(to_one_stream(two));
    auto bad_magic = seq_state(2, 0, cells);
    bad_magic[0] ^= 1;
    EXPECT_FALSE(to_one_stream(bad_magic));
    auto full = seq_state(8, 2, cells);
    for (size_t cut = 0; cut < 24; ++cut) {
        auto st = std::vector<uint8_t>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_FALSE(to_one_stream(st)) << cut;
    }
    auto huge = seq_state(2, 0, cells);
    huge[8] = 0xff;  // n_stream far beyond the data
    EXPECT_FALSE(to_one_stream(huge));
}

TEST(kv_tier_ram, least_recently_used_leaves_first) {
    const uint64_t one = state("p", "a", 1000).size_bytes();
    kv_tier_ram ram(one * 2);
    EXPECT_TRUE(ram.put(state("p", "a", 1000)).empty());
    EXPECT_TRUE(ram.put(state("p", "b", 1000)).empty());
    auto out = ram.put(state("p", "c", 1000));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].key.conversation, "a");
    EXPECT_EQ(ram.count(), 2u);
    EXPECT_TRUE(ram.take({"p", "b"}));
    EXPECT_FALSE(ram.take({"p", "b"}));
    EXPECT_EQ(ram.bytes(), one);
    ram.erase_person("p");
    EXPECT_EQ(ram.count(), 0u);
    EXPECT_EQ(ram.bytes(), 0u);
    auto too_big = ram.put(state("p", "huge", 10000));
    EXPECT_EQ(too_big.size(), 1u);  // larger than the whole budget: straight through
}

TEST(kv_tier_ram, a_background_jobs_state_is_kept_but_not_counted_as_a_conversation) {
    kv_tier_ram ram(1 << 20);
    ram.put(state("p", "a", 100));
    ram.put(state("p", "\x01" "distill", 100));
    ram.put(state("q", "\x01" "emotion", 100));
    EXPECT_EQ(ram.count(), 3u);
    EXPECT_EQ(ram.conversations(), 1u);
    EXPECT_TRUE(ram.take({"p", "\x01" "distill"}));
    EXPECT_EQ(ram.conversations(), 1u);
    ram.erase_person("q");
    EXPECT_EQ(ram.count(), 1u);
    EXPECT_EQ(ram.conversations(), 1u);
    ram.put(state("p", "\x01" "persona", 100));
    ram.drain();
    ram.put(state("p", "b", 100));
    EXPECT_EQ(ram.conversations(), 1u);  // the count starts again from nothing after a drain
}

TEST(kv_tier_disk, states_survive_a_restart_and_keys_are_checked) {
    test::temp_dir d;
    {
        kv_tier_disk disk(d.file("kv"), 1 << 20);
        ASSERT_TRUE(disk.open());
        disk.put_async(state("alice", "c1", 5000, 1));
        disk.put_async(state("bob", "c1", 5000, 2));
        auto early = disk.load({"alice", "c1"});  // found while (or after) it is written
        ASSERT_TRUE(early);
        disk.flush();
        EXPECT_EQ(disk.count(), 2u);
    }
    kv_tier_disk disk(d.file("kv"), 1 << 20);
    ASSERT_TRUE(disk.open());
    EXPECT_EQ(disk.count(), 2u);
    auto a = disk.load({"alice", "c1"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->bytes[0], 1);
    auto b = disk.load({"bob", "c1"});
    ASSERT_TRUE(b);
    EXPECT_EQ(b->bytes[0], 2);
    EXPECT_EQ(disk.load({"carol", "c1"}).error().code(), status_code::not_found);
}

TEST(kv_tier_disk, the_newest_state_of_a_conversation_is_the_one_kept) {
    // States put while an older one of the same conversation is being written
    // must not be lost when that write ends.
    test::temp_dir d;
    {
        kv_tier_disk disk(d.file("kv"), 64 << 20);
        ASSERT_TRUE(disk.open());
        for (int i = 1; i <= 40; ++i) {
            disk.put_async(state("p", "c", 1 << 20, static_cast<uint8_t>(i)));
            auto now = disk.load({"p", "c"});
            ASSERT_TRUE(now);
            EXPECT_EQ(now->bytes[0], i);
        }
        disk.flush();
    }
    kv_tier_disk disk(d.file("kv"), 64 << 20);
    ASSERT_TRUE(disk.open());
    auto last = disk.load({"p", "c"});
    ASSERT_TRUE(last);
    EXPECT_EQ(last->bytes[0], 40);
}

TEST(kv_tier_disk, budget_deletes_the_oldest) {
    test::temp_dir d;
    const uint64_t one = encode_kv_state(state("p", "a", 10000)).size();
    kv_tier_disk disk(d.file("kv"), one * 2 + 10);
    ASSERT_TRUE(disk.open());
    for (const char * c : {"a", "b", "c"}) {
        disk.put_async(state("p", c, 10000));
        disk.flush();
    }
    EXPECT_EQ(disk.count(), 2u);
    EXPECT_FALSE(disk.contains({"p", "a"}));
    EXPECT_TRUE(disk.contains({"p", "c"}));
    EXPECT_LE(disk.bytes(), one * 2 + 10);
}

TEST(kv_tier_disk, a_damaged_file_is_dropped_not_loaded) {
    test::temp_dir d;
    kv_tier_disk disk(d.file("kv"), 1 << 20);
    ASSERT_TRUE(disk.open());
    disk.put_async(state("p", "a", 3000));
    disk.flush();
    const std::string path = disk.path_for({"p", "a"});
    ASSERT_TRUE(write_file_atomic(path, read_file(path)->substr(0, 100)));
    EXPECT_EQ(disk.load({"p", "a"}).error().code(), status_code::not_found);
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(kv_tier_disk, erase_person_removes_only_theirs) {
    test::temp_dir d;
    kv_tier_disk disk(d.file("kv"), 1 << 20);
    ASSERT_TRUE(disk.open());
    disk.put_async(state("alice", "1", 100));
    disk.put_async(state("alice", "2", 100));
    disk.put_async(state("bob", "1", 100));
    disk.erase_person("alice");
    EXPECT_FALSE(disk.contains({"alice", "1"}));
    EXPECT_FALSE(disk.contains({"alice", "2"}));
    EXPECT_TRUE(disk.contains({"bob", "1"}));
    disk.erase({"bob", "1"});
    EXPECT_EQ(disk.count(), 0u);
}

TEST(stop_matcher, holds_back_possible_starts_and_cuts_at_the_stop) {
    stop_matcher m({"END", "\n\n"});
    EXPECT_EQ(m.push("hello E"), "hello ");
    EXPECT_EQ(m.push("N"), "");
    EXPECT_EQ(m.push("X more"), "ENX more");
    EXPECT_EQ(m.push(" text\n"), " text");
    EXPECT_EQ(m.push("\nignored"), "");
    EXPECT_TRUE(m.stopped());
    EXPECT_EQ(m.flush(), "");
    stop_matcher none({});
    EXPECT_EQ(none.push("abc"), "abc");
    stop_matcher tail({"xyz"});
    EXPECT_EQ(tail.push("abx"), "ab");
    EXPECT_EQ(tail.flush(), "x");
}

}  // namespace
}  // namespace os1::llm

namespace os1::llm {
namespace {

TEST(prefill_order, shortest_first_unless_one_waited_too_long) {
    const auto now = std::chrono::steady_clock::now();
    const auto ago = [&](int ms) { return now - std::chrono::milliseconds(ms); };
    const std::chrono::milliseconds patience(10000);
    // A newcomer's 3,000 tokens came first; two returning turns of 350 and 120 after it.
    std::vector<waiting_prompt> p = {{3000, ago(900), 1}, {350, ago(500), 2}, {120, ago(100), 3}};
    EXPECT_EQ(prefill_order(p, now, patience), (std::vector<size_t>{2, 1, 0}));
    p[1].left = 120;  // a tie goes by admission order
    EXPECT_EQ(prefill_order(p, now, patience), (std::vector<size_t>{1, 2, 0}));
    p[0].submitted = ago(12000);  // the long one has waited long enough: it goes first
    EXPECT_EQ(prefill_order(p, now, patience), (std::vector<size_t>{0, 1, 2}));
    p[2].submitted = ago(15000);  // two late ones: in admission order
    EXPECT_EQ(prefill_order(p, now, patience), (std::vector<size_t>{0, 2, 1}));
    EXPECT_TRUE(prefill_order({}, now, patience).empty());
}

}  // namespace
}  // namespace os1::llm
