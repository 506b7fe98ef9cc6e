#include <gtest/gtest.h>

#include <regex>

#include "base/utf8.h"
#include "llm/chat_session.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

class chat_session_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto m = model::load(test::tiny_model_path(), model_options{});
        ASSERT_TRUE(m) << m.error().message();
        model_ = *m;
    }
    static void TearDownTestSuite() { model_.reset(); }

    std::unique_ptr<chat_session> session(int ctx = 4096) {
        model_options mo;
        mo.ctx_tokens = ctx;
        auto s = chat_session::create(model_, mo);
        EXPECT_TRUE(s) << s.error().message();
        return s ? std::move(*s) : nullptr;
    }

    static generation_options greedy(int max_tokens = 12) {
        generation_options g;
        g.sampling.temperature = 0;
        g.max_tokens = max_tokens;
        return g;
    }

    static std::shared_ptr<model> model_;
};
std::shared_ptr<model> chat_session_test::model_;

TEST_F(chat_session_test, greedy_reply_is_the_same_in_every_session) {
    const std::vector<chat_message> msgs = {{"system", "Be brief."}, {"user", "Hello there"}};
    std::string a, b;
    ASSERT_TRUE(session()->reply(msgs, greedy(), {}, a));
    ASSERT_TRUE(session()->reply(msgs, greedy(), {}, b));
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
}

TEST_F(chat_session_test, a_grammar_holds_for_each_reply_and_a_broken_one_is_refused) {
    auto s = session();
    auto g = greedy(40);
    g.grammar = R"(root ::= "[" [a-z] [a-z]? ", " [a-z] [a-z]? "]")";  // bounded: noise never ends a free [a-z]+
    for (const char * ask : {"List two words", "Again"}) {  // each reply starts the grammar afresh
        std::string reply;
        ASSERT_TRUE(s->reply({{"user", ask}}, g, {}, reply));
        EXPECT_TRUE(std::regex_match(reply, std::regex(R"(\[[a-z]{1,2}, [a-z]{1,2}\])"))) << reply;
    }
    g.grammar = "root ::= [unclosed";
    std::string reply;
    EXPECT_EQ(s->reply({{"user", "x"}}, g, {}, reply).error().code(), status_code::invalid_argument);
}

TEST_F(chat_session_test, streamed_pieces_are_whole_utf8_and_add_up_to_the_reply) {
    std::string streamed, reply;
    bool all_valid = true;
    auto st = session()->reply({{"user", "Hi"}}, greedy(40),
                               [&](std::string_view piece) {
                                   all_valid = all_valid && utf8_is_valid(piece);
                                   streamed += piece;
                               },
                               reply);
    ASSERT_TRUE(st);
    EXPECT_TRUE(all_valid);
    EXPECT_EQ(streamed, reply);
    EXPECT_TRUE(utf8_is_valid(reply));
}

TEST_F(chat_session_test, second_turn_computes_only_its_new_tokens) {
    auto s = session();
    std::vector<chat_message> msgs = {{"system", "You are kind."}, {"user", "Tell me about the sea."}};
    std::string r1;
    auto t1 = s->reply(msgs, greedy(), {}, r1);
    ASSERT_TRUE(t1);
    EXPECT_EQ(t1->computed_tokens, t1->prompt_tokens);  // nothing cached yet
    EXPECT_EQ(t1->generated_tokens, 12);                // the tiny model never ends a turn early

    msgs.push_back({"assistant", r1});
    msgs.push_back({"user", "And the mountains?"});
    std::string r2;
    auto t2 = s->reply(msgs, greedy(), {}, r2);
    ASSERT_TRUE(t2);
    const int new_tokens = t2->prompt_tokens - t1->prompt_tokens - t1->generated_tokens;
    EXPECT_LT(t2->computed_tokens, t2->prompt_tokens / 2);
    // Re-tokenizing the reply may differ from the sampled tokens near its end.
    EXPECT_LE(t2->computed_tokens, new_tokens + 8);
}

TEST_F(chat_session_test, cached_and_fresh_sessions_give_the_same_reply) {
    auto warm = session();
    std::vector<chat_message> msgs = {{"user", "First question"}};
    std::string r1;
    ASSERT_TRUE(warm->reply(msgs, greedy(), {}, r1));
    msgs.push_back({"assistant", r1});
    msgs.push_back({"user", "Second question"});
    std::string from_cache, from_scratch;
    ASSERT_TRUE(warm->reply(msgs, greedy(), {}, from_cache));
    ASSERT_TRUE(session()->reply(msgs, greedy(), {}, from_scratch));
    EXPECT_EQ(from_cache, from_scratch);
}

TEST_F(chat_session_test, old_turns_are_dropped_to_fit_the_context) {
    auto s = session(256);
    std::vector<chat_message> msgs = {{"system", "Keep me."}};
    for (int i = 0; i < 12; ++i) {
        msgs.push_back({"user", "This is a fairly long message number " + std::to_string(i) + " about nothing at all."});
        msgs.push_back({"assistant", "An equally long and rambling answer, number " + std::to_string(i) + "."});
    }
    msgs.push_back({"user", "Newest"});
    std::string r;
    auto st = s->reply(msgs, greedy(16), {}, r);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_GT(st->dropped_messages, 0);
    EXPECT_LE(st->prompt_tokens + 16, 256);
}

TEST_F(chat_session_test, a_message_larger_than_the_context_is_refused) {
    std::string huge;
    for (int i = 0; i < 400; ++i) huge += "word ";
    std::string r;
    auto st = session(256)->reply({{"user", huge}}, greedy(), {}, r);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), status_code::invalid_argument);
    EXPECT_NE(st.error().message().find("too long"), std::string::npos);
}

TEST_F(chat_session_test, cancel_stops_and_the_session_stays_usable) {
    auto s = session();
    std::atomic<bool> cancel{false};
    std::string r;
    int pieces = 0;
    auto st = s->reply({{"user", "Go on"}}, greedy(200),
                       [&](std::string_view) {
                           if (++pieces == 3) cancel = true;
                       },
                       r, &cancel);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->reason, stop_reason::cancelled);
    EXPECT_LT(st->generated_tokens, 200);

    std::string again, fresh;
    ASSERT_TRUE(s->reply({{"user", "Another"}}, greedy(), {}, again));
    ASSERT_TRUE(session()->reply({{"user", "Another"}}, greedy(), {}, fresh));
    EXPECT_EQ(again, fresh);
}

TEST_F(chat_session_test, seeded_sampling_repeats_and_differs_by_seed) {
    generation_options g;
    g.sampling.temperature = 0.9f;
    g.max_tokens = 12;
    g.sampling.seed = 5;
    std::string a, b, c;
    ASSERT_TRUE(session()->reply({{"user", "Hi"}}, g, {}, a));
    ASSERT_TRUE(session()->reply({{"user", "Hi"}}, g, {}, b));
    g.sampling.seed = 6;
    ASSERT_TRUE(session()->reply({{"user", "Hi"}}, g, {}, c));
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST_F(chat_session_test, a_conversation_must_end_with_the_person) {
    std::string r;
    auto st = session()->reply({{"user", "Hi"}, {"assistant", "Hello"}}, greedy(), {}, r);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), status_code::invalid_argument);
}

TEST_F(chat_session_test, template_renders_chatml) {
    auto text = session()->render({{"system", "S"}, {"user", "U"}});
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
}

}  // namespace
}  // namespace os1::llm
