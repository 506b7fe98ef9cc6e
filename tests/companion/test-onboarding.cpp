#include <gtest/gtest.h>

#include "companion/onboarding.h"
#include "companion/persona.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

using kind = onboarding_step::kind;

class onboarding_test : public ::testing::Test {
protected:
    void SetUp() override { open(); }
    void open() {
        store_.reset();
        auto s = memory::memory_store::open(dir_.file("memory.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
    }
    turn_context ctx(const std::string & person, const std::string & conversation = "c1") {
        return {person, conversation, person, "OS1", now_ += 60, ""};
    }
    onboarding_step step(const std::string & person, const std::string & message, const std::string & conversation = "c1") {
        auto s = onboarding_turn(*store_, ctx(person, conversation), message, settings_);
        EXPECT_TRUE(s) << s.error().message();
        return s ? *s : onboarding_step{};
    }
    memory::person_id id(const std::string & person) {
        auto who = store_->person(person, false);
        EXPECT_TRUE(who);
        return who ? *who : 0;
    }
    std::vector<memory::turn_record> turns(const std::string & person) {
        auto t = store_->turns().session_tail(id(person), "c1", 100);
        EXPECT_TRUE(t);
        return t ? *t : std::vector<memory::turn_record>{};
    }

    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    onboarding_settings settings_;
    int64_t now_ = 1780000000;
};

TEST_F(onboarding_test, the_interview_asks_three_questions_then_the_os_names_itself_and_keeps_the_name_after_a_restart) {
    const auto & q = interview_questions();
    ASSERT_EQ(q.size(), 3u);
    auto s = step("theo", "Hello?");
    ASSERT_EQ(s.type, kind::reply);
    EXPECT_EQ(s.reply, q[0]);
    s = step("theo", "I write letters for other people.\nI am shy.");
    ASSERT_EQ(s.type, kind::reply);
    EXPECT_EQ(s.reply, q[1]);
    s = step("theo", "Someone to talk to in the evenings.");
    EXPECT_EQ(s.reply, q[2]);
    s = step("theo", "Gently, with a little humour.");
    ASSERT_EQ(s.type, kind::naming);
    EXPECT_EQ(s.gen.grammar, naming_grammar());
    ASSERT_EQ(s.prompt.size(), 2u);
    EXPECT_NE(s.prompt[1].content.find("How they describe themselves: I write letters for other people. I am shy."), std::string::npos)
        << s.prompt[1].content;
    EXPECT_NE(s.prompt[1].content.find("How they like to be spoken to: Gently, with a little humour."), std::string::npos);

    auto reply = finish_naming(*store_, ctx("theo"), s.person,
                               std::string(R"({"name": "Samantha", "about": "I am curious about everything."})"), settings_);
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_NE(reply->find("I'd like to be called Samantha. I am curious about everything."), std::string::npos) << *reply;

    // Everything said is stored, in order, as the conversation's turns.
    const auto t = turns("theo");
    ASSERT_EQ(t.size(), 8u);
    EXPECT_EQ(t[0].text, "Hello?");
    EXPECT_EQ(t[1].text, q[0]);
    EXPECT_EQ(t[6].text, "Gently, with a little humour.");
    EXPECT_EQ(t[7].text, *reply);
    EXPECT_EQ(t[7].role, role::assistant);

    open();  // a restart
    auto profile = store_->profiles().profile(id("theo"));
    ASSERT_TRUE(profile);
    EXPECT_EQ(*profile, "How they describe themselves: I write letters for other people. I am shy.\n"
                        "What they hope for from their OS: Someone to talk to in the evenings.\n"
                        "How they like to be spoken to: Gently, with a little humour.");
    auto p = store_->personas().persona(id("theo"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->version, 1);
    EXPECT_EQ(p->name, "Samantha");
    EXPECT_EQ(p->source, "onboarding");
    EXPECT_EQ(store_->personas().onboarding(id("theo"))->stage, memory::onboarding_stage::done);

    // From now on: ordinary turns, with the name and the answers in the prompt.
    EXPECT_EQ(step("theo", "What shall we do today?").type, kind::none);
    std::vector<llm::chat_message> request = {{role::user, "What shall we do today?"}};
    auto turn = prepare_turn(*store_, ctx("theo", "c2"), request, "You are an OS.");
    ASSERT_TRUE(turn) << turn.error().message();
    const auto messages = lay_out(turn->parts);
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[0].content, "You are an OS.");
    EXPECT_EQ(messages[1].content.rfind("With this person your name is Samantha. How you describe yourself: I am curious", 0), 0u)
        << messages[1].content;
    EXPECT_NE(messages[1].content.find("How they like to be spoken to: Gently"), std::string::npos);
}

TEST_F(onboarding_test, a_retried_request_gets_the_same_question_and_the_interview_does_not_advance) {
    const auto & q = interview_questions();
    EXPECT_EQ(step("ann", "Hi").reply, q[0]);
    EXPECT_EQ(step("ann", "Hi").reply, q[0]);
    EXPECT_EQ(step("ann", "A gardener.").reply, q[1]);
    EXPECT_EQ(step("ann", "A gardener.").reply, q[1]);  // the reply was lost: the same again
    EXPECT_EQ(store_->personas().onboarding(id("ann"))->question, 1);
    EXPECT_EQ(turns("ann").size(), 4u);
    EXPECT_EQ(*store_->profiles().profile(id("ann")), "How they describe themselves: A gardener.");
}

TEST_F(onboarding_test, skipping_goes_straight_to_naming_and_is_recorded_as_skipped) {
    EXPECT_EQ(step("bo", "hey").type, kind::reply);
    const auto s = step("bo", "Skip!");
    ASSERT_EQ(s.type, kind::naming);
    EXPECT_NE(s.prompt[1].content.find("(they preferred not to say yet)"), std::string::npos);
    auto reply = finish_naming(*store_, ctx("bo"), s.person, std::string(R"({"name": "Io", "about": "A quiet voice in your ear."})"),
                               settings_);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->rfind("All right", 0), 0u) << *reply;
    EXPECT_EQ(store_->personas().onboarding(id("bo"))->stage, memory::onboarding_stage::skipped);
    EXPECT_EQ(store_->personas().persona(id("bo"))->name, "Io");
    EXPECT_EQ(*store_->profiles().profile(id("bo")), "");
}

TEST_F(onboarding_test, a_naming_answer_that_is_not_valid_gives_the_default_name_and_never_an_empty_one) {
    settings_.default_name = "Companion";
    step("cy", "hello");
    step("cy", "skip");
    for (const std::string bad : {"", "{\"name\": \"\"}", "not json", "{\"name\": \"   \"}", "{\"name\": \"!!!\"}"}) {
        EXPECT_FALSE(parse_naming(bad)) << bad;
    }
    auto reply = finish_naming(*store_, ctx("cy"), id("cy"), std::string("{\"name\": \"\"}"), settings_);
    ASSERT_TRUE(reply);
    const auto p = store_->personas().persona(id("cy"));
    EXPECT_EQ(p->name, "Companion");
    EXPECT_NE(p->reason.find("no valid name"), std::string::npos);
    // A model that could not be asked at all: the same.
    step("dee", "hello");
    step("dee", "skip");
    reply = finish_naming(*store_, ctx("dee"), id("dee"), result<std::string>(status(status_code::cancelled, "stopping")), settings_);
    ASSERT_TRUE(reply);
    EXPECT_EQ(store_->personas().persona(id("dee"))->name, "Companion");
}

TEST_F(onboarding_test, a_naming_that_did_not_finish_is_asked_again_at_the_next_message) {
    step("eve", "hi");
    ASSERT_EQ(step("eve", "skip").type, kind::naming);
    // No finish_naming: the server stopped. The next message asks again, stored once.
    ASSERT_EQ(step("eve", "are you there?").type, kind::naming);
    ASSERT_EQ(step("eve", "are you there?").type, kind::naming);
    EXPECT_EQ(turns("eve").size(), 4u);
    ASSERT_TRUE(finish_naming(*store_, ctx("eve"), id("eve"), std::string(R"({"name": "Mira", "about": "Here now, at last."})"),
                              settings_));
    EXPECT_EQ(step("eve", "good").type, kind::none);
}

TEST_F(onboarding_test, people_who_talked_before_the_interview_existed_are_not_asked_and_get_the_default_name) {
    auto who = store_->person("old", true);
    ASSERT_TRUE(who);
    ASSERT_TRUE(store_->turns().add_turn(*who, turn_of(ctx("old"), role::user, "old", "Hello from last year")));
    EXPECT_EQ(step("old", "Hi again").type, kind::none);
    const auto p = store_->personas().persona(*who);
    EXPECT_EQ(p->name, "OS1");
    EXPECT_EQ(p->source, "default");
    EXPECT_EQ(store_->personas().onboarding(*who)->stage, memory::onboarding_stage::done);
}

TEST_F(onboarding_test, with_the_interview_off_nothing_is_asked_or_stored) {
    settings_.enabled = false;
    EXPECT_EQ(step("fay", "Hi").type, kind::none);
    EXPECT_EQ(store_->personas().persona(id("fay"))->version, 0);
    EXPECT_TRUE(turns("fay").empty());
}

TEST_F(onboarding_test, renaming_during_the_interview_ends_it_and_a_late_naming_keeps_the_persons_choice) {
    step("gus", "hi");
    const auto s = step("gus", "skip");
    ASSERT_EQ(s.type, kind::naming);
    auto renamed = rename_persona(*store_, id("gus"), "  Kit ");
    ASSERT_TRUE(renamed) << renamed.error().message();
    EXPECT_EQ(renamed->name, "Kit");
    auto reply = finish_naming(*store_, ctx("gus"), id("gus"), std::string(R"({"name": "Nova", "about": "Bright and new."})"), settings_);
    ASSERT_TRUE(reply);
    EXPECT_NE(reply->find("called Kit"), std::string::npos) << *reply;
    EXPECT_EQ(store_->personas().persona(id("gus"))->name, "Kit");
    EXPECT_EQ(step("gus", "ok").type, kind::none);
}

}  // namespace
}  // namespace os1::companion
