#include <gtest/gtest.h>

#include "companion/turn_memory.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

class turn_memory_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("memory.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
    }
    turn_context ctx(const std::string & person, const std::string & conversation) {
        return {person, conversation, person, "OS1", now_ += 60};
    }
    // One whole turn as a server does it; returns the messages the model saw.
    std::vector<llm::chat_message> say(const turn_context & c, std::vector<llm::chat_message> & history,
                                       const std::string & text, const std::string & reply) {
        history.push_back({"user", text});
        auto p = prepare_turn(*store_, c, history, "You are OS1.");
        EXPECT_TRUE(p) << p.error().message();
        if (!p) return {};
        EXPECT_TRUE(remember_reply(*store_, c, p->person, reply));
        history.push_back({"assistant", reply});
        return lay_out(p->parts);
    }

    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    int64_t now_ = 1780000000;
};

TEST_F(turn_memory_test, a_message_is_stored_before_the_reply_and_recalled_in_another_conversation) {
    std::vector<llm::chat_message> first, second;
    say(ctx("ada", "c1"), first, "My sister Zoe moved to Boston in May.", "How exciting for her!");
    const auto seen = say(ctx("ada", "c2"), second, "Where does my sister live now?", "In Boston.");
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].content, "You are OS1.");
    EXPECT_NE(seen[1].content.find("ada: My sister Zoe moved to Boston in May."), std::string::npos) << seen[1].content;
    EXPECT_NE(seen[1].content.find("Where does my sister live now?"), std::string::npos);

    auto ada = store_->person("ada", false);
    ASSERT_TRUE(ada);
    auto turns = store_->list_turns(*ada, 0, 10);
    ASSERT_TRUE(turns);
    ASSERT_EQ(turns->size(), 4u);
    EXPECT_EQ((*turns)[0].role, "assistant");
    EXPECT_EQ((*turns)[0].speaker, "OS1");
    EXPECT_EQ((*turns)[1].text, "Where does my sister live now?");
    EXPECT_NE((*turns)[1].recalled.find("Boston"), std::string::npos);
}

TEST_F(turn_memory_test, history_is_sent_again_exactly_as_before_so_the_kv_prefix_holds) {
    std::vector<llm::chat_message> old, talk;
    say(ctx("ada", "c1"), old, "I adopted a grey cat named Pixel.", "Lovely.");
    const auto turn1 = say(ctx("ada", "c2"), talk, "Pixel knocked over my cat's water bowl.", "Oh no.");
    ASSERT_NE(turn1.back().content.find("grey cat named Pixel"), std::string::npos);
    const auto turn2 = say(ctx("ada", "c2"), talk, "What should I do about it?", "Get a heavier bowl.");
    // Every message of turn 1 comes back unchanged at the start of turn 2, then the reply.
    ASSERT_GE(turn2.size(), turn1.size() + 2);
    for (size_t i = 0; i < turn1.size(); ++i) EXPECT_EQ(turn2[i].content, turn1[i].content) << i;
    EXPECT_EQ(turn2[turn1.size()].content, "Oh no.");
}

TEST_F(turn_memory_test, what_the_prompt_already_holds_is_not_recalled_again) {
    std::vector<llm::chat_message> talk;
    say(ctx("ada", "c1"), talk, "The heron came back to the pond.", "Wonderful.");
    const auto seen = say(ctx("ada", "c1"), talk, "Do you think the heron will stay?", "Perhaps.");
    EXPECT_EQ(seen.back().content, "Do you think the heron will stay?");
}

TEST_F(turn_memory_test, a_retried_request_is_stored_once_with_the_same_prompt) {
    std::vector<llm::chat_message> old;
    say(ctx("ada", "c1"), old, "Zoe lives in Boston.", "Noted.");
    const std::vector<llm::chat_message> req = {{"user", "Tell me about Zoe in Boston"}};
    auto a = prepare_turn(*store_, ctx("ada", "c2"), req, "");
    auto b = prepare_turn(*store_, ctx("ada", "c2"), req, "");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->user_turn_id, b->user_turn_id);
    EXPECT_EQ(lay_out(a->parts).back().content, lay_out(b->parts).back().content);
    EXPECT_EQ(*store_->count_turns(a->person), 3);
}

TEST_F(turn_memory_test, one_person_never_recalls_another_persons_memories) {
    std::vector<llm::chat_message> a, b;
    say(ctx("ada", "c"), a, "My PIN is CANARY-4471 and my sister lives in Boston.", "I will keep it safe.");
    const auto seen = say(ctx("bob", "c"), b, "What is my PIN? Where does my sister live? CANARY Boston", "I don't know.");
    for (const auto & m : seen) EXPECT_EQ(m.content.find("4471"), std::string::npos) << m.content;
    EXPECT_EQ(seen.back().content, "What is my PIN? Where does my sister live? CANARY Boston");
}

TEST_F(turn_memory_test, the_core_profile_is_its_own_system_message_after_the_persona) {
    auto ada = store_->person("ada", true);
    ASSERT_TRUE(ada);
    ASSERT_TRUE(store_->set_profile(*ada, "Ada paints at night."));
    std::vector<llm::chat_message> talk;
    const auto seen = say(ctx("ada", "c"), talk, "Hello", "Hello, Ada.");
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].content, "You are OS1.");
    EXPECT_NE(seen[1].content.find("Ada paints at night."), std::string::npos);
}

TEST_F(turn_memory_test, bad_requests_are_refused_and_nothing_is_stored) {
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {}, "").error().code(), status_code::invalid_argument);
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {{"assistant", "hi"}}, "").error().code(), status_code::invalid_argument);
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {{"user", std::string("bad \xff utf8")}}, "").error().code(),
              status_code::invalid_argument);
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {{"user", std::string(70000, 'x')}}, "").error().code(),
              status_code::invalid_argument);
    auto ada = store_->person("ada", true);
    EXPECT_EQ(*store_->count_turns(*ada), 0);
}

}  // namespace
}  // namespace os1::companion
