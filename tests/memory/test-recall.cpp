#include <gtest/gtest.h>

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
        t.role = "user";
        t.text = text;
        t.ext_id = id;
        ASSERT_TRUE(store->add_turn(who ? who : ada, t));
    }
    std::vector<std::string> ids(const std::string & q, int64_t as_of = 0, int k = 5) {
        recall_options o;
        o.k = k;
        o.as_of = as_of;
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

TEST(recall_format, a_turn_reads_with_its_date_and_speaker) {
    turn_record t;
    t.ts = days_from_civil(2023, 5, 8) * 86400 + 3600;
    t.speaker = "Ada";
    t.text = "hi";
    EXPECT_EQ(format_turn(t), "(2023-05-08) Ada: hi");
}

}  // namespace
}  // namespace os1::memory
