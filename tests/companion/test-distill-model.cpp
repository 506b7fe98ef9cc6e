// The distillation grammar with a real model file (random weights): whatever
// the model says, the answer is JSON of the expected shape, so a refusal can
// only be about its content (ids, texts), never its syntax.
#include <gtest/gtest.h>

#include "companion/fact_distiller.h"
#include "llm/chat_session.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

TEST(distill_model, the_grammar_gives_json_of_the_expected_shape) {
    auto m = llm::model::load(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(m) << m.error().message();
    auto session = llm::chat_session::create(*m, model_options{});
    ASSERT_TRUE(session);
    test::temp_dir d;
    auto store = memory::memory_store::open(d.file("m.db"));
    ASSERT_TRUE(store);
    const auto ada = *(*store)->person("ada", true);
    for (const char * text : {"My sister Zoe moved to Boston in May.", "I adopted a grey cat called Pixel."}) {
        memory::new_turn t;
        t.session = "s";
        t.ts = 1780000000;
        t.speaker = "ada";
        t.role = "user";
        t.text = text;
        ASSERT_TRUE((*store)->add_turn(ada, t));
    }
    auto b = prepare_distillation(**store, ada, {}, /*force=*/true);
    ASSERT_TRUE(b);
    std::string answer;
    auto st = (*session)->reply(distill_prompt(*b), distill_generation({}), {}, answer);
    ASSERT_TRUE(st) << st.error().message();
    auto parsed = parse_distillation(answer, *b);
    if (!parsed) {
        EXPECT_EQ(parsed.error().message().find("not a JSON object"), std::string::npos) << answer;
        EXPECT_EQ(parsed.error().message().find("no list of facts"), std::string::npos) << answer;
    }
    EXPECT_EQ(answer.rfind("{\"facts\": [", 0), 0u) << answer;
    EXPECT_EQ(answer.substr(answer.size() - 2), "]}") << answer;
}

}  // namespace
}  // namespace os1::companion
