// Speech by any OpenAI-compatible /v1/audio/speech server (another os1 serve,
// or a neural voice where the operator has one).
#pragma once

#include <memory>

#include "voice/remote_voice.h"
#include "voice/tts_i.h"

namespace os1::voice {

class tts_remote final : public tts_i {
public:
    // VOICE as the server names its voices ("" : "alloy"). Checks the URL;
    // connects only when there is something to say.
    static result<std::unique_ptr<tts_remote>> open(const remote_options & o, const std::string & voice);

    // Asks for WAV and decodes it. Blocking; any number of threads at once.
    result<pcm_audio> synthesize(std::string_view text, double speed) override;
    using tts_i::synthesize;
    std::string name() const override { return remote_name(opts_) + " voice " + voice_; }

private:
    tts_remote(remote_options o, std::string endpoint, std::string voice)
        : opts_(std::move(o)), endpoint_(std::move(endpoint)), voice_(std::move(voice)) {}
    remote_options opts_;
    std::string endpoint_;
    std::string voice_;
};

}  // namespace os1::voice
