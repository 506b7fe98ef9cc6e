// The turns recall ranks are held in memory (turn_briefs): whatever changes the
// database, through this connection or another, what is held must say what SQL says.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "memory/memory_store.h"
#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"
#include "memory/recall.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

class turn_briefs_test : public ::testing::Test {
protected:
    void SetUp() override { store = open(); }
    std::unique_ptr<memory_store> open(size_t brief_turns = 2'000'000) {
        store_limits l;
        l.brief_turns = brief_turns;
        auto s = memory_store::open(dir.file("m.db"), l);
        EXPECT_TRUE(s) << s.error().message();
        return s ? std::move(*s) : nullptr;
    }
    person_id person(memory_store & s, const std::string & name) {
        auto p = s.person(name, true);
        EXPECT_TRUE(p);
        return p ? *p : 0;
    }
    static new_turn turn(const std::string & session, int64_t ts, const std::string & text, const std::string & ext = "") {
        new_turn t;
        t.session = session;
        t.ts = ts;
        t.speaker = ts % 2 ? "OS1" : "Ada";
        t.role = ts % 2 ? role::assistant : role::user;
        t.text = text;
        t.ext_id = ext;
        return t;
    }
    static std::string brief_of(const turn_record & t) {
        return std::to_string(t.id) + "/" + std::to_string(t.session_id) + "/" + std::to_string(t.ts) + "/" + t.speaker + "/" +
               role_name(t.role) + "/" + t.ext_id;
    }
    static std::vector<std::string> briefs(const result<std::vector<turn_record>> & r) {
        EXPECT_TRUE(r) << r.error().message();
        std::vector<std::string> out;
        if (r) {
            for (const auto & t : *r) out.push_back(brief_of(t));
        }
        return out;
    }
    // Every turn id up to MAX_ID: the held answers equal SQL's, for WHO.
    void expect_same_as_sql(memory_store & s, person_id who, int64_t max_id) {
        std::vector<int64_t> all;
        for (int64_t id = 1; id <= max_id; ++id) all.push_back(id);
        EXPECT_EQ(briefs(s.turns().turns_by_id(who, all, true)), briefs(s.turns().turns_by_id(who, all, false)));
        for (int64_t id = 1; id <= max_id; ++id) {
            EXPECT_EQ(briefs(s.turns().neighbours(who, id, 2, true)), briefs(s.turns().neighbours(who, id, 2, false))) << "turn " << id;
        }
        auto rows = s.turns().turns_by_id(who, all, false);
        ASSERT_TRUE(rows);
        std::map<int64_t, std::vector<std::string>> sessions;
        for (const auto & t : *rows) sessions[t.session_id].push_back(brief_of(t));
        for (const auto & [id, turns] : sessions) EXPECT_EQ(briefs(s.turns().session_turn_ids(who, id)), turns) << "session " << id;
    }
    int64_t newest(memory_store & s, person_id who) {
        auto l = s.turns().list_turns(who, 0, 1);
        EXPECT_TRUE(l);
        return l && !l->empty() ? l->front().id : 0;
    }
    test::temp_dir dir;
    std::unique_ptr<memory_store> store;
};

TEST_F(turn_briefs_test, follow_this_connections_writes_edits_and_forgetting) {
    const auto ada = person(*store, "ada"), bob = person(*store, "bob");
    for (int i = 0; i < 12; ++i) {
        // Two conversations of Ada's interleaved, and Bob's between them.
        ASSERT_TRUE(store->turns().add_turn(ada, turn(i % 2 ? "phone" : "web", 1000 + i, "ada says cello " + std::to_string(i))));
        ASSERT_TRUE(store->turns().add_turn(bob, turn("b", 1000 + i, "bob says cello " + std::to_string(i))));
    }
    int64_t max_id = newest(*store, bob);
    expect_same_as_sql(*store, ada, max_id);  // loads Ada's
    expect_same_as_sql(*store, bob, max_id);
    ASSERT_TRUE(store->turns().add_turn(ada, turn("web", 2000, "a late cello word", "late")));
    max_id = newest(*store, ada);
    ASSERT_TRUE(store->turns().forget_turn(ada, 3));
    ASSERT_TRUE(store->turns().edit_turn(ada, 5, "corrected cello"));
    ASSERT_TRUE(store->erase_person(bob));
    expect_same_as_sql(*store, ada, max_id);
    expect_same_as_sql(*store, bob, max_id);
    auto hits = store->turns().search_turns(ada, {"cello"}, 100);
    ASSERT_TRUE(hits);
    EXPECT_EQ(hits->size(), 12u);  // 12 + the late one - the forgotten one
    for (const auto & h : *hits) EXPECT_NE(h.turn_id, 3);
}

TEST_F(turn_briefs_test, follow_another_connections_writes) {
    const auto ada = person(*store, "ada");
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(store->turns().add_turn(ada, turn("s", 1000 + i, "cello " + std::to_string(i))));
    expect_same_as_sql(*store, ada, 6);
    auto other = open();  // os1 memory forget while os1 serve runs
    ASSERT_TRUE(other->turns().forget_turn(ada, 2));
    ASSERT_TRUE(other->turns().add_turn(ada, turn("s", 2000, "cello again")));
    expect_same_as_sql(*store, ada, 7);
    auto hits = store->turns().search_turns(ada, {"cello"}, 100);
    ASSERT_TRUE(hits);
    EXPECT_EQ(hits->size(), 6u);
}

TEST_F(turn_briefs_test, a_batch_undone_is_not_held) {
    const auto ada = person(*store, "ada");
    ASSERT_TRUE(store->turns().add_turn(ada, turn("s", 1000, "cello one", "one")));
    expect_same_as_sql(*store, ada, 1);
    // The second turn's id is taken: the whole batch is rolled back.
    ASSERT_FALSE(store->turns().add_turns(ada, {turn("s", 1001, "cello two", "two"), turn("s", 1002, "cello three", "one")}));
    expect_same_as_sql(*store, ada, 3);
    auto got = store->turns().turns_by_id(ada, {1, 2, 3}, true);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->size(), 1u);
}

TEST_F(turn_briefs_test, many_people_over_the_limit_each_still_answers_right) {
    store = open(/*brief_turns=*/10);
    std::vector<person_id> people;
    for (int p = 0; p < 5; ++p) {
        people.push_back(person(*store, "p" + std::to_string(p)));
        for (int i = 0; i < 6; ++i) ASSERT_TRUE(store->turns().add_turn(people.back(), turn("s", 1000 + i, "cello " + std::to_string(i))));
    }
    for (int round = 0; round < 2; ++round) {
        for (const auto who : people) expect_same_as_sql(*store, who, 30);
    }
}

// Random writes, forgetting and edits by this connection and another, checked
// against SQL after each step: the held view never drifts.
TEST_F(turn_briefs_test, random_changes_never_make_the_held_view_drift) {
    std::mt19937 rng(7);
    const auto ada = person(*store, "ada"), bob = person(*store, "bob");
    auto other = open();
    int64_t ts = 1000;
    for (int step = 0; step < 60; ++step) {
        memory_store & by = rng() % 4 == 0 ? *other : *store;
        const auto who = rng() % 3 == 0 ? bob : ada;
        const int what = static_cast<int>(rng() % 6);
        const int64_t max_id = newest(*store, ada) > newest(*store, bob) ? newest(*store, ada) : newest(*store, bob);
        if (what <= 2 || max_id < 3) {
            std::vector<new_turn> batch;
            for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) {
                ++ts;
                batch.push_back(turn(rng() % 2 ? "x" : "y", ts, "cello " + std::to_string(ts)));
            }
            ASSERT_TRUE(by.turns().add_turns(who, batch));
        } else if (what == 3) {
            (void)by.turns().forget_turn(who, 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_id)));  // may be the other's: not_found
        } else {
            (void)by.turns().edit_turn(who, 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_id)), "edited cello");
        }
        const int64_t upto = std::max(newest(*store, ada), newest(*store, bob));
        expect_same_as_sql(*store, ada, upto);
        expect_same_as_sql(*store, bob, upto);
        if (HasFailure()) FAIL() << "after step " << step;
    }
}

// os1_bm25 reads a row's length from the turns held and may be given each
// word's turn count: its scores must be FTS5's own bm25(), before and after an edit.
TEST_F(turn_briefs_test, bm25_from_held_lengths_is_fts5s_bm25) {
    const auto ada = person(*store, "ada");
    const std::vector<std::string> texts = {"cello", "the cello and the bow", "a long day with a cello lesson and then a bow rehair",
                                            "bow", "nothing here", "cello cello bow, cello again and again"};
    for (size_t i = 0; i < texts.size(); ++i) ASSERT_TRUE(store->turns().add_turn(ada, turn("s", 1000 + static_cast<int64_t>(i), texts[i])));
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(store->turns().add_turn(ada, turn("t", 2000 + i, "other words " + std::to_string(i))));  // rare: IDF > 0
    auto fts5 = sqlite_db::open(dir.file("m.db"));
    ASSERT_TRUE(fts5);
    const std::vector<std::string> words = {"cello", "bow"};
    const auto expect_fts5_scores = [&](const char * when) {
        auto ours = store->turns().search_turns(ada, words, 100);
        ASSERT_TRUE(ours);
        auto st = (*fts5)->prepare("SELECT rowid, -bm25(turns_fts, 1.0, 0.3) FROM turns_fts WHERE turns_fts MATCH ?1");
        ASSERT_TRUE(st);
        st->bind(1, "{text speaker} : (" + fts_query(ada, words) + ")");
        std::map<int64_t, double> theirs;
        while (*st->step()) theirs[st->int64(0)] = st->real(1);
        ASSERT_EQ(ours->size(), theirs.size()) << when;
        for (const auto & h : *ours) EXPECT_NEAR(h.score, theirs[h.turn_id], 1e-9 * theirs[h.turn_id]) << when << ", turn " << h.turn_id;
    };
    expect_fts5_scores("counted by FTS5");
    ASSERT_TRUE(store->turns().word_frequencies(ada, words));  // now known: given to os1_bm25
    expect_fts5_scores("counts given");
    ASSERT_TRUE(store->turns().edit_turn(ada, 2, "the cello, the bow, and a great deal more said about both of them"));
    expect_fts5_scores("after an edit");
}

}  // namespace
}  // namespace os1::memory
