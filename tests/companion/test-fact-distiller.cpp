#include <gtest/gtest.h>

#include "companion/fact_distiller.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

class distiller_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("m.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
        ada_ = *store_->person("ada", true);
        bob_ = *store_->person("bob", true);
    }
    int64_t said(memory::person_id who, const std::string & text) {
        memory::new_turn t;
        t.session = "s";
        t.ts = 1780000000 + ++n_;
        t.speaker = "ada";
        t.role = role::user;
        t.text = text;
        return *store_->turns().add_turn(who, t);
    }
    // A model that answers with ANSWER (and records what it was asked).
    completer model(std::string answer) {
        return [this, answer](const std::vector<llm::chat_message> & m, const llm::generation_options & g) -> result<std::string> {
            asked_ = m.back().content;
            grammar_ = g.grammar;
            return answer;
        };
    }
    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    memory::person_id ada_ = 0, bob_ = 0;
    int n_ = 0;
    std::string asked_, grammar_;
};

TEST_F(distiller_test, facts_are_stored_with_their_sources_and_the_turns_marked_done) {
    const int64_t a = said(ada_, "My sister Zoe moved to Boston in May.");
    const int64_t b = said(ada_, "I adopted a grey cat called Pixel.");
    const std::string answer = R"({"facts": [{"text": "Her sister Zoe moved to Boston in May.", "sources": [)" +
                               std::to_string(a) + R"(], "supersedes": [], "reinforces": null, "confidence": 0.9},
        {"text": "She has a grey cat called Pixel.", "sources": [)" + std::to_string(b) +
                               R"(], "supersedes": [], "reinforces": null, "confidence": 0.9}]})";
    auto n = distill_now(*store_, ada_, model(answer), {}, /*force=*/true);
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(*n, 2u);
    EXPECT_NE(asked_.find("[" + std::to_string(a) + "]"), std::string::npos);  // turns are numbered for citing
    EXPECT_EQ(grammar_, distill_grammar());
    auto facts = store_->facts().facts(ada_, false);
    ASSERT_EQ(facts->size(), 2u);
    EXPECT_EQ(facts->back().sources, (std::vector<int64_t>{a}));
    EXPECT_EQ(store_->facts().distill_progress(ada_)->upto_turn_id, b);
    // Nothing new: no model call.
    asked_.clear();
    EXPECT_EQ(*distill_now(*store_, ada_, model("{}"), {}, true), 0u);
    EXPECT_TRUE(asked_.empty());
}

TEST_F(distiller_test, a_contradiction_supersedes_and_a_repetition_reinforces) {
    const int64_t a = said(ada_, "Zoe lives in Boston.");
    ASSERT_TRUE(distill_now(*store_, ada_,
                            model(R"({"facts": [{"text": "Zoe lives in Boston.", "sources": [)" + std::to_string(a) +
                                  R"(], "supersedes": [], "reinforces": null, "confidence": 0.8}]})"),
                            {}, true));
    const int64_t boston = store_->facts().facts(ada_, false)->front().id;
    const int64_t b = said(ada_, "Zoe moved from Boston to Denver.");
    const int64_t c = said(ada_, "Zoe, as I said, is my sister.");
    const std::string answer = R"({"facts": [{"text": "Zoe lives in Denver.", "sources": [)" + std::to_string(b) +
                               R"(], "supersedes": [)" + std::to_string(boston) + R"(], "reinforces": null, "confidence": 0.9}]})";
    ASSERT_TRUE(distill_now(*store_, ada_, model(answer), {}, true));
    EXPECT_NE(asked_.find("[" + std::to_string(boston) + "] Zoe lives in Boston."), std::string::npos);  // known facts shown
    auto now = store_->facts().facts(ada_, false);
    ASSERT_EQ(now->size(), 1u);
    EXPECT_EQ(now->front().text, "Zoe lives in Denver.");
    EXPECT_EQ(store_->facts().fact_history(ada_, now->front().id)->size(), 2u);
    (void)c;
}

TEST_F(distiller_test, a_broken_or_wrong_answer_stores_nothing_and_is_counted) {
    const int64_t a = said(ada_, "I live in Lyon.");
    const int64_t bobs = said(bob_, "Bob's own turn.");
    const std::string good = R"({"text": "She lives in Lyon.", "sources": [)" + std::to_string(a) +
                             R"(], "supersedes": [], "reinforces": null, "confidence": 0.9})";
    for (const std::string & bad : {std::string("{\"facts\": [") + good,                                     // cut short
                                    std::string("not json at all"),
                                    R"({"facts": [)" + good + R"(, {"text": "", "sources": [1], "confidence": 0.5}]})",
                                    R"({"facts": [)" + good + R"(, {"text": "Bob's", "sources": [)" + std::to_string(bobs) +
                                        R"(], "confidence": 0.5}]})",                                          // another's turn
                                    R"({"facts": [{"text": "x", "sources": [)" + std::to_string(a) + R"(], "confidence": 7}]})",
                                    R"({"facts": [{"text": "x", "sources": [)" + std::to_string(a) +
                                        R"(], "supersedes": [424242], "confidence": 0.5}]})"}) {
        auto n = distill_now(*store_, ada_, model(bad), {}, true);
        EXPECT_FALSE(n) << bad;
        if (!n) {
            EXPECT_EQ(n.error().code(), status_code::invalid_argument) << n.error().message();
        }
        EXPECT_TRUE(store_->facts().facts(ada_, true)->empty()) << bad;
    }
    auto progress = store_->facts().distill_progress(ada_);
    EXPECT_EQ(progress->upto_turn_id, 0);  // tried again next time
    EXPECT_EQ(progress->failures, 6);
    EXPECT_NE(progress->last_error.find("refused"), std::string::npos);
    ASSERT_EQ(*distill_now(*store_, ada_, model(R"({"facts": [)" + good + "]}"), {}, true), 1u);
    EXPECT_EQ(store_->facts().distill_progress(ada_)->failures, 0);
}

TEST_F(distiller_test, it_waits_for_enough_new_turns) {
    said(ada_, "one");
    distill_options o;
    o.min_turns = 3;
    auto b = prepare_distillation(*store_, ada_, o);
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->turns.empty());
    said(ada_, "two");
    said(ada_, "three");
    b = prepare_distillation(*store_, ada_, o);
    EXPECT_EQ(b->turns.size(), 3u);
}

TEST_F(distiller_test, an_answer_about_turns_changed_while_the_model_ran_is_set_aside) {
    const int64_t a = said(ada_, "I live in Lyon.");
    said(ada_, "I like rain.");
    auto batch = prepare_distillation(*store_, ada_, {}, /*force=*/true);
    ASSERT_TRUE(batch);
    ASSERT_TRUE(store_->turns().edit_turn(ada_, a, "I live in Paris."));
    const std::string answer = R"({"facts": [{"text": "She lives in Lyon.", "sources": [)" + std::to_string(a) +
                               R"(], "supersedes": [], "reinforces": null, "confidence": 0.9}]})";
    auto n = apply_distillation(*store_, *batch, answer);
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(*n, 0u);
    EXPECT_TRUE(store_->facts().facts(ada_, true)->empty());
    const auto progress = store_->facts().distill_progress(ada_);
    EXPECT_EQ(progress->upto_turn_id, 0);  // read again, as they are now
    EXPECT_EQ(progress->failures, 0);      // not the model's fault
}

TEST_F(distiller_test, a_fact_lost_with_a_forgotten_turn_is_learned_again_from_the_turns_left) {
    const int64_t a = said(ada_, "My sister Zoe moved.");
    const int64_t b = said(ada_, "Zoe lives in Boston now.");
    const auto fact = [](const std::string & text, int64_t source) {
        return R"({"text": ")" + text + R"(", "sources": [)" + std::to_string(source) +
               R"(], "supersedes": [], "reinforces": null, "confidence": 0.8})";
    };
    const std::string both = R"({"text": "Her sister Zoe lives in Boston.", "sources": [)" + std::to_string(a) + "," +
                             std::to_string(b) + R"(], "supersedes": [], "reinforces": null, "confidence": 0.8})";
    ASSERT_EQ(*distill_now(*store_, ada_, model(R"({"facts": [)" + both + "]}"), {}, true), 1u);
    ASSERT_TRUE(store_->turns().forget_turn(ada_, a));
    EXPECT_TRUE(store_->facts().facts(ada_, true)->empty());
    // Without new turns and without FORCE, the turn left is read again.
    auto batch = prepare_distillation(*store_, ada_, {});
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->turns.size(), 1u);
    EXPECT_EQ(batch->turns[0].id, b);
    EXPECT_EQ(batch->redistilled, (std::vector<int64_t>{b}));
    EXPECT_EQ(batch->upto_turn_id, b);  // progress does not move back
    ASSERT_EQ(*distill_now(*store_, ada_, model(R"({"facts": [)" + fact("Zoe lives in Boston.", b) + "]}")), 1u);
    auto facts = store_->facts().facts(ada_, false);
    ASSERT_EQ(facts->size(), 1u);
    EXPECT_EQ(facts->front().sources, (std::vector<int64_t>{b}));
    EXPECT_TRUE(prepare_distillation(*store_, ada_, {})->turns.empty());
}

}  // namespace
}  // namespace os1::companion
