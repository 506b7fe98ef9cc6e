// Audio as the voice module passes it around: mono 16-bit samples at a known
// rate, decoded from and encoded to files (libsndfile: WAV, FLAC, OGG with
// Vorbis or Opus) and resampled (libsamplerate).
//
// Thread-safety: free functions on values; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "os1/status.h"

namespace os1::voice {

// What speech recognition reads: 16 kHz mono.
constexpr int speech_rate_hz = 16000;

struct pcm_audio {
    int rate_hz = speech_rate_hz;
    std::vector<int16_t> samples;  // mono

    double seconds() const { return rate_hz > 0 ? static_cast<double>(samples.size()) / rate_hz : 0.0; }
};

struct decode_limits {
    double max_seconds = 600.0;  // longer audio is refused, not truncated
};

// The audio in BYTES (a whole file: WAV, FLAC, OGG/Vorbis or OGG/Opus, or
// anything else libsndfile reads from its header), its channels averaged to
// one. Errors: invalid_argument for empty input, unsupported for a format
// libsndfile does not know, corrupt for a truncated or malformed file,
// resource_exhausted when it is longer than LIMITS allow; each names the problem.
result<pcm_audio> decode_audio(std::string_view bytes, const decode_limits & limits = {});

// AUDIO at RATE_HZ (8 kHz to 192 kHz); a copy when it already is.
result<pcm_audio> resample(const pcm_audio & audio, int rate_hz);

// A 16-bit PCM WAV file of AUDIO.
result<std::string> encode_wav(const pcm_audio & audio);

}  // namespace os1::voice
