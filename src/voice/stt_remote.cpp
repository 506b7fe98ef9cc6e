#include "voice/stt_remote.h"

#include <nlohmann/json.hpp>

#include "net/http_client.h"

namespace os1::voice {
namespace {

constexpr const char * boundary = "os1-audio-8d1f3c0b7a6e4f25";

std::string form_field(const std::string & name, const std::string & value) {
    return std::string("--") + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
}

std::string form(const std::string & wav, const std::string & model, const char * format) {
    std::string body = std::string("--") + boundary +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\nContent-Type: audio/wav\r\n\r\n";
    body += wav;
    body += "\r\n";
    body += form_field("model", model);
    body += form_field("response_format", format);
    if (std::string_view(format) == "verbose_json") {
        body += form_field("timestamp_granularities[]", "segment");
        body += form_field("timestamp_granularities[]", "word");
    }
    body += std::string("--") + boundary + "--\r\n";
    return body;
}

double number_or(const nlohmann::json & j, const char * key, double fallback) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

}  // namespace

result<std::unique_ptr<stt_remote>> stt_remote::open(const remote_options & o) {
    auto endpoint = remote_endpoint(o, "/audio/transcriptions");
    if (!endpoint) return endpoint.error();
    remote_options with_model = o;
    if (with_model.model.empty()) with_model.model = "whisper-1";  // OpenAI's servers require one
    return std::unique_ptr<stt_remote>(new stt_remote(with_model, *endpoint));
}

result<transcript> stt_remote::transcribe(const pcm_audio & audio) {
    if (audio.samples.empty()) return status(status_code::invalid_argument, "the audio is empty");
    auto at16k = resample(audio, speech_rate_hz);
    if (!at16k) return at16k.error();
    auto wav = encode_wav(*at16k);
    if (!wav) return wav.error();
    auto heard = ask(*wav, "verbose_json");
    // A server that has no verbose_json (OpenAI's gpt-4o transcribers) gives the text alone.
    if (!heard && heard.error().code() == status_code::invalid_argument &&
        heard.error().message().find("verbose_json") != std::string::npos) {
        heard = ask(*wav, "json");
    }
    if (heard) heard->duration_s = audio.seconds();
    return heard;
}

result<transcript> stt_remote::ask(const std::string & wav, const char * format) {
    net::http_options http;
    http.max_body_bytes = 4u << 20;
    if (!opts_.api_key.empty()) http.headers["Authorization"] = "Bearer " + opts_.api_key;
    auto r = net::http_post(endpoint_, form(wav, opts_.model, format), std::string("multipart/form-data; boundary=") + boundary, http);
    if (!r) return r.error();
    if (r->status != 200) return remote_failure(endpoint_, r->status, r->body);
    const auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
        return status(status_code::network_error, endpoint_ + " answered without a transcript (no \"text\")");
    }
    transcript t;
    t.text = j["text"].get<std::string>();
    if (j.contains("language") && j["language"].is_string()) t.language = j["language"].get<std::string>();
    if (j.contains("segments") && j["segments"].is_array()) {
        for (const auto & s : j["segments"]) {
            if (!s.is_object() || !s.contains("text") || !s["text"].is_string()) continue;
            t.segments.push_back({number_or(s, "start", 0), number_or(s, "end", 0), s["text"].get<std::string>()});
        }
    }
    if (j.contains("words") && j["words"].is_array()) {
        for (const auto & w : j["words"]) {
            if (!w.is_object() || !w.contains("word") || !w["word"].is_string()) continue;
            t.words.push_back({number_or(w, "start", 0), number_or(w, "end", 0), w["word"].get<std::string>()});
        }
    }
    return t;
}

}  // namespace os1::voice
