#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "memory/memory_store.h"
#include "memory/migrations.h"
#include "memory/sqlite_db.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

new_turn make_turn(const std::string & text, const std::string & id = "", int64_t ts = 1700000000) {
    new_turn t;
    t.session = "s1";
    t.ext_id = id;
    t.ts = ts;
    t.speaker = "Ada";
    t.role = role::user;
    t.text = text;
    return t;
}

TEST(memory_store, a_stored_turn_survives_reopening_and_is_found_by_its_words) {
    test::temp_dir d;
    const auto path = d.file("memory.db");
    {
        auto store = memory_store::open(path);
        ASSERT_TRUE(store) << store.error().message();
        auto ada = (*store)->person("ada", true);
        ASSERT_TRUE(ada);
        ASSERT_TRUE((*store)->turns().add_turn(*ada, make_turn("My sister moved to Boston in May.", "t1")));
        ASSERT_TRUE((*store)->turns().add_turn(*ada, make_turn("I adopted a grey cat named Pixel.", "t2")));
    }
    auto store = memory_store::open(path);
    ASSERT_TRUE(store);
    auto ada = (*store)->person("ada", false);
    ASSERT_TRUE(ada);
    auto hits = (*store)->turns().search_turns(*ada, {"sisters", "boston"}, 10);  // stemmed: sisters ~ sister
    ASSERT_TRUE(hits);
    ASSERT_EQ(hits->size(), 1u);
    auto rows = (*store)->turns().turns_by_id(*ada, {hits->front().turn_id});
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().ext_id, "t1");
    EXPECT_TRUE((*store)->check_integrity());
}

TEST(memory_store, schema_is_versioned_and_a_newer_database_is_refused) {
    test::temp_dir d;
    const auto path = d.file("memory.db");
    { ASSERT_TRUE(memory_store::open(path)); }
    {
        auto db = sqlite_db::open(path);
        ASSERT_TRUE(db);
        auto v = schema_version(**db);
        ASSERT_TRUE(v);
        EXPECT_EQ(*v, all_migrations().back().version);
        ASSERT_TRUE((*db)->exec("PRAGMA user_version = 999"));
    }
    auto store = memory_store::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code(), status_code::unsupported);
    EXPECT_NE(store.error().message().find("999"), std::string::npos);
}

TEST(memory_store, one_person_never_sees_anothers_turns) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    auto a = (*store)->person("a", true);
    auto b = (*store)->person("b", true);
    ASSERT_TRUE(a && b);
    auto secret = (*store)->turns().add_turn(*a, make_turn("the canary word is zanzibar"));
    ASSERT_TRUE(secret);
    ASSERT_TRUE((*store)->turns().add_turn(*b, make_turn("I like boats")));
    auto hits = (*store)->turns().search_turns(*b, {"zanzibar", "canary"}, 10);
    ASSERT_TRUE(hits);
    EXPECT_TRUE(hits->empty());
    auto by_id = (*store)->turns().turns_by_id(*b, {*secret});
    ASSERT_TRUE(by_id);
    EXPECT_TRUE(by_id->empty());
    auto nb = (*store)->turns().neighbours(*b, *secret, 3);
    ASSERT_TRUE(nb);
    EXPECT_TRUE(nb->empty());
    auto range = (*store)->turns().turns_between(*b, 0, INT64_MAX, 100);
    ASSERT_TRUE(range);
    ASSERT_EQ(range->size(), 1u);
    EXPECT_EQ(range->front().text, "I like boats");
}

TEST(memory_store, speaker_words_are_the_question_words_that_name_a_speaker_of_this_persons_turns) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    auto a = (*store)->person("a", true);
    auto b = (*store)->person("b", true);
    ASSERT_TRUE(a && b);
    auto t = make_turn("Hi Bob, Grace here");
    t.speaker = "Grace Hopper";
    ASSERT_TRUE((*store)->turns().add_turn(*a, t));
    t.speaker = "Zed";
    ASSERT_TRUE((*store)->turns().add_turn(*b, t));
    auto named = (*store)->turns().speaker_words(*a, {"what", "grace", "bob", "hopper", "zed", "\"*"});
    ASSERT_TRUE(named) << named.error().message();
    // "bob" is only in the text; "zed" speaks only to another person.
    EXPECT_EQ(*named, (std::vector<std::string>{"grace", "hopper"}));
}

TEST(memory_store, bad_turns_are_refused_with_a_reason_and_nothing_is_stored) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    auto a = (*store)->person("a", true);
    ASSERT_TRUE(a);
    auto empty = (*store)->turns().add_turn(*a, make_turn(""));
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code(), status_code::invalid_argument);
    auto huge = (*store)->turns().add_turn(*a, make_turn(std::string(70 * 1024, 'x')));
    ASSERT_FALSE(huge);
    EXPECT_NE(huge.error().message().find("over the limit"), std::string::npos);
    auto bad_utf8 = (*store)->turns().add_turn(*a, make_turn("caf\xc3"));
    ASSERT_FALSE(bad_utf8);
    EXPECT_NE(bad_utf8.error().message().find("UTF-8"), std::string::npos);
    ASSERT_TRUE((*store)->turns().add_turn(*a, make_turn("first", "dup")));
    auto again = (*store)->turns().add_turn(*a, make_turn("second", "dup"));
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message().find("already stored"), std::string::npos);
    auto n = (*store)->turns().count_turns(*a);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1);
}

TEST(memory_store, sql_and_fts_metacharacters_are_only_text) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    auto a = (*store)->person("robert'); DROP TABLE turns;--", true);
    ASSERT_TRUE(a);
    const std::string nasty = "x\" OR 1=1; DROP TABLE people; -- NEAR(a b) * ^col:";
    ASSERT_TRUE((*store)->turns().add_turn(*a, make_turn(nasty)));
    for (const std::string & q : {std::string("\"unbalanced"), std::string("NEAR("), std::string("*"), nasty}) {
        auto hits = (*store)->turns().search_turns(*a, {q}, 10);
        ASSERT_TRUE(hits) << q << ": " << hits.error().message();
    }
    auto rows = (*store)->turns().turns_between(*a, 0, INT64_MAX, 10);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().text, nasty);
}

TEST(memory_store, erasing_a_person_removes_their_rows_and_index_entries_only) {
    test::temp_dir d;
    const auto path = d.file("m.db");
    auto store = memory_store::open(path);
    ASSERT_TRUE(store);
    auto a = (*store)->person("a", true);
    auto b = (*store)->person("b", true);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE((*store)->turns().add_turn(*a, make_turn("plantedstringalpha in the garden")));
    ASSERT_TRUE((*store)->turns().add_turn(*b, make_turn("plantedstringalpha for b too")));
    ASSERT_TRUE((*store)->erase_person(*a));
    EXPECT_FALSE((*store)->person("a", false));
    auto hits = (*store)->turns().search_turns(*b, {"plantedstringalpha"}, 10);
    ASSERT_TRUE(hits);
    EXPECT_EQ(hits->size(), 1u);
    EXPECT_TRUE((*store)->check_integrity());
    // The index holds nothing of a's turn any more.
    auto db = sqlite_db::open(path);
    ASSERT_TRUE(db);
    auto st = (*db)->prepare("SELECT COUNT(*) FROM turns_fts WHERE turns_fts MATCH 'garden'");
    ASSERT_TRUE(st);
    ASSERT_TRUE(st->step());
    EXPECT_EQ(st->int64(0), 0);
}

// A late background job of an erased person writes by id: the id must never be someone else's.
TEST(memory_store, an_erased_persons_id_is_never_given_to_someone_new) {
    test::temp_dir d;
    const auto path = d.file("m.db");
    int64_t old_id = 0;
    {
        auto store = memory_store::open(path);
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->person("first", true));
        auto a = (*store)->person("alice", true);  // the highest id
        ASSERT_TRUE(a);
        old_id = *a;
        ASSERT_TRUE((*store)->erase_person(*a));
        auto again = (*store)->person("alice", true);
        ASSERT_TRUE(again);
        EXPECT_GT(*again, old_id);
        ASSERT_TRUE((*store)->erase_person(*again));
        old_id = *again;
    }
    auto reopened = memory_store::open(path);  // the high mark survives a restart
    ASSERT_TRUE(reopened);
    auto b = (*reopened)->person("bob", true);
    ASSERT_TRUE(b);
    EXPECT_GT(*b, old_id);
}

TEST(memory_store, neighbours_stay_inside_the_session) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    auto a = (*store)->person("a", true);
    ASSERT_TRUE(a);
    auto t1 = make_turn("one");
    auto t2 = make_turn("two");
    auto t3 = make_turn("three");
    t3.session = "s2";
    ASSERT_TRUE((*store)->turns().add_turn(*a, t1));
    auto mid = (*store)->turns().add_turn(*a, t2);
    ASSERT_TRUE(mid);
    ASSERT_TRUE((*store)->turns().add_turn(*a, t3));
    auto nb = (*store)->turns().neighbours(*a, *mid, 1);
    ASSERT_TRUE(nb);
    ASSERT_EQ(nb->size(), 1u);
    EXPECT_EQ(nb->front().text, "one");
}

// Writes of several methods as one: all stored on commit, none without it,
// and the caches (counts, the ranking's view, vectors) follow what was undone.
TEST(memory_store, a_transaction_stores_all_its_writes_or_none_and_the_caches_follow) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("memory.db"));
    ASSERT_TRUE(store) << store.error().message();
    auto & s = **store;
    auto ada = s.person("ada", true);
    ASSERT_TRUE(ada);
    ASSERT_TRUE(s.vectors().use_vector_model("m", 2));
    ASSERT_TRUE(s.turns().add_turn(*ada, make_turn("The lighthouse keeper waved.", "t1")));
    ASSERT_EQ(*s.turns().person_turns_estimate(*ada), 1);
    ASSERT_TRUE(s.vectors().search_vectors(*ada, {1, 0}, 5));  // loads the vectors into memory
    {
        memory_store::transaction txn(s);
        ASSERT_TRUE(txn.begun());
        auto id = s.turns().add_turn(*ada, make_turn("A gull stole my sandwich.", "t2"));
        ASSERT_TRUE(id);
        ASSERT_TRUE(s.vectors().put_vector(*ada, *id, {1, 0}));
        ASSERT_TRUE(s.profiles().set_session_profile(*ada, "s1", "likes the sea"));
        // Inside, the writes are seen.
        EXPECT_EQ(*s.turns().person_turns_estimate(*ada), 2);
        EXPECT_EQ(s.turns().search_turns(*ada, {"gull"}, 5)->size(), 1u);
        EXPECT_EQ(s.vectors().search_vectors(*ada, {1, 0}, 5)->size(), 1u);
    }  // no commit
    EXPECT_EQ(*s.turns().person_turns_estimate(*ada), 1);
    EXPECT_TRUE(s.turns().search_turns(*ada, {"gull"}, 5)->empty());
    EXPECT_TRUE(s.vectors().search_vectors(*ada, {1, 0}, 5)->empty());
    EXPECT_EQ(*s.profiles().session_profile(*ada, "s1"), std::nullopt);
    EXPECT_EQ(s.turns().count_turns(*ada).value(), 1);
    {
        memory_store::transaction txn(s);
        auto id = s.turns().add_turn(*ada, make_turn("A gull stole my sandwich.", "t2"));
        ASSERT_TRUE(id);
        ASSERT_TRUE(s.vectors().put_vector(*ada, *id, {1, 0}));
        // A nested write that fails undoes only itself (add_turn's own transaction).
        EXPECT_FALSE(s.turns().add_turn(*ada, make_turn("again", "t2")));
        ASSERT_TRUE(txn.commit());
    }
    EXPECT_EQ(*s.turns().person_turns_estimate(*ada), 2);
    EXPECT_EQ(s.turns().search_turns(*ada, {"gull"}, 5)->size(), 1u);
    EXPECT_EQ(s.vectors().search_vectors(*ada, {1, 0}, 5)->size(), 1u);
    EXPECT_TRUE(s.turns().search_turns(*ada, {"again"}, 5)->empty());
    EXPECT_TRUE(s.check_integrity());
}

}  // namespace
}  // namespace os1::memory
