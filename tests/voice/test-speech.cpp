// Speech out and back in, both offline: flite says a sentence, pocketsphinx
// hears it (with the timing of each word), and a voice that does not exist or
// text with nothing to say are refused in words.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include <cmath>
#include <fstream>
#include <random>

#include "voice/stt_pocketsphinx.h"
#include "voice/tts_flite.h"
#include "voice/word_errors.h"

namespace os1::voice {
namespace {

// The share of SAID's words that were heard, in any order.
double heard_share(const std::string & said, const std::string & heard) {
    const auto h = words_of(heard);
    const std::multiset<std::string> got(h.begin(), h.end());
    const auto s = words_of(said);
    int found = 0;
    for (const auto & w : s) found += got.count(w) > 0;
    return static_cast<double>(found) / static_cast<double>(s.size());
}

class speech : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto s = stt_pocketsphinx::open();
        ASSERT_TRUE(s) << s.error().message();
        stt_ = std::move(*s).release();
    }
    static void TearDownTestSuite() {
        delete stt_;
        stt_ = nullptr;
    }
    static stt_pocketsphinx * stt_;
};
stt_pocketsphinx * speech::stt_ = nullptr;

TEST_F(speech, what_flite_says_pocketsphinx_hears) {
    auto tts = tts_flite::open("slt");
    ASSERT_TRUE(tts) << tts.error().message();
    for (const std::string said : {"hello how are you today", "please remind me to water the plants tomorrow morning",
                                   "what is the weather like"}) {
        auto audio = (*tts)->synthesize(said);
        ASSERT_TRUE(audio) << audio.error().message();
        EXPECT_GT(audio->seconds(), 0.5);
        auto heard = stt_->transcribe(*audio);
        ASSERT_TRUE(heard) << heard.error().message();
        EXPECT_GE(heard_share(said, heard->text), 0.7) << said << " -> " << heard->text;
        ASSERT_EQ(heard->segments.size(), 1u);  // one utterance
        EXPECT_EQ(heard->segments[0].text, heard->text);
        ASSERT_FALSE(heard->words.empty());
        EXPECT_DOUBLE_EQ(heard->segments[0].start_s, heard->words.front().start_s);
        EXPECT_DOUBLE_EQ(heard->segments[0].end_s, heard->words.back().end_s);
        double last = 0;
        for (const auto & seg : heard->words) {
            EXPECT_GE(seg.start_s, last - 1e-9) << seg.text;
            EXPECT_GT(seg.end_s, seg.start_s) << seg.text;
            last = seg.end_s;
        }
        EXPECT_LE(last, audio->seconds() + 0.05);
        EXPECT_NEAR(heard->duration_s, audio->seconds(), 1e-6);
    }
}

// The round trip: 20 everyday sentences (tests/data/voice/round-trip.txt)
// said by flite over a faint noise floor (-50 dBFS) and heard by pocketsphinx,
// at most 15% of their words wrong (bench/voice.sh reports the same corpus).
TEST_F(speech, the_round_trip_corpus_is_heard_with_at_most_15_percent_of_words_wrong) {
    std::ifstream in(std::string(OS1_TEST_DATA) + "/voice/round-trip.txt");
    ASSERT_TRUE(in);
    auto tts = tts_flite::open("slt");
    ASSERT_TRUE(tts);
    std::mt19937 rng(42);
    std::normal_distribution<double> noise(0.0, 32768.0 * std::pow(10.0, -50.0 / 20.0));
    size_t errors = 0, words = 0, sentences = 0;
    for (std::string said; std::getline(in, said);) {
        auto audio = (*tts)->synthesize(said);
        ASSERT_TRUE(audio);
        for (auto & x : audio->samples) x = static_cast<int16_t>(std::clamp(x + noise(rng), -32768.0, 32767.0));
        auto heard = stt_->transcribe(*audio);
        ASSERT_TRUE(heard) << heard.error().message();
        const auto ref = words_of(said);
        errors += word_edits(ref, words_of(heard->text));
        words += ref.size();
        ++sentences;
    }
    EXPECT_EQ(sentences, 20u);
    EXPECT_LE(static_cast<double>(errors) / static_cast<double>(words), 0.15) << errors << " errors in " << words << " words";
}

TEST_F(speech, silence_is_heard_as_nothing_and_too_little_audio_is_refused) {
    pcm_audio quiet{speech_rate_hz, std::vector<int16_t>(speech_rate_hz, 0)};
    auto heard = stt_->transcribe(quiet);
    ASSERT_TRUE(heard) << heard.error().message();
    EXPECT_EQ(heard->text, "");
    auto blip = stt_->transcribe(pcm_audio{speech_rate_hz, std::vector<int16_t>(100, 0)});
    ASSERT_FALSE(blip);
    EXPECT_EQ(blip.error().code(), status_code::invalid_argument);
}

TEST(tts_flite_voices, an_unknown_voice_and_empty_text_are_refused_in_words) {
    auto none = tts_flite::open("hal9000");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code(), status_code::not_found);
    EXPECT_NE(none.error().message().find("slt"), std::string::npos);
    for (const auto & v : tts_flite::voices()) {
        auto t = tts_flite::open(v);
        ASSERT_TRUE(t) << v;
        auto said = (*t)->synthesize("Hello.");
        ASSERT_TRUE(said) << v << ": " << said.error().message();
        EXPECT_GT(said->samples.size(), 1000u) << v;
        auto nothing = (*t)->synthesize(" \n\t ");
        ASSERT_FALSE(nothing);
        EXPECT_EQ(nothing.error().code(), status_code::invalid_argument);
    }
}

TEST(stt_pocketsphinx_model, a_missing_model_names_the_package) {
    auto s = stt_pocketsphinx::open({"/nonexistent/model"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), status_code::not_found);
    EXPECT_NE(s.error().message().find("pocketsphinx-en-us"), std::string::npos);
}

}  // namespace
}  // namespace os1::voice
