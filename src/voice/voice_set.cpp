#include "voice/voice_set.h"

#include <algorithm>
#include <array>

#include "voice/stt_remote.h"
#include "voice/tts_flite.h"
#include "voice/tts_remote.h"

namespace os1::voice {
namespace {

constexpr std::array<std::string_view, 3> openai_transcribers = {"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"};
constexpr std::array<std::string_view, 3> openai_speakers = {"tts-1", "tts-1-hd", "gpt-4o-mini-tts"};
constexpr std::array<std::string_view, 11> openai_voices = {"alloy", "ash",  "ballad",  "coral", "echo", "fable",
                                                            "onyx",  "nova", "sage",    "shimmer", "verse"};
constexpr size_t most_speakers = 64;  // remote voices are any name: the cache is bounded

template <size_t N>
bool among(const std::array<std::string_view, N> & names, std::string_view s) {
    return std::find(names.begin(), names.end(), s) != names.end();
}

bool is_flite_voice(std::string_view v) {
    const auto & all = tts_flite::voices();
    return std::find(all.begin(), all.end(), v) != all.end();
}

}  // namespace

result<std::unique_ptr<voice_set>> voice_set::open(const voice_settings & s) {
    if (s.stt != "pocketsphinx" && s.stt != "remote") {
        return status(status_code::invalid_argument, "voice.stt (--stt) '" + s.stt + "' is neither pocketsphinx nor remote");
    }
    if (s.tts != "flite" && s.tts != "remote") {
        return status(status_code::invalid_argument, "voice.tts (--tts) '" + s.tts + "' is neither flite nor remote");
    }
    if (s.stt == "remote" && s.remote_stt.url.empty()) {
        return status(status_code::invalid_argument, "voice.stt (--stt) is remote but voice.stt_url (--stt-url) names no server");
    }
    if (s.tts == "remote" && s.remote_tts.url.empty()) {
        return status(status_code::invalid_argument, "voice.tts (--tts) is remote but voice.tts_url (--tts-url) names no server");
    }
    for (const auto * r : {&s.remote_stt, &s.remote_tts}) {
        if (r->url.empty()) continue;
        if (auto e = remote_endpoint(*r, ""); !e) return e.error();
    }
    if (s.tts == "flite" && !is_flite_voice(s.voice)) {
        return status(status_code::invalid_argument,
                      "voice.voice (--voice) '" + s.voice + "' is not one of flite's (slt, rms, awb and kal16)");
    }
    return std::unique_ptr<voice_set>(new voice_set(s));
}

std::string voice_set::engine_of(std::string_view model, bool speech) const {
    const remote_options & remote = speech ? s_.remote_tts : s_.remote_stt;
    const std::string & fallback = speech ? s_.tts : s_.stt;
    const char * local = speech ? "flite" : "pocketsphinx";
    if (model.empty() || (speech ? among(openai_speakers, model) : among(openai_transcribers, model))) return fallback;
    if (model == local) return local;
    if (!remote.url.empty() && (model == "remote" || model == remote.model)) return "remote";
    return "";
}

std::string voice_set::recognizers() const {
    std::string out = s_.stt == "pocketsphinx" ? "pocketsphinx (the default)" : "pocketsphinx";
    if (!s_.remote_stt.url.empty()) out += s_.stt == "remote" ? ", remote (the default)" : ", remote";
    return out;
}

std::string voice_set::synthesizers() const {
    std::string out = s_.tts == "flite" ? "flite (the default)" : "flite";
    if (!s_.remote_tts.url.empty()) out += s_.tts == "remote" ? ", remote (the default)" : ", remote";
    return out;
}

result<std::shared_ptr<stt_i>> voice_set::recognizer(std::string_view model) {
    const std::string engine = engine_of(model, false);
    if (engine.empty()) {
        return status(status_code::invalid_argument,
                      "no speech-to-text model '" + std::string(model.substr(0, 60)) + "' here (there are " + recognizers() + ")");
    }
    std::lock_guard lock(mu_);
    std::shared_ptr<stt_i> & slot = engine == "remote" ? remote_stt_ : pocketsphinx_;
    if (slot) return slot;
    if (engine == "remote") {
        auto r = stt_remote::open(s_.remote_stt);
        if (!r) return r.error();
        slot = std::move(*r);
    } else {
        auto p = stt_pocketsphinx::open(s_.pocketsphinx);
        if (!p) return p.error();
        slot = std::move(*p);
    }
    return slot;
}

result<std::shared_ptr<tts_i>> voice_set::speaker(std::string_view model, std::string_view voice) {
    const std::string engine = engine_of(model, true);
    if (engine.empty()) {
        return status(status_code::invalid_argument,
                      "no text-to-speech model '" + std::string(model.substr(0, 60)) + "' here (there are " + synthesizers() + ")");
    }
    std::string name(voice.substr(0, 80));
    if (engine == "flite") {
        if (name.empty() || among(openai_voices, name)) name = is_flite_voice(s_.voice) ? s_.voice : "slt";
        if (!is_flite_voice(name)) {
            return status(status_code::invalid_argument, "no voice '" + name + "' (flite has slt, rms, awb and kal16)");
        }
    } else if (name.empty()) {
        name = s_.tts == "remote" ? s_.voice : "";
    }
    std::lock_guard lock(mu_);
    const std::string key = engine + "/" + name;
    if (auto it = speakers_.find(key); it != speakers_.end()) return it->second;
    if (speakers_.size() >= most_speakers) speakers_.clear();  // those in use live on in their callers
    std::shared_ptr<tts_i> made;
    if (engine == "remote") {
        auto r = tts_remote::open(s_.remote_tts, name);
        if (!r) return r.error();
        made = std::move(*r);
    } else {
        auto f = tts_flite::open(name);
        if (!f) return f.error();
        made = std::move(*f);
    }
    speakers_[key] = made;
    return made;
}

}  // namespace os1::voice
