// Text to speech: the seam between OS1 and a synthesizer (flite, or a remote
// OpenAI-compatible server), with a fake in tests.
#pragma once

#include <string>
#include <string_view>

#include "os1/status.h"
#include "voice/audio.h"

namespace os1::voice {

// The speeds OpenAI's /v1/audio/speech takes.
constexpr double min_speed = 0.25, max_speed = 4.0;

class tts_i {
public:
    virtual ~tts_i() = default;
    // TEXT spoken, at the voice's own sample rate, SPEED times as fast as its
    // usual pace (0.25 to 4). Errors: invalid_argument for text with nothing to
    // say or a speed out of range, internal (or network_error, for a remote
    // one) for the synthesizer's own failure. May be called from any thread.
    virtual result<pcm_audio> synthesize(std::string_view text, double speed) = 0;
    result<pcm_audio> synthesize(std::string_view text) { return synthesize(text, 1.0); }
    virtual std::string name() const = 0;  // "flite (slt)"
};

}  // namespace os1::voice
