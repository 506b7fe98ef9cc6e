// OpenAI's audio routes (docs/api.md, "Audio"): POST /v1/audio/transcriptions
// (a multipart upload, answered as json, text or verbose_json) and POST
// /v1/audio/speech (the audio streamed sentence by sentence as it is
// synthesized). Everything that touches audio runs on the voice queue.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include "server/json_body.h"
#include "server/multipart.h"
#include "server/openai_json.h"
#include "server/route_handlers.h"
#include "voice/audio_encoder.h"
#include "voice/sentences.h"

namespace os1::server {
namespace {

constexpr size_t max_speech_chars = 4096;  // of `input`, as OpenAI's

std::string dump(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

memory_reply bad_request(const std::string & why) { return {http::status::bad_request, error_json(why, "invalid_request_error")}; }

// An upload's audio that cannot be used says why, as the client's error.
memory_reply audio_refused(const status & st) {
    if (st.code() == status_code::resource_exhausted) {
        return {http::status::payload_too_large, error_json(st.message(), "invalid_request_error")};
    }
    if (st.code() == status_code::invalid_argument || st.code() == status_code::corrupt || st.code() == status_code::unsupported) {
        return bad_request("the file: " + st.message());
    }
    return error_reply(st);
}

std::string field_of(const std::vector<form_part> & parts, const char * name, const std::string & fallback = "") {
    const form_part * p = find_part(parts, name);
    return p ? std::string(p->data) : fallback;
}

json seconds(double s) { return std::round(s * 1000.0) / 1000.0; }

json verbose(const voice::transcript & t, bool words) {
    json segments = json::array();
    for (size_t i = 0; i < t.segments.size(); ++i) {
        const auto & s = t.segments[i];
        segments.push_back({{"id", i}, {"seek", 0}, {"start", seconds(s.start_s)}, {"end", seconds(s.end_s)}, {"text", s.text}});
    }
    json out = {{"task", "transcribe"}, {"language", t.language}, {"duration", seconds(t.duration_s)}, {"text", t.text},
                {"segments", segments}};
    if (words) {
        out["words"] = json::array();
        for (const auto & w : t.words) out["words"].push_back({{"word", w.text}, {"start", seconds(w.start_s)}, {"end", seconds(w.end_s)}});
    }
    return out;
}

// The whole of a transcription, on the voice queue: the form, the audio, the words.
memory_reply transcription(voice::voice_set & voices, const std::string & body, const std::string & content_type, double max_audio_s) {
    auto boundary = multipart_boundary(content_type);
    if (!boundary) return bad_request(boundary.error().message());
    auto parts = parse_multipart(body, *boundary);
    if (!parts) return bad_request(parts.error().message());
    const form_part * file = find_part(*parts, "file");
    if (!file) return bad_request("the form has no 'file' (the audio to transcribe)");
    const std::string format = field_of(*parts, "response_format", "json");
    if (format != "json" && format != "text" && format != "verbose_json") {
        return bad_request("'response_format' " + format.substr(0, 40) + " is not one this server writes (json, text or verbose_json)");
    }
    bool words = false;
    for (const auto & p : *parts) {
        if (p.name != "timestamp_granularities[]" && p.name != "timestamp_granularities") continue;
        if (p.data == "word") words = true;
        else if (p.data != "segment") return bad_request("'timestamp_granularities[]' may be word or segment");
    }
    auto recognizer = voices.recognizer(field_of(*parts, "model"));
    if (!recognizer) return error_reply(recognizer.error());
    const std::string language = field_of(*parts, "language");
    if (!language.empty() && language != "en" && (*recognizer)->name().rfind("pocketsphinx", 0) == 0) {
        return bad_request("'language' " + language.substr(0, 20) + ": pocketsphinx hears English (en) only");
    }
    voice::decode_limits limits;
    limits.max_seconds = max_audio_s;
    auto audio = voice::decode_audio(file->data, limits);
    if (!audio) return audio_refused(audio.error());
    auto heard = (*recognizer)->transcribe(*audio);
    if (!heard) {
        return heard.error().code() == status_code::invalid_argument ? audio_refused(heard.error()) : error_reply(heard.error());
    }
    if (format == "text") return {http::status::ok, heard->text + "\n", "text/plain; charset=utf-8"};
    if (format == "json") return {http::status::ok, dump({{"text", heard->text}})};
    return {http::status::ok, dump(verbose(*heard, words))};
}

// Letters or digits (any non-ASCII character counts as a letter).
bool has_words(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0x80) || std::isalnum(static_cast<unsigned char>(c)); });
}

// One speech request, sentence by sentence: each call of next() on the voice
// queue synthesizes and encodes one sentence.
struct speech_job {
    std::shared_ptr<voice::tts_i> speaker;
    std::unique_ptr<voice::audio_encoder> encoder;
    std::vector<std::string> sentences;
    voice::audio_format format = voice::audio_format::mp3;
    double speed = 1.0;
    size_t next_sentence = 0;

    result<stream_piece> next() {
        stream_piece piece;
        result<voice::pcm_audio> spoken = status(status_code::invalid_argument, "nothing to say");
        // A sentence of nothing but marks ("...") says nothing; the rest goes on.
        if (has_words(sentences[next_sentence])) {
            spoken = speaker->synthesize(sentences[next_sentence], speed);
            if (!spoken) return spoken.error();
        }
        if (spoken) {
            if (!encoder) {
                auto e = voice::audio_encoder::open(format, spoken->rate_hz);
                if (!e) return e.error();
                encoder = std::move(*e);
            }
            auto bytes = encoder->write(*spoken);
            if (!bytes) return bytes.error();
            piece.bytes = std::move(*bytes);
        }
        if (++next_sentence < sentences.size()) return piece;
        piece.last = true;
        if (!encoder) return status(status_code::invalid_argument, "'input' has no words to say");
        auto rest = encoder->finish();
        if (!rest) return rest.error();
        piece.bytes += *rest;
        return piece;
    }
};

}  // namespace

void audio_handler::handle(route_exchange & ex, http_request & req, const std::string & person, const std::string & path) {
    if (!ctx_.voices) return ex.error(http::status::service_unavailable, ctx_.voice_off, "server_error");
    if (ex.rate_limited(person)) return;
    if (path == "/v1/audio/transcriptions") return transcribe(ex, req);
    speak(ex, req);
}

void audio_handler::transcribe(route_exchange & ex, http_request & req) {
    const auto type = req.find(http::field::content_type);
    std::string content_type = type == req.end() ? "" : std::string(type->value());
    // The body moves to the job: a copy of a 25 MiB upload is not made.
    auto body = std::make_shared<std::string>(std::move(req.body()));
    voice::voice_set * voices = ctx_.voices;
    const double max_audio_s = ctx_.opts.max_audio_s;
    ex.voice_job([voices, body, content_type, max_audio_s] { return transcription(*voices, *body, content_type, max_audio_s); });
}

void audio_handler::speak(route_exchange & ex, const http_request & req) {
    auto parsed = parse_json_body(req.body());
    if (!parsed) return ex.error(http::status::bad_request, parsed.error().message(), "invalid_request_error");
    const json & j = *parsed;
    if (!j.is_object()) return ex.error(http::status::bad_request, "the body must be a JSON object", "invalid_request_error");
    std::string input, model, voice_name, format = "mp3", stream_format = "audio", instructions;
    double speed = 1.0;
    for (const auto & st : {read_string(j, "input", input), read_string(j, "model", model), read_string(j, "voice", voice_name),
                            read_string(j, "response_format", format), read_string(j, "stream_format", stream_format),
                            read_string(j, "instructions", instructions),
                            read_number(j, "speed", voice::min_speed, voice::max_speed, speed)}) {
        if (!st) return ex.error(http::status::bad_request, st.message(), "invalid_request_error");
    }
    if (input.empty()) return ex.error(http::status::bad_request, "'input' is required: the text to say", "invalid_request_error");
    const auto characters = std::count_if(input.begin(), input.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    if (static_cast<size_t>(characters) > max_speech_chars) {
        return ex.error(http::status::bad_request, "'input' is longer than 4096 characters", "invalid_request_error");
    }
    if (stream_format != "audio") {
        return ex.error(http::status::bad_request, "'stream_format' " + stream_format.substr(0, 20) + " is not served here (audio is)",
                        "invalid_request_error");
    }
    auto f = voice::parse_audio_format(format);
    if (!f) return ex.error(http::status::bad_request, "'response_format': " + f.error().message(), "invalid_request_error");
    auto speaker = ctx_.voices->speaker(model, voice_name);
    if (!speaker) {
        const http_error e = http_error_of(speaker.error().code());
        return ex.error(e.code, speaker.error().message(), e.type);
    }
    auto job = std::make_shared<speech_job>();
    job->speaker = std::move(*speaker);
    job->sentences = voice::split_sentences(input);
    if (std::none_of(job->sentences.begin(), job->sentences.end(), [](const std::string & x) { return has_words(x); })) {
        return ex.error(http::status::bad_request, "'input' has no words to say", "invalid_request_error");
    }
    job->format = *f;
    job->speed = speed;
    ex.audio_stream(voice::content_type_of(*f), [job] { return job->next(); });
}

}  // namespace os1::server
