#include "voice/tts_flite.h"

#include <flite/flite.h>

#include <map>

extern "C" {
cst_voice * register_cmu_us_slt(const char * voxdir);
cst_voice * register_cmu_us_rms(const char * voxdir);
cst_voice * register_cmu_us_awb(const char * voxdir);
cst_voice * register_cmu_us_kal16(const char * voxdir);
}

namespace os1::voice {
namespace {

// Voices are registered once per process (flite has no way to free them
// safely while another may still speak) and kept.

cst_voice * voice_named(const std::string & name) {
    static const std::map<std::string, cst_voice * (*)(const char *)> makers = {
        {"slt", register_cmu_us_slt}, {"rms", register_cmu_us_rms}, {"awb", register_cmu_us_awb}, {"kal16", register_cmu_us_kal16}};
    static std::map<std::string, cst_voice *> made;
    std::lock_guard lock(flite_mutex());  // registering a voice initializes the shared lexicon
    static const bool ready = (flite_init(), true);
    (void)ready;
    if (auto it = made.find(name); it != made.end()) return it->second;
    const auto maker = makers.find(name);
    if (maker == makers.end()) return nullptr;
    cst_voice * v = maker->second(nullptr);
    made[name] = v;
    return v;
}

bool has_something_to_say(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) > ' ') return true;
    }
    return false;
}

}  // namespace

// One use of flite at a time in the process: objects of one voice share its
// cst_voice, and every voice (and the wake word's pronunciations) shares its lexicon.
std::mutex & flite_mutex() {
    static std::mutex mu;
    return mu;
}

const std::vector<std::string> & tts_flite::voices() {
    static const std::vector<std::string> v = {"slt", "rms", "awb", "kal16"};
    return v;
}

result<std::unique_ptr<tts_flite>> tts_flite::open(const std::string & voice) {
    cst_voice * v = voice_named(voice);
    if (!v) return status(status_code::not_found, "no flite voice '" + voice + "' (there are slt, rms, awb and kal16)");
    return std::unique_ptr<tts_flite>(new tts_flite(v, voice));
}

result<pcm_audio> tts_flite::synthesize(std::string_view text, double speed) {
    if (!has_something_to_say(text)) return status(status_code::invalid_argument, "there is no text to say");
    if (!(speed >= min_speed && speed <= max_speed)) return status(status_code::invalid_argument, "the speed must be from 0.25 to 4");
    std::lock_guard lock(flite_mutex());
    auto * v = static_cast<cst_voice *>(voice_);
    feat_set_float(v->features, "duration_stretch", static_cast<float>(1.0 / speed));  // under flite_mutex(): no one else speaks
    cst_wave * w = flite_text_to_wave(std::string(text).c_str(), v);
    if (!w) return status(status_code::internal, "flite could not synthesize the text");
    pcm_audio out;
    out.rate_hz = w->sample_rate;
    const int channels = w->num_channels > 0 ? w->num_channels : 1;
    out.samples.reserve(static_cast<size_t>(w->num_samples));
    for (int i = 0; i < w->num_samples; ++i) out.samples.push_back(w->samples[i * channels]);
    delete_wave(w);
    return out;
}

}  // namespace os1::voice
