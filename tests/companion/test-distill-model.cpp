// The distillation grammar with a real model file (random weights): whatever
// the model says, the answer is JSON of the expected shape, so a refusal can
// only be about its content (ids, texts), never its syntax.
#include <gtest/gtest.h>

#include "companion/emotion.h"
#include "companion/fact_distiller.h"
#include "companion/persona.h"
#include "companion/persona_evolution.h"
#include "companion/summarizer.h"
#include "llm/complete.h"
#include "llm/engine.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

std::unique_ptr<llm::engine> one_conversation(std::shared_ptr<llm::model> m) {
    llm::engine_options o;
    o.parallel = 1;
    auto e = llm::engine::start(std::move(m), o);
    EXPECT_TRUE(e) << e.error().message();
    return e ? std::move(*e) : nullptr;
}

// The model's whole answer, each request a conversation of its own.
result<llm::reply_stats> ask(llm::llm_i & e, const std::vector<llm::chat_message> & messages, const llm::generation_options & g,
           std::string & answer) {
    static int n = 0;
    auto got = llm::complete(e, {"test", "q" + std::to_string(++n)}, messages, g);
    if (!got) return got.error();
    answer = got->text;
    return got->stats;
}

TEST(distill_model, the_grammar_gives_json_of_the_expected_shape) {
    auto m = llm::model::load(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(m) << m.error().message();
    auto engine = one_conversation(*m);
    ASSERT_TRUE(engine);
    test::temp_dir d;
    auto store = memory::memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    const auto ada = *(*store)->person("ada", true);
    for (const char * text : {"My sister Zoe moved to Boston in May.", "I adopted a grey cat called Pixel."}) {
        memory::new_turn t;
        t.session = "s";
        t.ts = 1780000000;
        t.speaker = "ada";
        t.role = role::user;
        t.text = text;
        ASSERT_TRUE((*store)->turns().add_turn(ada, t));
    }
    auto b = prepare_distillation(**store, ada, {}, /*force=*/true);
    ASSERT_TRUE(b);
    std::string answer;
    auto st = ask(*engine, distill_prompt(*b), distill_generation({}), answer);
    ASSERT_TRUE(st) << st.error().message();
    auto parsed = parse_distillation(answer, *b);
    if (!parsed) {
        EXPECT_EQ(parsed.error().message().find("not a JSON object"), std::string::npos) << answer;
        EXPECT_EQ(parsed.error().message().find("no list of facts"), std::string::npos) << answer;
    }
    EXPECT_EQ(answer.rfind("{\"facts\": [", 0), 0u) << answer;
    EXPECT_EQ(answer.substr(answer.size() - 2), "]}") << answer;
}

TEST(distill_model, the_summary_grammar_gives_a_summary_that_is_stored) {
    auto m = llm::model::load(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(m) << m.error().message();
    auto engine = one_conversation(*m);
    ASSERT_TRUE(engine);
    test::temp_dir d;
    auto store = memory::memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    const auto ada = *(*store)->person("ada", true);
    for (const char * key : {"s1", "s1", "s2"}) {
        memory::new_turn t;
        t.session = key;
        t.ts = 1780000000;
        t.speaker = "ada";
        t.role = role::user;
        t.text = "We talked about the heron by the mill.";
        ASSERT_TRUE((*store)->turns().add_turn(ada, t));
    }
    const auto complete = [&](const std::vector<llm::chat_message> & msgs, const llm::generation_options & g) -> result<std::string> {
        std::string answer;
        auto st = ask(*engine, msgs, g, answer);
        if (!st) return st.error();
        EXPECT_EQ(answer.rfind("{\"summary\": \"", 0), 0u) << answer;
        return answer;
    };
    // s1 is over (s2 began): its summary, then the person's portrait from it.
    auto made = summarize_now(**store, ada, complete);
    ASSERT_TRUE(made) << made.error().message();
    EXPECT_EQ(*made, 2u);
    EXPECT_NE((*store)->summaries().summary(ada, 0)->id, 0);
}

// The companion's grammars: naming, a feeling's reading and the persona's
// growth all give an answer their parser takes, whatever the model says.
TEST(distill_model, the_companion_grammars_give_answers_their_parsers_take) {
    auto m = llm::model::load(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(m) << m.error().message();
    auto engine = one_conversation(*m);
    ASSERT_TRUE(engine);
    std::string answer;
    for (const char * profile : {"", "How they describe themselves: a baker who loves the sea."}) {
        ASSERT_TRUE(ask(*engine, naming_prompt(profile), naming_generation(), answer));
        auto named = parse_naming(answer);
        ASSERT_TRUE(named) << named.error().message() << ": " << answer;
        EXPECT_FALSE(named->name.empty());
    }
    for (const auto & c : emotion_probe_cases()) {
        ASSERT_TRUE(ask(*engine, emotion_prompt(c.message), emotion_generation(), answer));
        auto r = parse_emotion(answer);
        EXPECT_TRUE(r) << r.error().message() << ": " << answer;
    }
    test::temp_dir d;
    auto store = memory::memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    const auto ada = *(*store)->person("ada", true);
    memory::new_turn t;
    t.session = "s";
    t.ts = 1780000000;
    t.speaker = "ada";
    t.role = role::user;
    t.text = "We talked about stars and my grandfather's telescope.";
    ASSERT_TRUE((*store)->turns().add_turn(ada, t));
    auto j = prepare_evolution(**store, ada, "OS1");
    ASSERT_TRUE(j);
    ASSERT_EQ(j->turns.size(), 1u);
    ASSERT_TRUE(ask(*engine, evolution_prompt(*j), evolution_generation(), answer));
    auto proposed = parse_evolution(answer, *j);
    ASSERT_TRUE(proposed) << proposed.error().message() << ": " << answer;
    auto v = apply_evolution(**store, *j, answer);
    ASSERT_TRUE(v) << v.error().message() << ": " << answer;  // the store takes what the grammar allows
}

}  // namespace
}  // namespace os1::companion
