#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "memory/memory_store.h"
#include "memory/sqlite_db.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

new_turn turn_in(const std::string & conversation, const std::string & text, std::vector<int64_t> cited = {},
                 const std::string & recalled = "") {
    new_turn t;
    t.session = conversation;
    t.conversation = conversation;
    t.ts = 1780000000;
    t.speaker = "ada";
    t.role = role::user;
    t.text = text;
    t.cited = std::move(cited);
    t.recalled = recalled;
    return t;
}

// Every byte of every file under DIR, to look for what must be gone.
std::string all_bytes(const std::string & dir) {
    std::string out;
    for (const auto & e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        if (auto bytes = read_file(e.path().string())) out += *bytes;
    }
    return out;
}

class memory_items_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory_store::open(dir_.file("memory.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
        ada_ = *store_->person("ada", true);
        bob_ = *store_->person("bob", true);
    }
    test::temp_dir dir_;
    std::unique_ptr<memory_store> store_;
    person_id ada_ = 0, bob_ = 0;
};

TEST_F(memory_items_test, forgetting_a_turn_clears_every_block_that_quoted_it_and_names_their_conversations) {
    const int64_t secret = *store_->turns().add_turn(ada_, turn_in("c1", "My sister Zoe moved to Boston."));
    const int64_t quoting = *store_->turns().add_turn(ada_, turn_in("c2", "Where is Zoe?", {secret}, "[- ada: My sister Zoe moved to Boston.]"));
    const int64_t other = *store_->turns().add_turn(ada_, turn_in("c3", "Nice weather."));
    const auto integrity = store_->check_integrity();  // with a citation stored
    EXPECT_TRUE(integrity) << integrity.message();
    auto affected = store_->turns().forget_turn(ada_, secret);
    ASSERT_TRUE(affected) << affected.error().message();
    EXPECT_EQ(*affected, (std::vector<std::string>{"c1", "c2"}));
    EXPECT_EQ(store_->turns().turn(ada_, secret).error().code(), status_code::not_found);
    EXPECT_EQ(store_->turns().turn(ada_, quoting)->recalled, "");
    EXPECT_TRUE(store_->turns().turn(ada_, other));
    EXPECT_TRUE(store_->turns().search_turns(ada_, {"boston"}, 10)->empty());
    EXPECT_EQ(store_->turns().forget_turn(ada_, secret).error().code(), status_code::not_found);
}

TEST_F(memory_items_test, a_correction_replaces_the_words_in_the_index_and_clears_quotes) {
    const int64_t id = *store_->turns().add_turn(ada_, turn_in("c1", "My sister moved to Boston."));
    const int64_t quoting = *store_->turns().add_turn(ada_, turn_in("c2", "Where?", {id}, "[- Boston]"));
    auto affected = store_->turns().edit_turn(ada_, id, "My sister moved to Denver.");
    ASSERT_TRUE(affected);
    EXPECT_EQ(*affected, (std::vector<std::string>{"c1", "c2"}));
    EXPECT_TRUE(store_->turns().search_turns(ada_, {"boston"}, 10)->empty());
    EXPECT_EQ(store_->turns().search_turns(ada_, {"denver"}, 10)->size(), 1u);
    EXPECT_EQ(store_->turns().turn(ada_, quoting)->recalled, "");
    EXPECT_EQ(store_->turns().edit_turn(ada_, id, "").error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->turns().edit_turn(ada_, id, std::string("\xc3", 1)).error().code(), status_code::invalid_argument);
}

TEST_F(memory_items_test, nobody_reads_corrects_forgets_or_cites_anothers_turns) {
    const int64_t ada_turn = *store_->turns().add_turn(ada_, turn_in("c", "Ada's secret: heron."));
    EXPECT_EQ(store_->turns().turn(bob_, ada_turn).error().code(), status_code::not_found);
    EXPECT_EQ(store_->turns().edit_turn(bob_, ada_turn, "changed").error().code(), status_code::not_found);
    EXPECT_EQ(store_->turns().forget_turn(bob_, ada_turn).error().code(), status_code::not_found);
    EXPECT_EQ(store_->turns().turn(ada_, ada_turn)->text, "Ada's secret: heron.");
    // Bob citing Ada's turn records nothing, so forgetting hers never touches his.
    const int64_t bob_turn = *store_->turns().add_turn(bob_, turn_in("c", "hello", {ada_turn}, "[block]"));
    ASSERT_TRUE(store_->turns().forget_turn(ada_, ada_turn));
    EXPECT_EQ(store_->turns().turn(bob_, bob_turn)->recalled, "[block]");
    EXPECT_TRUE(store_->turns().list_turns(bob_, 0, 10)->size() == 1);
}

TEST_F(memory_items_test, a_batch_is_stored_whole_or_not_at_all) {
    ASSERT_TRUE(store_->turns().add_turns(ada_, {turn_in("c", "one"), turn_in("c", "two")}));
    EXPECT_EQ(*store_->turns().count_turns(ada_), 2);
    EXPECT_EQ(store_->turns().add_turns(ada_, {turn_in("c", "three"), turn_in("c", "")}).code(), status_code::invalid_argument);
    auto dup = turn_in("c", "four");
    dup.ext_id = "x";
    EXPECT_FALSE(store_->turns().add_turns(ada_, {dup, dup}));  // the second fails inside the transaction
    EXPECT_EQ(*store_->turns().count_turns(ada_), 2);
}

TEST_F(memory_items_test, merging_the_index_in_steps_ends_and_changes_no_result) {
    for (int i = 0; i < 300; ++i) {  // one transaction each: many small segments
        ASSERT_TRUE(store_->turns().add_turn(ada_, turn_in("c", "turn " + std::to_string(i) + (i % 7 ? " plain" : " heron"))));
    }
    for (int i = 0; i < 60; ++i) {  // and the facts' index, as many small segments
        fact_change c;
        c.fact.text = "Ada saw a " + std::string(i % 5 ? "robin" : "heron") + " on day " + std::to_string(i);
        c.fact.ts = 1000 + i;
        c.fact.sources = {1};
        ASSERT_TRUE(store_->facts().apply_facts(ada_, {c}, 0));
    }
    const auto before = store_->turns().search_turns(ada_, {"heron"}, 100);
    ASSERT_TRUE(before);
    const auto facts_before = store_->facts().search_facts(ada_, {"heron"}, 100);
    ASSERT_TRUE(facts_before);
    ASSERT_EQ(facts_before->size(), 12u);
    const auto blocks = [&](const char * table) {  // the index's stored blocks: fewer once merged
        auto db = sqlite_db::open(store_->path());
        EXPECT_TRUE(db);
        auto st = (*db)->prepare(std::string("SELECT count(*) FROM ") + table);
        EXPECT_TRUE(st && *st->step());
        return st->int64(0);
    };
    const int64_t facts_blocks = blocks("facts_fts_data");
    int steps = 0;
    for (;;) {
        auto worked = store_->merge_index_step(50);
        ASSERT_TRUE(worked) << worked.error().message();
        if (!*worked) break;
        ASSERT_LT(++steps, 1000);
    }
    EXPECT_GT(steps, 0);
    const auto after = store_->turns().search_turns(ada_, {"heron"}, 100);
    ASSERT_TRUE(after);
    ASSERT_EQ(after->size(), before->size());
    for (size_t i = 0; i < after->size(); ++i) EXPECT_EQ((*after)[i].turn_id, (*before)[i].turn_id);
    const auto facts_after = store_->facts().search_facts(ada_, {"heron"}, 100);
    ASSERT_TRUE(facts_after);
    ASSERT_EQ(facts_after->size(), facts_before->size());
    for (size_t i = 0; i < facts_after->size(); ++i) EXPECT_EQ((*facts_after)[i].turn_id, (*facts_before)[i].turn_id);
    EXPECT_LT(blocks("facts_fts_data"), facts_blocks);
    // Merged: a further step finds nothing to do in any of the indexes.
    auto again = store_->merge_index_step(50);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    EXPECT_TRUE(store_->check_integrity());
}

TEST_F(memory_items_test, turns_list_newest_first_in_pages) {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->turns().add_turn(ada_, turn_in("c", "turn " + std::to_string(i))));
    auto page1 = store_->turns().list_turns(ada_, 0, 2);
    ASSERT_EQ(page1->size(), 2u);
    EXPECT_EQ((*page1)[0].text, "turn 4");
    auto page2 = store_->turns().list_turns(ada_, page1->back().id, 10);
    ASSERT_EQ(page2->size(), 3u);
    EXPECT_EQ((*page2)[2].text, "turn 0");
    auto tail = store_->turns().session_tail(ada_, "c", 2);
    ASSERT_EQ(tail->size(), 2u);
    EXPECT_EQ((*tail)[0].text, "turn 3");  // oldest first
    EXPECT_EQ((*tail)[0].session, "c");
}

TEST_F(memory_items_test, the_core_profile_is_bounded_and_can_be_removed) {
    EXPECT_EQ(*store_->profiles().profile(ada_), "");
    ASSERT_TRUE(store_->profiles().set_profile(ada_, "Ada paints at night."));
    EXPECT_EQ(*store_->profiles().profile(ada_), "Ada paints at night.");
    EXPECT_EQ(*store_->profiles().profile(bob_), "");
    EXPECT_EQ(store_->profiles().set_profile(ada_, std::string(3000, 'x')).code(), status_code::invalid_argument);
    ASSERT_TRUE(store_->profiles().set_profile(ada_, ""));
    EXPECT_EQ(*store_->profiles().profile(ada_), "");
}

TEST_F(memory_items_test, after_erase_and_compact_no_planted_string_is_in_any_file) {
    std::vector<std::string> planted;
    for (int i = 0; i < 20; ++i) planted.push_back("PLANTED" + std::to_string(7100 + i) + "zq");
    for (const auto & p : planted) ASSERT_TRUE(store_->turns().add_turn(ada_, turn_in("c", "remember " + p + " please")));
    ASSERT_TRUE(store_->profiles().set_profile(ada_, "profile " + planted[0]));
    ASSERT_TRUE(store_->turns().add_turn(bob_, turn_in("c", "Bob stays.")));
    ASSERT_TRUE(store_->erase_person(ada_));
    ASSERT_TRUE(store_->compact());
    const std::string bytes = all_bytes(dir_.path());
    int found = 0;
    for (const auto & p : planted) {
        std::string lower = p;
        for (auto & c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        found += bytes.find(p) != std::string::npos || bytes.find(lower) != std::string::npos;
    }
    EXPECT_EQ(found, 0);
    EXPECT_NE(bytes.find("Bob stays."), std::string::npos);  // the check can see what is there
    EXPECT_TRUE(store_->check_integrity());
    EXPECT_EQ(*store_->people(), (std::vector<std::string>{"bob"}));
}

}  // namespace
}  // namespace os1::memory
