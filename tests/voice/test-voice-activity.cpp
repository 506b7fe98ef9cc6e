// When the person speaks: WebRTC's voice detector over flite's speech between
// silences, a faint noise floor that is nobody speaking, and the OS's own voice
// coming back through the microphone, which the echo canceller takes out when
// it knows what was played.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "voice/tts_flite.h"
#include "voice/voice_activity.h"

namespace os1::voice {
namespace {

using kind = activity_event::kind;

pcm_audio noise(double seconds, double dbfs, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> n(0.0, 32768.0 * std::pow(10.0, dbfs / 20.0));
    pcm_audio a{speech_rate_hz, {}};
    for (int i = 0; i < static_cast<int>(seconds * speech_rate_hz); ++i) a.samples.push_back(static_cast<int16_t>(n(rng)));
    return a;
}

pcm_audio spoken(const std::string & text) {
    auto tts = tts_flite::open("slt");
    auto a = (*tts)->synthesize(text);
    return resample(*a, speech_rate_hz).value();
}

// A + B, sample by sample (B from OFFSET on), scaled by GAIN.
void mix_into(pcm_audio & a, const pcm_audio & b, size_t offset, double gain) {
    if (a.samples.size() < offset + b.samples.size()) a.samples.resize(offset + b.samples.size(), 0);
    for (size_t i = 0; i < b.samples.size(); ++i) {
        a.samples[offset + i] = static_cast<int16_t>(std::clamp(a.samples[offset + i] + gain * b.samples[i], -32768.0, 32767.0));
    }
}

// EVENTS of AUDIO fed in pieces of 20 ms, as a client streams it.
std::vector<activity_event> feed(voice_activity & v, const pcm_audio & audio) {
    std::vector<activity_event> all;
    const size_t step = speech_rate_hz / 50;
    for (size_t at = 0; at < audio.samples.size(); at += step) {
        pcm_audio piece{speech_rate_hz, std::vector<int16_t>(audio.samples.begin() + static_cast<std::ptrdiff_t>(at),
                                                              audio.samples.begin() + static_cast<std::ptrdiff_t>(std::min(audio.samples.size(), at + step)))};
        auto ev = v.heard(piece);
        EXPECT_TRUE(ev) << ev.error().message();
        if (ev) all.insert(all.end(), ev->begin(), ev->end());
    }
    return all;
}

TEST(voice_activity, speech_between_silences_starts_and_stops_one_utterance) {
    const pcm_audio said = spoken("hello there, how are you today");
    pcm_audio mic = noise(1.0, -60, 1);
    mix_into(mic, said, mic.samples.size(), 1.0);
    const double speech_end = mic.seconds();
    mix_into(mic, noise(1.5, -60, 2), mic.samples.size(), 1.0);
    auto v = voice_activity::open();
    ASSERT_TRUE(v) << v.error().message();
    const auto events = feed(**v, mic);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, kind::speech_started);
    EXPECT_NEAR(events[0].at_s, 1.0, 0.3);
    EXPECT_EQ(events[1].type, kind::speech_stopped);
    EXPECT_NEAR(events[1].at_s, speech_end, 0.4);
    EXPECT_FALSE((*v)->in_speech());
    // The utterance holds the speech, from a little before it began.
    const pcm_audio u = (*v)->take_utterance();
    EXPECT_GT(u.seconds(), said.seconds() - 0.3);
    EXPECT_LT(u.seconds(), said.seconds() + 1.2);
    EXPECT_TRUE((*v)->take_utterance().samples.empty());
}

TEST(voice_activity, a_faint_noise_floor_is_nobody_speaking) {
    auto v = voice_activity::open();
    ASSERT_TRUE(v);
    EXPECT_TRUE(feed(**v, noise(3.0, -50, 3)).empty());
    EXPECT_NEAR((*v)->heard_s(), 3.0, 0.02);
}

TEST(voice_activity, the_os_s_own_voice_coming_back_does_not_count_as_the_person) {
    const pcm_audio os_said = spoken("I found eighty six messages that can go. Shall I delete them now?");
    // The microphone hears the OS's voice from the speaker: 40 ms late, half as loud, over a faint room.
    pcm_audio mic = noise(os_said.seconds() + 1.0, -60, 4);
    mix_into(mic, os_said, speech_rate_hz * 40 / 1000, 0.5);
    // Without the reference, that echo is speech.
    auto deaf = voice_activity::open();
    ASSERT_TRUE(deaf);
    const auto heard_without = feed(**deaf, mic);
    ASSERT_FALSE(heard_without.empty());
    EXPECT_EQ(heard_without[0].type, kind::speech_started);
    // Told what it played, the canceller takes it out.
    auto v = voice_activity::open();
    ASSERT_TRUE(v);
    (*v)->played(os_said);
    EXPECT_TRUE(feed(**v, mic).empty());
    // And the person speaking over it is still heard.
    auto w = voice_activity::open();
    ASSERT_TRUE(w);
    (*w)->played(os_said);
    pcm_audio over = mic;
    mix_into(over, spoken("stop, wait a moment please"), static_cast<size_t>(1.5 * speech_rate_hz), 1.0);
    const auto barge = feed(**w, over);
    ASSERT_FALSE(barge.empty());
    EXPECT_EQ(barge[0].type, kind::speech_started);
    // Heard within 0.6 s of its onset: while the OS still talks, the canceller
    // holds back the first of the person's words (0.4 s here, "stop" starting unvoiced).
    EXPECT_GE(barge[0].at_s, 1.4);
    EXPECT_LE(barge[0].at_s, 2.1);
}

}  // namespace
}  // namespace os1::voice
