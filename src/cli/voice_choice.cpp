#include "cli/voice_choice.h"

#include <cstdlib>

namespace os1::cli {

voice::voice_settings voice_settings_of(const voice_options & v) {
    voice::voice_settings s;
    s.stt = v.stt;
    s.tts = v.tts;
    s.voice = v.voice;
    const char * key = v.key_env.empty() ? nullptr : std::getenv(v.key_env.c_str());
    s.remote_stt = {v.stt_url, v.stt_model, key ? key : ""};
    s.remote_tts = {v.tts_url, v.tts_model, key ? key : ""};
    return s;
}

}  // namespace os1::cli
