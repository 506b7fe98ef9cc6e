// The recognizers and voices a server or a command speaks with: the offline
// ones (pocketsphinx, flite) and, where the operator names one, a remote
// OpenAI-compatible audio server; which one a request gets follows its
// `model` and `voice` (docs/api.md, "Audio").
//
// Thread-safety: every method may be called from any thread. What they return
// stays usable after the set forgets it.
#pragma once

#include <memory>
#include <mutex>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "os1/status.h"
#include "voice/remote_voice.h"
#include "voice/stt_i.h"
#include "voice/stt_pocketsphinx.h"
#include "voice/tts_i.h"

namespace os1::voice {

struct voice_settings {
    std::string stt = "pocketsphinx";  // the default recognizer: "pocketsphinx" or "remote"
    std::string tts = "flite";         // the default synthesizer: "flite" or "remote"
    std::string voice = "slt";         // the default voice: flite's, or the remote's name for one
    remote_options remote_stt;         // url "" : no remote recognizer
    remote_options remote_tts;         // url "" : no remote synthesizer
    pocketsphinx_options pocketsphinx;
};

class voice_set {
public:
    // Checks SETTINGS (names, URLs, the default voice); loads nothing yet.
    // Errors: invalid_argument naming the setting.
    static result<std::unique_ptr<voice_set>> open(const voice_settings & s);

    // The recognizer MODEL names: "pocketsphinx", "remote" or the remote's own
    // model name; "" and OpenAI's names (whisper-1, ...) are the default.
    // pocketsphinx loads on first use (about a second). Errors:
    // invalid_argument for a model there is not, not_found for a missing model.
    result<std::shared_ptr<stt_i>> recognizer(std::string_view model);
    // The synthesizer for MODEL ("flite", "remote", the remote's model; ""
    // and OpenAI's tts-1 ... the default) speaking VOICE: a flite voice, or
    // ""/OpenAI's voice names (alloy, ...) for the default one; a remote
    // synthesizer takes any name its server knows.
    result<std::shared_ptr<tts_i>> speaker(std::string_view model, std::string_view voice);

    // For help and errors: "pocketsphinx (the default), remote"
    std::string recognizers() const;
    std::string synthesizers() const;

private:
    explicit voice_set(voice_settings s) : s_(std::move(s)) {}
    std::string engine_of(std::string_view model, bool speech) const;  // "pocketsphinx" ... or "" for none

    voice_settings s_;
    std::mutex mu_;
    std::shared_ptr<stt_i> pocketsphinx_;                          // GUARDED_BY(mu_)
    std::shared_ptr<stt_i> remote_stt_;                            // GUARDED_BY(mu_)
    std::map<std::string, std::shared_ptr<tts_i>> speakers_;       // GUARDED_BY(mu_), "engine/voice"
};

}  // namespace os1::voice
