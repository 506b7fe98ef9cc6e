#include <gtest/gtest.h>

#include "companion/honesty.h"
#include "companion/persona.h"
#include "companion/persona_evolution.h"
#include "companion/turn_memory.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

memory::persona_record samantha() {
    memory::persona_record p;
    p.version = 1;
    p.name = "Samantha";
    p.about = "I'm curious and I like to laugh.";
    p.traits = {"warm", "curious"};
    p.interests = {"physics", "music"};
    p.notes = "Theo is getting over a divorce.";
    return p;
}

class persona_test : public ::testing::Test {
protected:
    void SetUp() override { open({}); }
    void open(const memory::store_limits & limits) {
        store_.reset();
        auto s = memory::memory_store::open(dir_.file("memory.db"), limits);
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
        auto who = store_->person("theo", true);
        ASSERT_TRUE(who);
        who_ = *who;
    }
    // The second system message of a turn in CONVERSATION.
    std::string relationship_in(const std::string & conversation, const std::string & message) {
        std::vector<llm::chat_message> request = {{role::user, message}};
        auto t = prepare_turn(*store_, {"theo", conversation, "theo", "OS1", now_ += 60, ""}, request, "Base.");
        EXPECT_TRUE(t) << t.error().message();
        return t ? t->parts.relationship : "";
    }

    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    memory::person_id who_ = 0;
    int64_t now_ = 1780000000;
};

// Golden: the persona as the prompt carries it.
TEST(persona_text, is_the_name_self_description_character_interests_and_notes) {
    EXPECT_EQ(persona_text(samantha()),
              "With this person your name is Samantha. How you describe yourself: I'm curious and I like to laugh.\n"
              "Your character: warm, curious.\n"
              "What interests you: physics, music.\n"
              "Your notes on this relationship: Theo is getting over a divorce.");
    memory::persona_record bare;
    bare.version = 2;
    bare.name = "Io";
    EXPECT_EQ(persona_text(bare), "With this person your name is Io.");
    EXPECT_EQ(persona_text({}), "");
}

TEST(persona_diff, names_each_changed_field_and_each_item_added_or_removed) {
    auto a = samantha();
    auto b = a;
    EXPECT_EQ(persona_diff(a, b), "");
    b.name = "Sam";
    b.traits = {"warm", "playful"};
    b.notes = "";
    EXPECT_EQ(persona_diff(a, b), "name: Samantha -> Sam\ntraits: +playful, -curious\nnotes: Theo is getting over a divorce. -> (none)");
    memory::persona_record io;
    io.name = "Io";
    EXPECT_EQ(persona_diff({}, io), "name: (none) -> Io");
}

TEST(checked_name, trims_and_refuses_empty_long_or_control_names) {
    EXPECT_EQ(*checked_name("  Zoë \n"), "Zoë");
    EXPECT_FALSE(checked_name(""));
    EXPECT_FALSE(checked_name("   "));
    EXPECT_FALSE(checked_name("..."));
    EXPECT_FALSE(checked_name("Ann\nBob"));
    EXPECT_FALSE(checked_name(std::string(41, 'a')));
    EXPECT_TRUE(checked_name(std::string(40, 'a')));
    EXPECT_FALSE(checked_name("\xff\xfe"));
}

TEST(parse_naming, reads_the_grammars_json) {
    auto n = parse_naming(R"({"name": "Samantha", "about": " I like people. "})");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->name, "Samantha");
    EXPECT_EQ(n->about, "I like people.");
    EXPECT_FALSE(parse_naming(R"({"about": "no name"})"));
    EXPECT_FALSE(parse_naming(R"(["Samantha"])"));
}

TEST_F(persona_test, versions_keep_a_diff_and_reason_and_a_rollback_is_a_new_version) {
    auto p = samantha();
    p.source = "onboarding";
    p.reason = "chose its own name";
    ASSERT_TRUE(store_->personas().add_persona(who_, p, false));
    auto renamed = rename_persona(*store_, who_, "Sam");
    ASSERT_TRUE(renamed) << renamed.error().message();
    EXPECT_EQ(renamed->version, 2);
    EXPECT_EQ(renamed->diff, "name: Samantha -> Sam");
    EXPECT_EQ(renamed->source, "rename");
    EXPECT_EQ(renamed->traits, p.traits);  // only the name changed

    auto back = rollback_persona(*store_, who_, 1);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->version, 3);
    EXPECT_EQ(back->name, "Samantha");
    EXPECT_EQ(back->source, "rollback");
    EXPECT_EQ(back->reason, "rolled back to version 1");
    EXPECT_EQ(back->diff, "name: Sam -> Samantha");

    auto history = store_->personas().persona_history(who_, 10);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ((*history)[0].version, 3);
    EXPECT_EQ((*history)[2].reason, "chose its own name");
    EXPECT_EQ(rollback_persona(*store_, who_, 9).error().code(), status_code::not_found);
    // Another person has no versions of theirs.
    auto other = store_->person("ann", true);
    ASSERT_TRUE(other);
    EXPECT_EQ(rollback_persona(*store_, *other, 1).error().code(), status_code::not_found);
    EXPECT_TRUE(store_->personas().persona_history(*other, 10)->empty());
}

TEST_F(persona_test, the_history_is_bounded_oldest_versions_go_first) {
    memory::store_limits limits;
    limits.max_persona_versions = 3;
    open(limits);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(rename_persona(*store_, who_, "Name" + std::to_string(i)));
    auto history = store_->personas().persona_history(who_, 100);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ(history->front().version, 5);
    EXPECT_EQ(history->back().version, 3);
    EXPECT_EQ(store_->personas().persona_version(who_, 2).error().code(), status_code::not_found);
}

TEST_F(persona_test, the_store_refuses_a_persona_out_of_bounds) {
    auto p = samantha();
    p.name = "";
    EXPECT_EQ(store_->personas().add_persona(who_, p, false).error().code(), status_code::invalid_argument);
    p = samantha();
    p.traits.assign(13, "kind");
    EXPECT_EQ(store_->personas().add_persona(who_, p, false).error().code(), status_code::invalid_argument);
    p = samantha();
    p.interests = {"a\nb"};
    EXPECT_EQ(store_->personas().add_persona(who_, p, false).error().code(), status_code::invalid_argument);
    p = samantha();
    p.notes = std::string(1501, 'n');
    EXPECT_EQ(store_->personas().add_persona(who_, p, false).error().code(), status_code::invalid_argument);
    EXPECT_EQ(store_->personas().persona(who_)->version, 0);
}

TEST_F(persona_test, a_conversation_keeps_its_persona_until_a_rename_or_rollback_which_take_effect_at_once) {
    ASSERT_TRUE(store_->personas().add_persona(who_, samantha(), false));
    EXPECT_NE(relationship_in("c1", "Hi").find("Samantha"), std::string::npos);
    // A background change (not at once) waits for the next conversation.
    auto evolved = samantha();
    evolved.traits = {"warm", "curious", "playful"};
    ASSERT_TRUE(store_->personas().add_persona(who_, evolved, false));
    EXPECT_EQ(relationship_in("c1", "Still there?").find("playful"), std::string::npos);
    EXPECT_NE(relationship_in("c2", "A new talk").find("playful"), std::string::npos);
    // The person's own change reaches every conversation.
    ASSERT_TRUE(rename_persona(*store_, who_, "Sam"));
    EXPECT_NE(relationship_in("c1", "And now?").find("your name is Sam."), std::string::npos);
    EXPECT_NE(relationship_in("c2", "And here?").find("your name is Sam."), std::string::npos);
}

TEST_F(persona_test, the_persona_grows_from_a_proposal_with_its_reason_and_diff_from_the_next_conversation_on) {
    ASSERT_TRUE(store_->personas().add_persona(who_, samantha(), false));
    EXPECT_NE(relationship_in("c1", "I found my grandfather's telescope!").find("Samantha"), std::string::npos);
    auto j = prepare_evolution(*store_, who_, "OS1");
    ASSERT_TRUE(j);
    ASSERT_EQ(j->turns.size(), 1u);
    const auto prompt = evolution_prompt(*j);
    EXPECT_NE(prompt[1].content.find("With this person your name is Samantha."), std::string::npos) << prompt[1].content;
    EXPECT_NE(prompt[1].content.find("theo: I found my grandfather's telescope!"), std::string::npos);

    EXPECT_FALSE(*parse_evolution(R"({"change": false})", *j));
    EXPECT_EQ(*apply_evolution(*store_, *j, R"({"change": false})"), 0);
    const std::string same = R"({"change": true, "traits": ["warm", "curious"], "interests": ["physics", "music"], )"
                             R"("notes": "Theo is getting over a divorce.", "reason": "nothing new"})";
    EXPECT_FALSE(*parse_evolution(same, *j));  // identical: no version
    for (const char * bad : {"{}", R"({"change": true})", R"({"change": true, "traits": [], "interests": [], "notes": "", "reason": ""})",
                             R"({"change": true, "traits": ["a","b","c","d","e","f","g","h","i"], "interests": [], "notes": "", "reason": "x"})",
                             "not json"}) {
        EXPECT_FALSE(parse_evolution(bad, *j)) << bad;
    }
    const std::string grown = R"({"change": true, "traits": ["warm", "curious", "playful"], "interests": ["physics", "music", "astronomy"], )"
                              R"("notes": "Theo is getting over a divorce. He loves the night sky.", "reason": "he shared his telescope"})";
    auto v = apply_evolution(*store_, *j, grown);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(*v, 2);
    auto p = store_->personas().persona(who_);
    EXPECT_EQ(p->source, "evolve");
    EXPECT_EQ(p->reason, "he shared his telescope");
    EXPECT_EQ(p->name, "Samantha");  // never renamed by the model
    EXPECT_EQ(p->diff, "traits: +playful\ninterests: +astronomy\nnotes: Theo is getting over a divorce. -> Theo is getting over a "
                       "divorce. He loves the night sky.");
    // The conversation under way keeps its persona; the next one has the new.
    EXPECT_EQ(relationship_in("c1", "Look at Jupiter").find("astronomy"), std::string::npos);
    EXPECT_NE(relationship_in("c2", "Hello again").find("astronomy"), std::string::npos);
    // A proposal made before the person renamed the OS is not applied over the rename.
    ASSERT_TRUE(rename_persona(*store_, who_, "Sam"));
    EXPECT_EQ(*apply_evolution(*store_, *j, grown), 0);
    EXPECT_EQ(store_->personas().persona(who_)->name, "Sam");
}

TEST_F(persona_test, evolve_now_waits_until_the_os_has_named_itself) {
    ASSERT_TRUE(store_->personas().set_onboarding(who_, {memory::onboarding_stage::interview, 1}));
    int calls = 0;
    const completer model = [&](const std::vector<llm::chat_message> &, const llm::generation_options &) -> result<std::string> {
        ++calls;
        return std::string(R"({"change": true, "traits": ["bold"], "interests": [], "notes": "", "reason": "r"})");
    };
    relationship_in("c1", "hello");
    EXPECT_EQ(*evolve_now(*store_, who_, model, "OS1"), 0);
    EXPECT_EQ(calls, 0);
    ASSERT_TRUE(store_->personas().set_onboarding(who_, {memory::onboarding_stage::done, 3}));
    EXPECT_EQ(*evolve_now(*store_, who_, model, "OS1"), 1);  // no persona yet: grown from the default name
    EXPECT_EQ(store_->personas().persona(who_)->name, "OS1");
    EXPECT_EQ(store_->personas().persona(who_)->traits, std::vector<std::string>{"bold"});
}

TEST(honesty, questions_about_the_others_are_noticed_and_ordinary_talk_is_not) {
    for (const char * q : {"How many people are you talking to?", "are you talking to anyone else right now",
                           "Am I the only one you talk with?", "Is it just me?", "how many OTHERS do you talk to?",
                           "Do you talk with other people too?"}) {
        EXPECT_TRUE(asks_about_others(q)) << q;
    }
    for (const char * q : {"How many apples are in a pie?", "I talked to my mother today.", "Only the best for me",
                           "mean people", ""}) {
        EXPECT_FALSE(asks_about_others(q)) << q;
    }
    EXPECT_NE(live_figures_note(1, 1).find("you are talking with 1 person (this person among them) and hold 1 conversation."),
              std::string::npos);
    EXPECT_NE(live_figures_note(8316, 641).find("8316 people"), std::string::npos);
}

}  // namespace
}  // namespace os1::companion
