#include <gtest/gtest.h>

#include "companion/summarizer.h"
#include "memory/recall.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

class summarizer_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("m.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
        ada_ = *store_->person("ada", true);
        bob_ = *store_->person("bob", true);
    }
    int64_t said(memory::person_id who, const std::string & session, const std::string & text) {
        memory::new_turn t;
        t.session = session;
        t.ts = 1780000000 + ++n_ * 60;
        t.speaker = "ada";
        t.role = role::user;
        t.text = text;
        t.ext_id = "t" + std::to_string(n_);
        return *store_->turns().add_turn(who, t);
    }
    static std::string answer(const std::string & text) { return R"({"summary": ")" + text + R"("})"; }
    int64_t session_id(memory::person_id who, const std::string & key) {
        const auto all = store_->turns().sessions(who);  // kept: the loop reads into it
        for (const auto & s : *all) {
            if (s.key == key) return s.id;
        }
        return 0;
    }
    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    memory::person_id ada_ = 0, bob_ = 0;
    int n_ = 0;
};

TEST_F(summarizer_test, a_session_that_is_over_is_summarized_then_the_person_from_it) {
    said(ada_, "s1", "My sister Zoe moved to Boston.");
    said(ada_, "s1", "She loves the harbour there.");
    said(ada_, "s2", "Good morning!");
    // s2 is the newest and short: not due. s1 is over because s2 began.
    auto job = prepare_summary(*store_, ada_, {});
    ASSERT_TRUE(job) << job.error().message();
    EXPECT_EQ(job->session_id, session_id(ada_, "s1"));
    ASSERT_EQ(job->turns.size(), 2u);
    EXPECT_NE(summary_prompt(*job).back().content.find("She loves the harbour there."), std::string::npos);
    ASSERT_TRUE(*apply_summary(*store_, *job, answer("Ada's sister Zoe moved to Boston and loves its harbour.")));
    EXPECT_EQ(store_->summaries().summary(ada_, job->session_id)->text, "Ada's sister Zoe moved to Boston and loves its harbour.");

    auto person = prepare_summary(*store_, ada_, {});
    ASSERT_TRUE(person);
    EXPECT_EQ(person->session_id, 0);
    ASSERT_EQ(person->sessions.size(), 1u);
    EXPECT_NE(summary_prompt(*person).back().content.find("loves its harbour"), std::string::npos);
    ASSERT_TRUE(*apply_summary(*store_, *person, answer("Ada is close to her sister Zoe, who lives in Boston.")));
    EXPECT_TRUE(prepare_summary(*store_, ada_, {})->empty());  // nothing more is due

    // s1 goes on later: the new turns are folded into the earlier summary.
    said(ada_, "s3", "x");
    said(ada_, "s1", "Zoe got a job at the aquarium.");
    said(ada_, "s1", "She starts in June.");
    job = prepare_summary(*store_, ada_, {});
    ASSERT_EQ(job->session_id, session_id(ada_, "s1"));
    ASSERT_EQ(job->turns.size(), 2u);
    EXPECT_NE(summary_prompt(*job).back().content.find("Earlier summary: Ada's sister Zoe moved"), std::string::npos);
}

TEST_F(summarizer_test, a_session_going_on_is_summarized_after_enough_new_turns) {
    summary_options o;
    o.min_new_turns = 4;
    for (int i = 0; i < 3; ++i) said(ada_, "s", "turn " + std::to_string(i));
    EXPECT_TRUE(prepare_summary(*store_, ada_, o)->empty());
    said(ada_, "s", "turn 3");
    EXPECT_EQ(prepare_summary(*store_, ada_, o)->turns.size(), 4u);
    ASSERT_TRUE(store_->turns().end_session(ada_, "s", 1790000000));
    o.min_new_turns = 100;
    EXPECT_EQ(prepare_summary(*store_, ada_, o)->turns.size(), 4u);  // ended: due whatever its length
}

TEST_F(summarizer_test, forgetting_a_turn_removes_the_summaries_that_read_it_and_they_are_made_again) {
    said(ada_, "s1", "My PIN is 4471.");
    const int64_t keep = said(ada_, "s1", "I paint at night.");
    said(ada_, "s1", "Mostly the harbour.");
    said(ada_, "s2", "Hello");
    auto complete = [](const std::vector<llm::chat_message> & m, const llm::generation_options &) -> result<std::string> {
        const bool pin = m.back().content.find("4471") != std::string::npos;
        return answer(pin ? "Ada shared her PIN 4471 and paints at night." : "Ada paints at night.");
    };
    ASSERT_EQ(*summarize_now(*store_, ada_, complete), 2u);
    // A conversation froze the portrait in its core profile.
    memory::new_turn t;
    t.session = t.conversation = "c";
    t.speaker = "ada";
    t.role = role::user;
    t.text = "hi";
    ASSERT_TRUE(store_->turns().add_turn(ada_, t));
    ASSERT_TRUE(store_->profiles().set_session_profile(ada_, "c", "In short: " + store_->summaries().summary(ada_, 0)->text));

    const int64_t pin = store_->turns().list_turns(ada_, 0, 10)->back().id;
    auto affected = store_->turns().forget_turn(ada_, pin);
    ASSERT_TRUE(affected);
    EXPECT_EQ(*affected, (std::vector<std::string>{"c"}));
    EXPECT_EQ(store_->summaries().summary(ada_, session_id(ada_, "s1"))->id, 0);
    EXPECT_EQ(store_->summaries().summary(ada_, 0)->id, 0);
    EXPECT_FALSE(store_->profiles().session_profile(ada_, "c")->has_value());
    EXPECT_TRUE(store_->summaries().search_summaries(ada_, {"pin", "4471"}, 10)->empty());
    // Made again from what remains.
    auto job = prepare_summary(*store_, ada_, {});
    ASSERT_EQ(job->turns.size(), 2u);
    EXPECT_EQ(job->turns[0].id, keep);
    EXPECT_EQ(*summarize_now(*store_, ada_, complete), 2u);
    EXPECT_EQ(store_->summaries().summary(ada_, 0)->text, "Ada paints at night.");
}

TEST_F(summarizer_test, a_job_whose_turns_changed_meanwhile_stores_nothing) {
    const int64_t a = said(ada_, "s1", "I live in Lyon.");
    said(ada_, "s1", "I like rain.");
    said(ada_, "s2", "Hello");
    auto job = prepare_summary(*store_, ada_, {});
    ASSERT_TRUE(job);
    ASSERT_TRUE(store_->turns().edit_turn(ada_, a, "I live in Paris."));
    auto done = apply_summary(*store_, *job, answer("Ada lives in Lyon."));
    ASSERT_TRUE(done);
    EXPECT_FALSE(*done);
    EXPECT_EQ(store_->summaries().summary(ada_, job->session_id)->id, 0);
}

TEST_F(summarizer_test, a_bad_answer_is_refused_and_nothing_is_stored) {
    said(ada_, "s1", "a");
    said(ada_, "s1", "b");
    said(ada_, "s2", "c");
    auto job = prepare_summary(*store_, ada_, {});
    ASSERT_TRUE(job);
    for (const std::string & bad : {std::string("not json"), std::string("{\"summary\": \"  \"}"), std::string("{\"text\": \"x\"}"),
                                  std::string("[\"x\"]"), answer(std::string(601, 'x')), std::string("{\"summary\": 3}")}) {
        auto r = apply_summary(*store_, *job, bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code(), status_code::invalid_argument);
        EXPECT_NE(r.error().message().find("refused"), std::string::npos);
    }
    EXPECT_EQ(store_->summaries().summary(ada_, job->session_id)->id, 0);
    EXPECT_TRUE(*apply_summary(*store_, *job, answer(std::string(600, 'x'))));
}

TEST_F(summarizer_test, nobody_reads_or_writes_anothers_summaries) {
    said(ada_, "s1", "Ada's secret heron.");
    said(ada_, "s1", "More about the heron.");
    said(ada_, "s2", "x");
    const auto ok = [](const std::vector<llm::chat_message> &, const llm::generation_options &) -> result<std::string> {
        return answer("Ada told of her secret heron.");
    };
    ASSERT_EQ(*summarize_now(*store_, ada_, ok), 2u);
    EXPECT_TRUE(prepare_summary(*store_, bob_, {})->empty());
    EXPECT_EQ(store_->summaries().summary(bob_, 0)->id, 0);
    EXPECT_TRUE(store_->summaries().session_summaries(bob_, 0, 10)->empty());
    EXPECT_TRUE(store_->summaries().search_summaries(bob_, {"secret", "heron"}, 10)->empty());
    EXPECT_EQ(store_->summaries().put_summary(bob_, session_id(ada_, "s1"), "mine", 1).code(), status_code::invalid_argument);
    memory::recall_options o;
    o.summaries = 1;
    EXPECT_TRUE(memory::recall(*store_, bob_, "secret heron", o)->empty());
}

TEST_F(summarizer_test, a_recalled_summary_stands_for_every_turn_of_its_session) {
    said(ada_, "s1", "We went to the coast.");
    said(ada_, "s1", "The waves were huge.");
    said(ada_, "s2", "x");
    const auto ok = [](const std::vector<llm::chat_message> &, const llm::generation_options &) -> result<std::string> {
        return answer("Ada's trip to the stormy coast.");
    };
    ASSERT_EQ(*summarize_now(*store_, ada_, ok), 2u);
    memory::recall_options o;
    o.summaries = 1;
    auto got = memory::recall(*store_, ada_, "stormy coast trip", o);
    ASSERT_TRUE(got);
    ASSERT_FALSE(got->empty());
    EXPECT_EQ(got->front().kind, memory::recalled_kind::summary);
    EXPECT_EQ(got->front().prov, (std::vector<std::string>{"t1", "t2"}));
    EXPECT_NE(got->front().text.find("Ada's trip to the stormy coast."), std::string::npos);
}

}  // namespace
}  // namespace os1::companion
