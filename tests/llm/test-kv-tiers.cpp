#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "llm/kv_tier_disk.h"
#include "llm/kv_tier_ram.h"
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
