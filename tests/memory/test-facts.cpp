#include <gtest/gtest.h>

#include "memory/export.h"
#include "memory/memory_store.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

class facts_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory_store::open(dir_.file("m.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
        ada_ = *store_->person("ada", true);
        bob_ = *store_->person("bob", true);
    }
    int64_t said(person_id who, const std::string & text, int64_t ts = 1780000000) {
        new_turn t;
        t.session = "s";
        t.ts = ts;
        t.speaker = "x";
        t.role = role::user;
        t.text = text;
        return *store_->turns().add_turn(who, t);
    }
    new_fact fact(const std::string & text, std::vector<int64_t> sources, std::vector<int64_t> supersedes = {}) {
        new_fact f;
        f.text = text;
        f.ts = 1780000000;
        f.confidence = 0.6;
        f.sources = std::move(sources);
        f.supersedes = std::move(supersedes);
        return f;
    }
    test::temp_dir dir_;
    std::unique_ptr<memory_store> store_;
    person_id ada_ = 0, bob_ = 0;
};

TEST_F(facts_test, a_contradiction_supersedes_and_the_history_keeps_both) {
    const int64_t t1 = said(ada_, "My sister moved to Boston.");
    const int64_t t2 = said(ada_, "Actually my sister moved on to Denver.");
    const int64_t boston = *store_->facts().add_fact(ada_, fact("Her sister lives in Boston.", {t1}));
    auto denver = store_->facts().add_fact(ada_, fact("Her sister lives in Denver.", {t2}, {boston}));
    ASSERT_TRUE(denver) << denver.error().message();
    auto current = store_->facts().facts(ada_, false);
    ASSERT_EQ(current->size(), 1u);
    EXPECT_EQ(current->front().text, "Her sister lives in Denver.");
    EXPECT_EQ(current->front().sources, (std::vector<int64_t>{t2}));
    auto history = store_->facts().fact_history(ada_, *denver);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 2u);
    EXPECT_EQ((*history)[1].superseded_by, *denver);
    EXPECT_EQ(store_->facts().facts(ada_, true)->size(), 2u);
    // A superseded fact cannot be superseded again, nor another person's.
    EXPECT_EQ(store_->facts().add_fact(ada_, fact("x", {t1}, {boston})).error().code(), status_code::invalid_argument);
}

TEST_F(facts_test, a_repetition_reinforces_without_a_second_row) {
    const int64_t t1 = said(ada_, "I love herons.");
    const int64_t t2 = said(ada_, "Herons are my favourite birds.", 1780003600);
    const int64_t id = *store_->facts().add_fact(ada_, fact("She loves herons.", {t1}));
    ASSERT_TRUE(store_->facts().reinforce_fact(ada_, id, {t2}, 1780003600, 0.6));
    auto all = store_->facts().facts(ada_, true);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front().reinforced, 1);
    EXPECT_NEAR(all->front().confidence, 0.84, 1e-9);
    EXPECT_EQ(all->front().ts, 1780003600);
    EXPECT_EQ(all->front().sources, (std::vector<int64_t>{t1, t2}));
}

TEST_F(facts_test, forgetting_or_correcting_a_source_turn_takes_its_facts_along) {
    const int64_t t1 = said(ada_, "My PIN is 4471.");
    const int64_t t2 = said(ada_, "I live in Lyon.");
    ASSERT_TRUE(store_->facts().add_fact(ada_, fact("Her PIN is 4471.", {t1})));
    ASSERT_TRUE(store_->facts().add_fact(ada_, fact("She lives in Lyon.", {t2})));
    ASSERT_TRUE(store_->turns().forget_turn(ada_, t1));
    auto left = store_->facts().facts(ada_, true);
    ASSERT_EQ(left->size(), 1u);
    EXPECT_EQ(left->front().text, "She lives in Lyon.");
    EXPECT_TRUE(store_->facts().search_facts(ada_, {"pin", "4471"}, 10)->empty());
    ASSERT_TRUE(store_->turns().edit_turn(ada_, t2, "I live in Paris."));
    EXPECT_TRUE(store_->facts().facts(ada_, true)->empty());
    EXPECT_TRUE(store_->check_integrity());
}

TEST_F(facts_test, forgetting_a_fact_forgets_what_it_replaced_and_every_prompt_that_held_it) {
    const int64_t t1 = said(ada_, "My sister moved to Boston.");
    const int64_t t2 = said(ada_, "Actually my sister moved on to Denver.");
    const int64_t boston = *store_->facts().add_fact(ada_, fact("Her sister lives in Boston.", {t1}));
    const int64_t denver = *store_->facts().add_fact(ada_, fact("Her sister lives in Denver.", {t2}, {boston}));
    const int64_t lyon = *store_->facts().add_fact(ada_, fact("She lives in Lyon.", {t1}));
    // One conversation quoted the fact in a recalled block, another froze it in its profile.
    new_turn q;
    q.session = q.conversation = "c-quoted";
    q.speaker = "ada";
    q.role = role::user;
    q.text = "Where is my sister?";
    q.recalled = "[- Her sister lives in Denver.]";
    q.cited_facts = {denver};
    const int64_t quoting = *store_->turns().add_turn(ada_, q);
    new_turn p = q;
    p.session = p.conversation = "c-profile";
    p.text = "Hello";
    p.recalled.clear();
    p.cited_facts.clear();
    ASSERT_TRUE(store_->turns().add_turn(ada_, p));
    ASSERT_TRUE(store_->profiles().set_session_profile(ada_, "c-profile",
                                            "Learned from your conversations:\n- Her sister lives in Denver.\n- She lives in Lyon."));
    p.session = p.conversation = "c-other";
    ASSERT_TRUE(store_->turns().add_turn(ada_, p));
    ASSERT_TRUE(store_->profiles().set_session_profile(ada_, "c-other", "Learned from your conversations:\n- She lives in Lyon."));
    ASSERT_TRUE(store_->profiles().session_profile(ada_, "c-profile")->has_value());

    auto affected = store_->facts().forget_fact(ada_, denver);
    ASSERT_TRUE(affected) << affected.error().message();
    EXPECT_EQ(*affected, (std::vector<std::string>{"c-profile", "c-quoted"}));
    auto left = store_->facts().facts(ada_, true);
    ASSERT_EQ(left->size(), 1u);  // Boston did not come back
    EXPECT_EQ(left->front().id, lyon);
    EXPECT_EQ(store_->turns().turn(ada_, quoting)->recalled, "");
    EXPECT_FALSE(store_->profiles().session_profile(ada_, "c-profile")->has_value());
    EXPECT_TRUE(store_->profiles().session_profile(ada_, "c-other")->has_value());
    // Correcting one reaches the same places; the person's own profile clears every frozen one.
    auto edited = store_->facts().edit_fact(ada_, lyon, "She lives in Paris.");
    ASSERT_TRUE(edited);
    EXPECT_EQ(*edited, (std::vector<std::string>{"c-other"}));
    ASSERT_TRUE(store_->profiles().set_session_profile(ada_, "c-other", "frozen"));
    ASSERT_TRUE(store_->profiles().set_profile(ada_, "Ada paints."));
    EXPECT_FALSE(store_->profiles().session_profile(ada_, "c-other")->has_value());
    EXPECT_TRUE(store_->check_integrity());
}

TEST_F(facts_test, a_fact_lost_with_a_forgotten_turn_is_distilled_again_from_what_remains) {
    const int64_t t1 = said(ada_, "My sister Zoe moved.");
    const int64_t t2 = said(ada_, "She is in Boston now.");
    const int64_t t3 = said(ada_, "I paint at night.");
    const int64_t zoe = *store_->facts().add_fact(ada_, fact("Her sister Zoe lives in Boston.", {t1, t2}));
    ASSERT_TRUE(store_->facts().apply_facts(ada_, {}, t3));
    new_turn q;
    q.session = q.conversation = "c";
    q.speaker = "ada";
    q.role = role::user;
    q.text = "Tell me about Zoe";
    q.cited = {t2};
    q.cited_facts = {zoe};
    q.recalled = "[- Her sister Zoe lives in Boston.]";
    ASSERT_TRUE(store_->turns().add_turn(ada_, q));
    auto affected = store_->turns().forget_turn(ada_, t1);
    ASSERT_TRUE(affected);
    EXPECT_EQ(*affected, (std::vector<std::string>{"c"}));  // it held a fact made from the turn
    EXPECT_TRUE(store_->facts().facts(ada_, true)->empty());
    auto again = store_->facts().redistill_turns(ada_, 10);
    ASSERT_TRUE(again);
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ(again->front().id, t2);
    ASSERT_TRUE(store_->facts().apply_facts(ada_, {}, t3, {t2}));
    EXPECT_TRUE(store_->facts().redistill_turns(ada_, 10)->empty());
    // A corrected turn that was distilled is read again too.
    ASSERT_TRUE(store_->turns().edit_turn(ada_, t3, "I paint in the morning."));
    again = store_->facts().redistill_turns(ada_, 10);
    ASSERT_EQ(again->size(), 1u);
    EXPECT_EQ(again->front().id, t3);
    EXPECT_TRUE(store_->facts().redistill_turns(bob_, 10)->empty());
}

TEST_F(facts_test, the_core_facts_are_the_most_said_then_the_surest) {
    const int64_t t1 = said(ada_, "a");
    const int64_t t2 = said(ada_, "b");
    const int64_t once = *store_->facts().add_fact(ada_, fact("Said once.", {t1}));
    const int64_t twice = *store_->facts().add_fact(ada_, fact("Said twice.", {t1}));
    ASSERT_TRUE(store_->facts().reinforce_fact(ada_, twice, {t2}, 1780000000, 0.5));
    new_fact sure = fact("Said once, surely.", {t2});
    sure.confidence = 0.95;
    const int64_t surely = *store_->facts().add_fact(ada_, sure);
    auto core = store_->facts().core_facts(ada_, 10);
    ASSERT_EQ(core->size(), 3u);
    EXPECT_EQ((*core)[0].id, twice);
    EXPECT_EQ((*core)[1].id, surely);
    EXPECT_EQ((*core)[2].id, once);
    EXPECT_EQ(store_->facts().core_facts(ada_, 1)->size(), 1u);
}

TEST_F(facts_test, nobody_cites_supersedes_reads_or_finds_anothers_facts) {
    const int64_t ada_turn = said(ada_, "Ada's secret: the heron.");
    const int64_t bob_turn = said(bob_, "Bob's words.");
    const int64_t ada_fact = *store_->facts().add_fact(ada_, fact("Ada's secret is the heron.", {ada_turn}));
    EXPECT_EQ(store_->facts().add_fact(bob_, fact("stolen", {ada_turn})).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->facts().add_fact(bob_, fact("mine", {bob_turn}, {ada_fact})).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->facts().reinforce_fact(bob_, ada_fact, {bob_turn}, 0, 0.5).code(), status_code::not_found);
    EXPECT_EQ(store_->facts().fact_history(bob_, ada_fact).error().code(), status_code::not_found);
    EXPECT_EQ(store_->facts().forget_fact(bob_, ada_fact).error().code(), status_code::not_found);
    EXPECT_EQ(store_->facts().edit_fact(bob_, ada_fact, "x").error().code(), status_code::not_found);
    EXPECT_TRUE(store_->facts().facts_by_id(bob_, {ada_fact})->empty());
    EXPECT_TRUE(store_->facts().core_facts(bob_, 10)->empty());
    EXPECT_TRUE(store_->facts().facts(bob_, true)->empty());
    EXPECT_TRUE(store_->facts().search_facts(bob_, {"secret", "heron"}, 10)->empty());
    EXPECT_EQ(store_->facts().search_facts(ada_, {"secret", "heron"}, 10)->size(), 1u);
}

TEST_F(facts_test, bad_facts_are_refused_and_nothing_is_stored_half) {
    const int64_t t = said(ada_, "hello");
    EXPECT_EQ(store_->facts().add_fact(ada_, fact("", {t})).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->facts().add_fact(ada_, fact(std::string(2000, 'x'), {t})).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->facts().add_fact(ada_, fact("no source", {})).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->facts().add_fact(ada_, fact(std::string("\xff"), {t})).error().code(), status_code::invalid_argument);
    auto f = fact("odd", {t});
    f.confidence = 1.5;
    EXPECT_EQ(store_->facts().add_fact(ada_, f).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->facts().add_fact(ada_, fact("missing turn", {t, 999999})).error().code(), status_code::invalid_argument);
    EXPECT_TRUE(store_->facts().facts(ada_, true)->empty());
}

TEST_F(facts_test, export_holds_the_facts_and_erase_removes_them) {
    const int64_t t = said(ada_, "I paint at night.");
    ASSERT_TRUE(store_->facts().add_fact(ada_, fact("She paints at night.", {t})));
    auto dump = export_person(*store_, "ada", 1780000000);
    ASSERT_TRUE(dump);
    EXPECT_NE(dump->json.find("She paints at night."), std::string::npos);
    EXPECT_NE(dump->markdown.find("She paints at night."), std::string::npos);
    ASSERT_TRUE(store_->erase_person(ada_));
    ASSERT_TRUE(store_->compact());
    ada_ = *store_->person("ada", true);
    EXPECT_TRUE(store_->facts().facts(ada_, true)->empty());
}

}  // namespace
}  // namespace os1::memory
