#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "memory/recall.h"
#include "memory/time_expr.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

class recall_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory_store::open(dir.file("m.db"));
        ASSERT_TRUE(s) << s.error().message();
        store = std::move(*s);
        auto p = store->person("ada", true);
        ASSERT_TRUE(p);
        ada = *p;
    }
    void say(const std::string & session, int64_t ts, const std::string & speaker, const std::string & text,
             const std::string & id, person_id who = 0) {
        new_turn t;
        t.session = session;
        t.ts = ts;
        t.speaker = speaker;
        t.role = role::user;
        t.text = text;
        t.ext_id = id;
        ASSERT_TRUE(store->turns().add_turn(who ? who : ada, t));
    }
    std::vector<std::string> ids(const std::string & q, int64_t as_of = 0, int k = 5) {
        recall_options o;
        o.k = k;
        o.as_of = as_of;
        return ids_with(q, o);
    }
    std::vector<std::string> ids_with(const std::string & q, const recall_options & o) {
        auto r = recall(*store, ada, q, o);
        EXPECT_TRUE(r) << r.error().message();
        std::vector<std::string> out;
        if (r) {
            for (const auto & it : *r) out.push_back(it.prov.at(0));
        }
        return out;
    }
    test::temp_dir dir;
    std::unique_ptr<memory_store> store;
    person_id ada = 0;
};

TEST_F(recall_test, finds_the_turn_that_shares_the_questions_words_first) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "I started learning the cello last month.", "a1");
    say("s1", t0 + 60, "OS1", "That's lovely. How is it going?", "a2");
    say("s1", t0 + 120, "Ada", "My teacher says my bowing is getting better.", "a3");
    say("s2", t0 + 86400, "Ada", "We went hiking near the lake on Sunday.", "b1");
    const auto got = ids("What instrument is Ada learning, the cello?");
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got[0], "a1");
}

TEST_F(recall_test, an_answer_is_found_through_the_question_beside_it) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "OS1", "What did you name your new puppy?", "q1");
    say("s1", t0 + 60, "Ada", "Biscuit! He is tiny and loud.", "q2");
    say("s2", t0 + 86400, "Ada", "The weather is awful today.", "w1");
    say("s2", t0 + 86460, "OS1", "Stay warm then.", "w2");
    const auto got = ids("What is the name of Ada's puppy?", 0, 3);
    ASSERT_GE(got.size(), 2u);
    // q2 shares no word with the question; it comes through q1, ahead of Ada's other turns.
    EXPECT_EQ(std::set<std::string>(got.begin(), got.begin() + 2), (std::set<std::string>{"q1", "q2"}));
}

TEST_F(recall_test, a_named_time_prefers_what_happened_then) {
    const int64_t may = days_from_civil(2023, 5, 9) * 86400;
    const int64_t march = days_from_civil(2023, 3, 14) * 86400;
    say("s1", march, "Ada", "I had dinner with my brother at the Thai place.", "m1");
    say("s2", may, "Ada", "I had dinner with my brother at the pizza place.", "m2");
    const int64_t now = days_from_civil(2023, 5, 10) * 86400 + 43200;
    EXPECT_EQ(ids("Where did I have dinner with my brother yesterday?", now).at(0), "m2");
    EXPECT_EQ(ids("Where did I have dinner with my brother in March?", now).at(0), "m1");
}

TEST_F(recall_test, a_speaker_named_in_the_question_is_whose_words_are_meant) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "Hey Melanie, the garden is full of tomatoes this year!", "a1");
    say("s1", t0 + 60, "Melanie", "My garden has roses and tomatoes.", "m1");
    // "Melanie" is a word of a1 but the speaker of m1: m1 answers what Melanie grows.
    EXPECT_EQ(ids("What does Melanie grow in her garden, tomatoes?").at(0), "m1");
}

TEST_F(recall_test, a_turn_matching_more_of_the_question_beats_one_repeating_a_rare_word) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "Zumba, zumba, zumba! I love zumba.", "z1");
    say("s2", t0 + 86400, "Ada", "Friday zumba class with my sister was fun.", "z2");
    for (int i = 0; i < 6; ++i) say("s3", t0 + 2 * 86400 + i, "Ada", "my sister called", "x" + std::to_string(i));
    EXPECT_EQ(ids("When do I go to zumba with my sister?").at(0), "z2");
}

TEST_F(recall_test, an_answer_two_turns_after_the_matching_turn_is_found) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "We watched the meteor shower from the hill last night.", "n1");
    say("s1", t0 + 60, "OS1", "How was it?", "n2");
    say("s1", t0 + 120, "Ada", "I felt tiny, in awe of the universe.", "n3");
    say("s2", t0 + 86400, "Ada", "I baked bread.", "b1");
    say("s2", t0 + 86460, "Ada", "It burnt.", "b2");
    const auto got = ids("How did Ada feel watching the meteor shower?", 0, 3);
    EXPECT_NE(std::find(got.begin(), got.end(), "n3"), got.end());
}

TEST_F(recall_test, the_words_of_the_best_turn_lead_to_the_other_half_of_a_fact) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "I moved here from my home country four years ago.", "f1");
    for (int i = 0; i < 5; ++i) say("s2", t0 + 86400 + i, "Ada", "Work was busy today.", "w" + std::to_string(i));
    say("s3", t0 + 3 * 86400, "Ada", "Grandma gave me this necklace back in my home country, Sweden.", "f2");
    recall_options o;
    o.feedback_turns = 0;
    auto got = ids_with("Where did Ada move from?", o);
    EXPECT_EQ(std::find(got.begin(), got.end(), "f2"), got.end());  // shares no word with the question
    got = ids_with("Where did Ada move from?", recall_options{});
    ASSERT_GE(got.size(), 2u);
    EXPECT_EQ(got[0], "f1");
    EXPECT_EQ(got[1], "f2");
}

TEST_F(recall_test, without_wordnet_only_the_questions_own_words_are_searched) {
    say("s1", 1000, "Ada", "My child adores dinosaurs.", "c1");
    recall_options o;  // words: null, as when WordNet's data is missing
    auto r = recall(*store, ada, "What does my kid like?", o);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->empty());
    EXPECT_EQ(ids_with("Which dinosaurs does my kid like?", o).at(0), "c1");
}

TEST_F(recall_test, with_wordnet_a_synonym_finds_the_turn) {
    auto wn = wordnet::open();
    if (!wn) GTEST_SKIP() << wn.error().message();
    say("s1", 1000, "Ada", "My child adores dinosaurs.", "c1");
    say("s2", 90000, "Ada", "The weather is grey.", "w1");
    recall_options o;
    o.words = wn->get();
    const auto got = ids_with("What does my kid like?", o);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got[0], "c1");
    o.words = nullptr;
    EXPECT_TRUE(ids_with("What does my kid like?", o).empty());
}

TEST_F(recall_test, never_returns_another_persons_turns) {
    auto bob = store->person("bob", true);
    ASSERT_TRUE(bob);
    say("s1", 1000, "Bob", "my password hint is flamingo", "bob1", *bob);
    say("s1", 1000, "Ada", "flamingos are pink", "ada1");
    const auto got = ids("flamingo password hint", 0, 10);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "ada1");
}

TEST_F(recall_test, an_empty_or_stopword_question_recalls_nothing_and_does_not_fail) {
    say("s1", 1000, "Ada", "hello there", "h1");
    EXPECT_TRUE(ids("").empty());
    EXPECT_TRUE(ids("what is the").empty());
    EXPECT_TRUE(ids("\"*NEAR(").empty());
}

TEST_F(recall_test, a_message_no_turn_matches_well_recalls_nothing_under_a_floor) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "I practised the cello for an hour.", "a1");
    say("s1", t0 + 60, "Ada", "The market was crowded this morning.", "a2");
    recall_options o;
    o.k = 5;
    // One word of five ("market") is all that connects this message to anything.
    const std::string weak = "Bought apples, bread and cheese at the market near the station.";
    EXPECT_FALSE(ids_with(weak, o).empty()) << "without a floor a single shared word brings a turn";
    o.floor = 0.25;
    EXPECT_TRUE(ids_with(weak, o).empty());
    // With a handful of turns every word is common, yet a good match still counts.
    const auto got = ids_with("How long did I practise the cello?", o);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got[0], "a1");
}

TEST_F(recall_test, facts_are_fused_with_turns_and_cite_their_sources) {
    const int64_t t0 = days_from_civil(2023, 5, 1) * 86400;
    say("s1", t0, "Ada", "Zoe finally moved, she is in Boston now.", "z1");
    say("s1", t0 + 60, "Ada", "Boston winters are cold, she says.", "z2");
    say("s2", t0 + 86400, "Ada", "I painted the harbour at night.", "p1");
    auto turns = store->turns().list_turns(ada, 0, 10);
    ASSERT_TRUE(turns);
    const int64_t z1 = turns->back().id;  // oldest last
    new_fact f;
    f.text = "Her sister Zoe lives in Boston.";
    f.ts = t0;
    f.confidence = 0.9;
    f.sources = {z1};
    const int64_t zoe = *store->facts().add_fact(ada, f);
    f.text = "Her sister is a potter.";  // holds too few of the question's words
    ASSERT_TRUE(store->facts().add_fact(ada, f));

    recall_options o;
    o.k = 4;
    o.facts = 2;
    auto got = recall(*store, ada, "Where does my sister Zoe live?", o);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_FALSE(got->empty());
    const auto & first = got->front();
    EXPECT_EQ(first.kind, recalled_kind::fact);
    EXPECT_EQ(first.fact_id, zoe);
    EXPECT_EQ(first.text, "(as of 2023-05-01) Her sister Zoe lives in Boston.");
    EXPECT_EQ(first.prov, (std::vector<std::string>{"z1"}));
    EXPECT_EQ(first.turn_ids, (std::vector<int64_t>{z1}));
    EXPECT_EQ(std::count_if(got->begin(), got->end(), [](const recalled_item & i) { return i.kind == recalled_kind::fact; }), 1);
    EXPECT_EQ((*got)[1].kind, recalled_kind::turn);
    EXPECT_GE(first.score, (*got)[1].score);  // the first of each list tie; the fact goes first
    // Off by default: turns only.
    EXPECT_EQ(ids("Where does my sister Zoe live?").at(0), "z1");
    // Another person's question never reaches Ada's facts.
    auto bob = store->person("bob", true);
    auto none = recall(*store, *bob, "Where does my sister Zoe live?", o);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_F(recall_test, of_two_equal_matches_the_recent_one_comes_first_and_the_surer_fact) {
    const int64_t day = 86400;
    const int64_t now = days_from_civil(2023, 9, 1) * day;
    say("s1", now - 200 * day, "Ada", "I repotted the fern on the balcony.", "old");
    say("s2", now - 2 * day, "Ada", "I repotted the fern on the balcony.", "new");
    EXPECT_EQ(ids("the fern on the balcony", now).at(0), "new");
    recall_options off;
    off.as_of = now;
    off.recency_weight = 0;
    EXPECT_EQ(ids_with("the fern on the balcony", off).at(0), "old");  // equal otherwise: the older id first

    auto turns = store->turns().list_turns(ada, 0, 10);
    new_fact f;
    f.ts = now;
    f.sources = {turns->front().id};
    f.text = "Ada may own a fern.";
    f.confidence = 0.3;
    ASSERT_TRUE(store->facts().add_fact(ada, f));
    f.text = "Ada owns a fern, a big one on her balcony.";  // longer: without its confidence it would lose
    f.confidence = 0.95;
    const int64_t sure = *store->facts().add_fact(ada, f);
    recall_options o;
    o.facts = 2;
    auto got = recall(*store, ada, "fern owns", o);
    ASSERT_TRUE(got);
    ASSERT_FALSE(got->empty());
    EXPECT_EQ(got->front().fact_id, sure);
}

TEST(recall_format, a_turn_reads_with_its_date_and_speaker) {
    turn_record t;
    t.ts = days_from_civil(2023, 5, 8) * 86400 + 3600;
    t.speaker = "Ada";
    t.text = "hi";
    EXPECT_EQ(format_turn(t), "(2023-05-08) Ada: hi");
}

}  // namespace
}  // namespace os1::memory

namespace os1::memory {
namespace {

// The cost bounds of a large index (B3): common words are left out, the rare
// word that matters is still found, and a word too common even alone is
// searched in the newest turns only.
TEST(recall_cost, in_a_large_index_the_rare_word_decides_and_common_ones_are_skipped) {
    test::temp_dir d;
    auto store = memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    auto who = (*store)->person("ada", true);
    std::vector<new_turn> turns;
    for (int i = 0; i < 300; ++i) {
        new_turn t;
        t.session = "s" + std::to_string(i / 20);
        t.ts = 1700000000 + i * 60;
        t.speaker = "ada";
        t.role = role::user;
        t.text = i == 7 ? "the lighthouse keeper waved at the boats" : "we talked about the boats again today " + std::to_string(i);
        turns.push_back(t);
    }
    ASSERT_TRUE((*store)->turns().add_turns(*who, turns));
    auto df = (*store)->turns().word_frequencies(*who, {"boats", "lighthouse", "zeppelin"});
    ASSERT_TRUE(df) << df.error().message();
    EXPECT_EQ(*df, (std::vector<int64_t>{300, 1, 0}));  // stemmed as the index does: "boats" counts "boat"

    recall_options o;
    o.k = 3;
    o.large_index_turns = 100;  // this index counts as large
    o.scored_turns = 50;
    auto got = recall(**store, *who, "Who waved at the boats from the lighthouse?", o);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_FALSE(got->empty());
    EXPECT_NE(got->front().text.find("lighthouse keeper"), std::string::npos) << got->front().text;

    // Only a word in every turn: searched among the newest turns, which are found.
    auto common = recall(**store, *who, "boats", o);
    ASSERT_TRUE(common);
    ASSERT_FALSE(common->empty());
    for (const auto & item : *common) EXPECT_GE(item.turn_ids.front(), 250) << item.text;
}

}  // namespace
}  // namespace os1::memory
