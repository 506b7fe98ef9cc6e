#include <gtest/gtest.h>

#include "companion/emotion.h"
#include "companion/mood.h"
#include "companion/turn_memory.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

TEST(lexicon_reading, reads_common_feelings_negation_and_intensity) {
    auto r = lexicon_reading("I'm so happy today!");
    EXPECT_EQ(r.label, "joy");
    EXPECT_GT(r.valence, 0.5);
    EXPECT_EQ(r.source, "lexicon");
    r = lexicon_reading("My dog died yesterday and I feel sad.");
    EXPECT_EQ(r.label, "sadness");
    EXPECT_LT(r.valence, -0.5);
    r = lexicon_reading("I am not happy with how it went");
    EXPECT_EQ(r.label, "sadness");
    EXPECT_LT(r.valence, 0);
    r = lexicon_reading("I'm not scared anymore");
    EXPECT_EQ(r.label, "calm");
    EXPECT_GT(r.valence, 0);
    r = lexicon_reading("The meeting is at three.");
    EXPECT_EQ(r.label, "neutral");
    EXPECT_EQ(r.valence, 0);
    EXPECT_EQ(lexicon_reading("They LIED to me, I'm furious").label, "anger");
    EXPECT_EQ(lexicon_reading("so worried about the exam tomorrow").label, "fear");
    // Intensity and exclamation raise arousal, within bounds.
    EXPECT_GT(lexicon_reading("I am extremely angry!!!").arousal, lexicon_reading("I am angry").arousal);
    for (const char * s : {"!!!!!!!!!!", "very very very furious furious!!!!", ""}) {
        const auto x = lexicon_reading(s);
        EXPECT_GE(x.arousal, 0);
        EXPECT_LE(x.arousal, 1);
        EXPECT_GE(x.valence, -1);
        EXPECT_LE(x.valence, 1);
    }
}

TEST(parse_emotion, accepts_the_fixed_labels_in_range_only) {
    auto r = parse_emotion(R"({"label": "sadness", "valence": -0.6, "arousal": 0.3})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->label, "sadness");
    EXPECT_DOUBLE_EQ(r->valence, -0.6);
    EXPECT_EQ(r->source, "model");
    EXPECT_FALSE(parse_emotion(R"({"label": "boredom", "valence": 0.0, "arousal": 0.3})"));
    EXPECT_FALSE(parse_emotion(R"({"label": "joy", "valence": 1.5, "arousal": 0.3})"));
    EXPECT_FALSE(parse_emotion(R"({"label": "joy", "valence": 0.5, "arousal": -0.1})"));
    EXPECT_FALSE(parse_emotion(R"({"label": "joy"})"));
    EXPECT_FALSE(parse_emotion("joy"));
    for (const auto & l : emotion_labels()) EXPECT_NE(emotion_grammar().find("\"" + l + "\""), std::string::npos) << l;
}

TEST(tone_line, advises_for_strong_feelings_and_stays_silent_for_calm_ones) {
    memory::emotion_reading r;
    r.label = "sadness";
    r.valence = -0.7;
    r.arousal = 0.3;
    EXPECT_EQ(tone_line(r), "[They seem sad: be gentle and warm, listen more than advise.]\n\n");
    r.label = "neutral";
    EXPECT_EQ(tone_line(r), "");
    r.label = "calm";
    EXPECT_EQ(tone_line(r), "");
}

TEST(mood_series, averages_each_day_and_leaves_silent_days_empty) {
    const int64_t day = 86400;
    const int64_t now = 1780000000 / day * day + 3600;  // 01:00 UTC
    std::vector<memory::emotion_reading> readings = {
        {1, now - 2 * day, "joy", 0.8, 0.6, "lexicon"},   {2, now - 2 * day + 60, "joy", 0.6, 0.4, "model"},
        {3, now - 2 * day + 90, "sadness", -0.2, 0.2, "model"}, {4, now, "sadness", -0.8, 0.3, "model"},
        {5, now - 40 * day, "anger", -0.9, 0.9, "model"},  // outside the window
    };
    const auto s = mood_series(readings, now, 4);
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].messages, 0);
    EXPECT_EQ(s[1].messages, 3);
    EXPECT_DOUBLE_EQ(s[1].valence, 0.4);
    EXPECT_DOUBLE_EQ(s[1].arousal, 0.4);
    EXPECT_EQ(s[1].label, "joy");
    EXPECT_EQ(s[2].messages, 0);
    EXPECT_EQ(s[3].label, "sadness");
    EXPECT_EQ(sparkline(s), "·▆·▁");
    EXPECT_EQ(s[3].date, "2026-05-28");
    EXPECT_EQ(s[0].date, "2026-05-25");
    EXPECT_TRUE(mood_series(readings, now, 0).empty());
}

class feelings_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("memory.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
    }
    turn_context ctx(const std::string & person) { return {person, "c1", person, "OS1", now_ += 60, ""}; }
    // One turn as the server does it: the messages the model saw.
    std::vector<llm::chat_message> say(const std::string & person, const std::string & text, const memory_settings & s = {}) {
        std::vector<llm::chat_message> request = {{role::user, text}};
        auto p = prepare_turn(*store_, ctx(person), request, "Base.", s);
        EXPECT_TRUE(p) << p.error().message();
        if (!p) return {};
        EXPECT_TRUE(remember_reply(*store_, ctx(person), p->person, "I see."));
        return lay_out(p->parts);
    }
    std::vector<memory::emotion_reading> readings(const std::string & person) {
        auto who = store_->person(person, false);
        EXPECT_TRUE(who);
        auto r = store_->feelings().emotions_between(*who, 0, now_ + 1000, 100);
        EXPECT_TRUE(r);
        return r ? *r : std::vector<memory::emotion_reading>{};
    }

    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    int64_t now_ = 1780000000;
};

TEST_F(feelings_store_test, each_message_is_read_stored_with_it_and_shapes_the_prompt) {
    const auto seen = say("ada", "I'm so sad, my cat died this morning.");
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().content.rfind("[They seem sad", 0), 0u) << seen.back().content;
    EXPECT_NE(seen.back().content.find("be gentle and warm"), std::string::npos);
    const auto r = readings("ada");
    ASSERT_EQ(r.size(), 1u);  // the reply is not read, only the person's message
    EXPECT_EQ(r[0].label, "sadness");
    EXPECT_EQ(r[0].source, "lexicon");
    EXPECT_EQ(r[0].ts, now_ - 60);
    // A neutral message gets a reading but no tone line; with feelings off, neither.
    EXPECT_EQ(say("ada", "The bus leaves at nine.").back().content, "The bus leaves at nine.");
    EXPECT_EQ(readings("ada").size(), 2u);
    memory_settings off;
    off.feelings = false;
    EXPECT_EQ(say("ada", "I am furious!", off).back().content, "I am furious!");
    EXPECT_EQ(readings("ada").size(), 2u);
}

TEST_F(feelings_store_test, readings_belong_to_the_persons_own_messages_and_follow_corrections_and_forgetting) {
    say("ada", "I'm so happy!");
    say("bob", "Hello there");
    auto ada = store_->person("ada", false);
    auto bob = store_->person("bob", false);
    ASSERT_TRUE(ada && bob);
    auto ada_turns = store_->turns().list_turns(*ada, 0, 10);
    auto bob_turns = store_->turns().list_turns(*bob, 0, 10);
    ASSERT_TRUE(ada_turns && bob_turns);
    const int64_t ada_msg = (*ada_turns)[1].id, ada_reply = (*ada_turns)[0].id, bob_msg = (*bob_turns)[1].id;
    memory::emotion_reading r{ada_msg, 0, "love", 0.5, 0.5, "model"};
    EXPECT_TRUE(store_->feelings().put_emotion(*ada, r));
    EXPECT_EQ(readings("ada").front().source, "model");  // replaced, not added
    EXPECT_EQ(readings("ada").size(), 1u);
    r.turn_id = bob_msg;
    EXPECT_EQ(store_->feelings().put_emotion(*ada, r).code(), status_code::invalid_argument);  // not hers
    r.turn_id = ada_reply;
    EXPECT_EQ(store_->feelings().put_emotion(*ada, r).code(), status_code::invalid_argument);  // not a message of hers
    r.turn_id = ada_msg;
    r.valence = 1.5;
    EXPECT_EQ(store_->feelings().put_emotion(*ada, r).code(), status_code::invalid_argument);
    EXPECT_EQ(readings("bob").size(), 1u);

    ASSERT_TRUE(store_->turns().edit_turn(*ada, ada_msg, "I'm fine."));
    EXPECT_TRUE(readings("ada").empty());  // read again later
    auto missing = store_->feelings().turns_without_emotion(*ada, "", 10);
    ASSERT_TRUE(missing);
    ASSERT_EQ(missing->size(), 1u);
    EXPECT_EQ(*read_missing_feelings(*store_, *ada, 10), 1);
    EXPECT_EQ(readings("ada").front().label, "calm");
    EXPECT_EQ(store_->feelings().turns_without_emotion(*ada, "", 10)->size(), 0u);
    EXPECT_EQ(store_->feelings().turns_without_emotion(*ada, "model", 10)->size(), 1u);  // the word list's only
    ASSERT_TRUE(store_->turns().forget_turn(*ada, ada_msg));
    EXPECT_TRUE(readings("ada").empty());
}

TEST_F(feelings_store_test, a_model_reads_feelings_only_when_it_reads_the_probe_cases_right) {
    // A fake model that reads by one keyword each; another that always says joy.
    const completer sensible = [](const std::vector<llm::chat_message> & m, const llm::generation_options & g) -> result<std::string> {
        EXPECT_EQ(g.grammar, emotion_grammar());
        const std::string & text = m.back().content;
        const bool bad = text.find("died") != std::string::npos || text.find("furious") != std::string::npos ||
                         text.find("lonely") != std::string::npos;
        return std::string(bad ? R"({"label": "sadness", "valence": -0.7, "arousal": 0.4})"
                               : R"({"label": "joy", "valence": 0.7, "arousal": 0.6})");
    };
    const completer cheerful = [](const std::vector<llm::chat_message> &, const llm::generation_options &) -> result<std::string> {
        return std::string(R"({"label": "joy", "valence": 0.9, "arousal": 0.9})");
    };
    EXPECT_TRUE(model_reads_feelings(sensible));
    EXPECT_FALSE(model_reads_feelings(cheerful));

    say("ada", "I feel lonely tonight.");
    say("ada", "Lunch was at noon.");
    auto ada = store_->person("ada", false);
    ASSERT_TRUE(ada);
    auto n = read_feelings_now(*store_, *ada, sensible, 10, now_);
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(*n, 2);
    const auto r = readings("ada");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].source, "model");
    EXPECT_EQ(r[0].label, "sadness");
    EXPECT_EQ(r[1].label, "joy");
    EXPECT_EQ(*read_feelings_now(*store_, *ada, sensible, 10, now_), 0);  // nothing left to read
    // Messages older than 30 days keep the word list's reading.
    say("bob", "So sad today.");
    auto bob = store_->person("bob", false);
    EXPECT_EQ(*read_feelings_now(*store_, *bob, sensible, 10, now_ + 31 * 86400), 0);
}

}  // namespace
}  // namespace os1::companion
