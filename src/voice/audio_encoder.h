// Audio encoded as it is made, for sending while the rest is still being
// synthesized: WAV (a header of unknown length, as OpenAI streams it), raw PCM
// (16-bit little-endian, 24 kHz as OpenAI's), OGG Opus and FLAC (libsndfile,
// which uses libopus and libFLAC) and MP3 (LAME).
//
// Thread-safety: an encoder belongs to one caller at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "os1/status.h"
#include "voice/audio.h"

namespace os1::voice {

enum class audio_format { wav, pcm, opus, mp3, flac };

// "wav", "pcm", "opus", "mp3" or "flac"; invalid_argument naming those otherwise.
result<audio_format> parse_audio_format(std::string_view name);
const char * format_name(audio_format f);
const char * content_type_of(audio_format f);  // "audio/wav", ...

class audio_encoder {
public:
    // An encoder for audio made at RATE_HZ (kept where the format allows it).
    static result<std::unique_ptr<audio_encoder>> open(audio_format f, int rate_hz);
    virtual ~audio_encoder() = default;
    int rate_hz() const { return rate_hz_; }  // of the output; write() resamples to it
    // AUDIO appended; returns the bytes that are ready to send (maybe none yet).
    virtual result<std::string> write(const pcm_audio & audio) = 0;
    // The rest of the stream.
    virtual result<std::string> finish() = 0;

protected:
    explicit audio_encoder(int rate_hz) : rate_hz_(rate_hz) {}
    int rate_hz_;
};

}  // namespace os1::voice
