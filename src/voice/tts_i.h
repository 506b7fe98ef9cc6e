// Text to speech: the seam between OS1 and a synthesizer (flite here; a
// remote OpenAI-compatible server later), with a fake in tests.
#pragma once

#include <string>
#include <string_view>

#include "os1/status.h"
#include "voice/audio.h"

namespace os1::voice {

class tts_i {
public:
    virtual ~tts_i() = default;
    // TEXT spoken, at the voice's own rate. Errors: invalid_argument for text
    // with nothing to say, internal for the synthesizer's own failure. May be
    // called from any thread.
    virtual result<pcm_audio> synthesize(std::string_view text) = 0;
    virtual std::string name() const = 0;  // "flite (slt)"
};

}  // namespace os1::voice
