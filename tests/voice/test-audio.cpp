// Audio in and out: what libsndfile reads (WAV, FLAC, OGG; any rate and
// channel count) arrives as 16 kHz-ready mono, what is wrong is named, and
// resampling keeps a tone's pitch.
#include <gtest/gtest.h>

#include <sndfile.h>

#include <cmath>
#include <cstring>

#include "voice/audio.h"

namespace os1::voice {
namespace {

// A sine of HZ for SECONDS at RATE, in CHANNELS (the same in each).
std::vector<float> tone(int hz, double seconds, int rate, int channels) {
    std::vector<float> out;
    const int n = static_cast<int>(seconds * rate);
    for (int i = 0; i < n; ++i) {
        const float v = 0.5f * static_cast<float>(std::sin(2 * M_PI * hz * i / rate));
        for (int c = 0; c < channels; ++c) out.push_back(v);
    }
    return out;
}

// A file of FORMAT written by libsndfile itself, through a temporary file.
std::string file_of(const std::vector<float> & frames, int rate, int channels, int format) {
    char path[] = "/tmp/os1-audio-XXXXXX";
    const int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE * f = sf_open_fd(fd, SFM_WRITE, &info, SF_TRUE);
    EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
    sf_writef_float(f, frames.data(), static_cast<sf_count_t>(frames.size() / channels));
    sf_close(f);
    FILE * in = std::fopen(path, "rb");
    std::string data;
    char buf[65536];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, in)) > 0;) data.append(buf, n);
    std::fclose(in);
    std::remove(path);
    return data;
}

// How often the signal crosses zero upwards per second: a tone's pitch.
double pitch(const pcm_audio & a) {
    int ups = 0;
    for (size_t i = 1; i < a.samples.size(); ++i) ups += a.samples[i - 1] < 0 && a.samples[i] >= 0;
    return ups / a.seconds();
}

TEST(audio, wav_flac_and_ogg_of_any_rate_and_channels_decode_to_mono) {
    struct kind {
        int format;
        int rate;
        int channels;
    };
    for (const kind k : {kind{SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1}, kind{SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2},
                         kind{SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 48000, 2}, kind{SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1},
                         kind{SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 1}}) {
        const auto bytes = file_of(tone(440, 1.0, k.rate, k.channels), k.rate, k.channels, k.format);
        auto a = decode_audio(bytes);
        ASSERT_TRUE(a) << std::hex << k.format << ": " << a.error().message();
        EXPECT_EQ(a->rate_hz, k.rate);
        EXPECT_NEAR(a->seconds(), 1.0, 0.03) << std::hex << k.format;
        EXPECT_NEAR(pitch(*a), 440, 10) << std::hex << k.format;
    }
}

TEST(audio, what_cannot_be_read_is_named) {
    auto empty = decode_audio("");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code(), status_code::invalid_argument);
    EXPECT_NE(empty.error().message().find("empty"), std::string::npos);

    auto noise = decode_audio("this is plainly not a sound file, just some words in a row");
    ASSERT_FALSE(noise);
    EXPECT_EQ(noise.error().code(), status_code::unsupported) << noise.error().message();
    EXPECT_NE(noise.error().message().find("WAV, FLAC or OGG"), std::string::npos);

    // A WAV cut in the middle of its samples: refused, not silently shortened.
    const auto wav = file_of(tone(440, 1.0, 16000, 1), 16000, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    auto cut = decode_audio(std::string_view(wav).substr(0, wav.size() / 2));
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().code(), status_code::corrupt) << cut.error().message();
    EXPECT_NE(cut.error().message().find("breaks off"), std::string::npos) << cut.error().message();

    // Only its header: no samples at all.
    auto header_only = decode_audio(std::string_view(wav).substr(0, 44));
    ASSERT_FALSE(header_only);

    // Longer than allowed.
    auto long_one = decode_audio(wav, {0.5});
    ASSERT_FALSE(long_one);
    EXPECT_EQ(long_one.error().code(), status_code::resource_exhausted);
}

TEST(audio, resampling_keeps_the_pitch_and_the_length) {
    pcm_audio a;
    a.rate_hz = 48000;
    for (const float v : tone(300, 2.0, 48000, 1)) a.samples.push_back(static_cast<int16_t>(v * 32767));
    auto r = resample(a, speech_rate_hz);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->rate_hz, speech_rate_hz);
    EXPECT_NEAR(r->seconds(), 2.0, 0.01);
    EXPECT_NEAR(pitch(*r), 300, 5);
    EXPECT_FALSE(resample(a, 0));
    EXPECT_FALSE(resample(a, 1000000));
}

TEST(audio, a_wav_written_reads_back_the_same) {
    pcm_audio a;
    a.rate_hz = 22050;
    for (int i = 0; i < 22050; ++i) a.samples.push_back(static_cast<int16_t>((i * 37) % 20000 - 10000));
    auto wav = encode_wav(a);
    ASSERT_TRUE(wav);
    EXPECT_EQ(wav->compare(0, 4, "RIFF"), 0);
    auto back = decode_audio(*wav);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->rate_hz, 22050);
    EXPECT_EQ(back->samples, a.samples);
}

}  // namespace
}  // namespace os1::voice
