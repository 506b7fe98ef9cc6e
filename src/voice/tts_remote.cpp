#include "voice/tts_remote.h"

#include <nlohmann/json.hpp>

#include "net/http_client.h"

namespace os1::voice {

result<std::unique_ptr<tts_remote>> tts_remote::open(const remote_options & o, const std::string & voice) {
    auto endpoint = remote_endpoint(o, "/audio/speech");
    if (!endpoint) return endpoint.error();
    remote_options with_model = o;
    if (with_model.model.empty()) with_model.model = "tts-1";  // OpenAI's servers require one
    return std::unique_ptr<tts_remote>(new tts_remote(with_model, *endpoint, voice.empty() ? "alloy" : voice));
}

result<pcm_audio> tts_remote::synthesize(std::string_view text, double speed) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return status(status_code::invalid_argument, "there is no text to say");
    if (!(speed >= min_speed && speed <= max_speed)) return status(status_code::invalid_argument, "the speed must be from 0.25 to 4");
    const nlohmann::json body = {{"model", opts_.model}, {"input", std::string(text)}, {"voice", voice_},
                                 {"response_format", "wav"}, {"speed", speed}};
    net::http_options http;
    http.max_body_bytes = 128u << 20;
    if (!opts_.api_key.empty()) http.headers["Authorization"] = "Bearer " + opts_.api_key;
    auto r = net::http_post(endpoint_, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json", http);
    if (!r) return r.error();
    if (r->status != 200) return remote_failure(endpoint_, r->status, r->body);
    auto audio = decode_audio(r->body);
    if (!audio) return audio.error().with_context(endpoint_ + " answered audio that cannot be read");
    return audio;
}

}  // namespace os1::voice
