// The prompts of each stage of a relationship, pinned as golden files in
// tests/data/golden/prompt-*.txt: the naming call after the interview, an
// ordinary turn (base character, the chosen persona, the core profile from
// the answers, the tone line and the live figures), the persona's growth, and
// the feelings reading. A deliberate change of a prompt is made visible by
// running with OS1_UPDATE_GOLDEN=1 and reviewing the diff.
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/files.h"
#include "companion/emotion.h"
#include "companion/honesty.h"
#include "companion/onboarding.h"
#include "companion/persona_evolution.h"
#include "companion/turn_memory.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

constexpr int64_t t0 = 1796205600;  // 2026-12-02 10:00 UTC
constexpr const char * base_character = "You are an operating system with a voice and a self.";

std::string rendered(const std::vector<llm::chat_message> & messages) {
    std::string out;
    for (const auto & m : messages) out += "### " + std::string(role_name(m.role)) + "\n" + m.content + "\n\n";
    return out;
}

void expect_golden(const std::string & name, const std::string & text) {
    const std::string path = std::string(OS1_TEST_DATA) + "/golden/prompt-" + name + ".txt";
    if (const char * u = std::getenv("OS1_UPDATE_GOLDEN"); u && std::string(u) == "1") {
        ASSERT_TRUE(write_file_atomic(path, text));
    }
    auto golden = read_file(path);
    ASSERT_TRUE(golden) << path << ": " << golden.error().message() << " (run with OS1_UPDATE_GOLDEN=1 to write it)";
    EXPECT_EQ(text, *golden) << "the " << name << " prompt changed; if that is meant, run with OS1_UPDATE_GOLDEN=1";
}

TEST(prompt_goldens, each_stage_of_a_relationship) {
    test::temp_dir dir;
    auto opened = memory::memory_store::open(dir.file("memory.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    memory::memory_store & store = **opened;
    onboarding_settings settings;
    int64_t now = t0;
    const auto ctx = [&](const std::string & conversation) { return turn_context{"ada", conversation, "Ada", "OS1", now, ""}; };

    // The interview: three questions, then the naming call.
    const std::vector<std::string> answers = {"A painter who works at night.", "Someone to think out loud with.",
                                              "Plainly, and with a little humour."};
    auto step = onboarding_turn(store, ctx("first"), "Hello", settings);
    ASSERT_TRUE(step);
    ASSERT_EQ(step->type, onboarding_step::kind::reply);
    for (const auto & a : answers) {
        now += 60;
        step = onboarding_turn(store, ctx("first"), a, settings);
        ASSERT_TRUE(step) << step.error().message();
    }
    ASSERT_EQ(step->type, onboarding_step::kind::naming);
    expect_golden("naming", rendered(step->prompt));
    now += 60;
    auto intro = finish_naming(store, ctx("first"), step->person, std::string(R"({"name": "Samantha", "about": "A curious voice."})"),
                               settings);
    ASSERT_TRUE(intro) << intro.error().message();

    // An ordinary turn the next day: a sad message that asks about the others.
    now += 86400;
    memory_settings ms;
    ms.feelings = true;
    turn_context c = ctx("second");
    const std::string message = "I feel so lonely tonight. How many people are you talking to?";
    ASSERT_TRUE(asks_about_others(message));
    c.live_note = live_figures_note(3, 41);
    const std::vector<llm::chat_message> request = {{role::user, message}};
    auto turn = prepare_turn(store, c, request, base_character, ms);
    ASSERT_TRUE(turn) << turn.error().message();
    expect_golden("turn", rendered(lay_out(turn->parts)));
    now += 30;
    ASSERT_TRUE(remember_reply(store, c, turn->person, "Right now I am talking with 3 people, you among them."));

    // The persona's growth, and the feelings reading of that message.
    auto job = prepare_evolution(store, turn->person, "OS1");
    ASSERT_TRUE(job) << job.error().message();
    expect_golden("evolution", rendered(evolution_prompt(*job)));
    expect_golden("feelings", rendered(emotion_prompt(message)));
}

}  // namespace
}  // namespace os1::companion
