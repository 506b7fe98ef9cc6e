// Speech recognition by any OpenAI-compatible /v1/audio/transcriptions server
// (whisper-class quality where the operator has one; another os1 serve).
#pragma once

#include <memory>

#include "voice/remote_voice.h"
#include "voice/stt_i.h"

namespace os1::voice {

class stt_remote final : public stt_i {
public:
    // Checks the URL; connects only when there is something to transcribe.
    static result<std::unique_ptr<stt_remote>> open(const remote_options & o);

    // The audio sent as a 16 kHz WAV; `verbose_json` asked for, for the
    // segments, and plain `json` where the server does not give that.
    // Blocking; any number of threads at once.
    result<transcript> transcribe(const pcm_audio & audio) override;
    std::string name() const override { return remote_name(opts_); }

private:
    stt_remote(remote_options o, std::string endpoint) : opts_(std::move(o)), endpoint_(std::move(endpoint)) {}
    result<transcript> ask(const std::string & wav, const char * format);
    remote_options opts_;
    std::string endpoint_;
};

}  // namespace os1::voice
