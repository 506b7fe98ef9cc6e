// The wake word: the OS's own name, said by flite in a stream of microphone
// audio, is spotted; other talk is not; a name the dictionary lacks is
// pronounced by flite's rules and spotted too.
#include <gtest/gtest.h>

#include "voice/tts_flite.h"
#include "voice/wake_word.h"

namespace os1::voice {
namespace {

pcm_audio spoken(const std::string & text, const std::string & voice = "slt") {
    auto tts = tts_flite::open(voice);
    return resample((*tts)->synthesize(text).value(), speech_rate_hz).value();
}

// How many times W heard its name in AUDIO, streamed 100 ms at a time.
int times_heard(wake_word & w, const pcm_audio & audio) {
    int n = 0;
    const size_t step = speech_rate_hz / 10;
    for (size_t at = 0; at < audio.samples.size(); at += step) {
        const auto end = audio.samples.begin() + static_cast<std::ptrdiff_t>(std::min(audio.samples.size(), at + step));
        auto got = w.heard({speech_rate_hz, std::vector<int16_t>(audio.samples.begin() + static_cast<std::ptrdiff_t>(at), end)});
        EXPECT_TRUE(got) << got.error().message();
        n += got && *got ? 1 : 0;
    }
    auto tail = w.heard({speech_rate_hz, std::vector<int16_t>(speech_rate_hz / 2, 0)});  // half a second of quiet after
    return n + (tail && *tail ? 1 : 0);
}

TEST(wake_word, the_os_s_name_is_heard_and_other_talk_is_not) {
    auto w = wake_word::open("Samantha");
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_EQ((*w)->phones(), "S AH M AE N TH AH");
    EXPECT_EQ(times_heard(**w, spoken("Samantha, what time is my meeting?")), 1);
    EXPECT_EQ(times_heard(**w, spoken("Hello there. What is the weather like this afternoon? Remind me to call my sister.")), 0);
    EXPECT_EQ(times_heard(**w, spoken("I think Samantha said so.")), 1);
    EXPECT_EQ(times_heard(**w, spoken("Samantha, are you awake?", "rms")), 1);  // another voice
    EXPECT_EQ(times_heard(**w, spoken("Some of them went to Atlanta.", "rms")), 0);
}

TEST(wake_word, a_name_the_dictionary_lacks_is_pronounced_by_rule) {
    auto w = wake_word::open("Zorvina");
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_FALSE((*w)->phones().empty());
    EXPECT_EQ(times_heard(**w, spoken("Zorvina, are you there?")), 1);
    EXPECT_EQ(times_heard(**w, spoken("Good morning, how did you sleep?")), 0);
}

TEST(wake_word, a_name_that_cannot_be_said_is_refused) {
    EXPECT_EQ(wake_word::open("").error().code(), status_code::invalid_argument);
    EXPECT_EQ(wake_word::open("R2-D2").error().code(), status_code::invalid_argument);
    EXPECT_EQ(wake_word::open("one two three four").error().code(), status_code::invalid_argument);
}

}  // namespace
}  // namespace os1::voice
