#include "server/realtime_events.h"

#include <atomic>
#include <chrono>

#include "base/base64.h"
#include "base/utf8.h"

namespace os1::server {
namespace {

constexpr size_t max_instructions_bytes = 16384;
constexpr size_t max_id_bytes = 128;

status wrong(const std::string & what) { return {status_code::invalid_argument, what}; }

status read_short_string(const json & obj, const char * field, size_t max_bytes, std::string & out) {
    if (auto st = read_string(obj, field, out); !st) return st;
    if (out.size() > max_bytes || !utf8_is_valid(out)) {
        return field_error(field, "must be UTF-8 text of at most " + std::to_string(max_bytes) + " bytes");
    }
    return status::ok();
}

status read_turn_detection(const json & td, realtime_config & c) {
    if (td.is_null()) {
        c.server_vad = false;
        return status::ok();
    }
    if (!td.is_object()) return field_error("session.turn_detection", "must be an object or null");
    std::string type = "server_vad";
    if (auto st = read_string(td, "type", type); !st) return field_error("session.turn_detection.type", "must be a string");
    if (type != "server_vad") return field_error("session.turn_detection.type", "must be \"server_vad\" (or turn_detection null)");
    int64_t silence = c.silence_ms, prefix = c.prefix_ms;
    double threshold = 0.5;  // accepted; WebRTC's detector decides (docs/api.md)
    if (auto st = read_int(td, "silence_duration_ms", 100, 5000, silence); !st) return st;
    if (auto st = read_int(td, "prefix_padding_ms", 0, 2000, prefix); !st) return st;
    if (auto st = read_number(td, "threshold", 0, 1, threshold); !st) return st;
    if (auto st = read_bool(td, "create_response", c.create_response); !st) return st;
    if (auto st = read_bool(td, "interrupt_response", c.interrupt_response); !st) return st;
    c.server_vad = true;
    c.silence_ms = static_cast<int>(silence);
    c.prefix_ms = static_cast<int>(prefix);
    return status::ok();
}

status read_session(const json & s, realtime_config & c) {
    if (!s.is_object()) return field_error("session", "must be an object");
    if (const auto it = s.find("modalities"); it != s.end() && !it->is_null()) {
        if (!it->is_array() || it->empty()) return field_error("session.modalities", "must be a list of \"text\" and \"audio\"");
        bool audio = false;
        for (const auto & m : *it) {
            if (m == "audio") audio = true;
            else if (m != "text") return field_error("session.modalities", "must be a list of \"text\" and \"audio\"");
        }
        c.audio_out = audio;
    }
    if (auto st = read_short_string(s, "instructions", max_instructions_bytes, c.instructions); !st) return st;
    if (auto st = read_short_string(s, "voice", 64, c.voice); !st) return st;
    for (const char * field : {"input_audio_format", "output_audio_format"}) {
        std::string format = "pcm16";
        if (auto st = read_string(s, field, format); !st) return st;
        if (format != "pcm16") return field_error(field, "must be \"pcm16\" (16-bit little-endian mono; g711 is not supported)");
    }
    int64_t rate = c.input_rate_hz;
    if (auto st = read_int(s, "input_audio_rate", 8000, 48000, rate); !st) return st;
    c.input_rate_hz = static_cast<int>(rate);
    if (const auto it = s.find("turn_detection"); it != s.end()) {
        if (auto st = read_turn_detection(*it, c); !st) return st;
    }
    if (const auto it = s.find("input_audio_transcription"); it != s.end() && !it->is_null()) {
        if (!it->is_object()) return field_error("session.input_audio_transcription", "must be an object or null");
        if (auto st = read_short_string(*it, "model", 64, c.transcription_model); !st) return st;
        if (auto st = read_short_string(*it, "language", 16, c.language); !st) return st;
    }
    if (const auto it = s.find("max_response_output_tokens"); it != s.end() && !it->is_null()) {
        if (*it == "inf") {
            c.max_output_tokens = 0;
        } else {
            int64_t n = 0;
            if (auto st = read_int(s, "max_response_output_tokens", 1, 4096, n); !st) return st;
            c.max_output_tokens = static_cast<int>(n);
        }
    }
    if (auto st = read_bool(s, "wake_word", c.wake_word); !st) return st;
    return read_number(s, "temperature", 0, 2, c.temperature);
}

// A typed message of the person: {"type":"message","role":"user","content":[{"type":"input_text","text":...}]}.
status read_item(const json & doc, std::string & text) {
    const auto it = doc.find("item");
    if (it == doc.end() || !it->is_object()) return field_error("item", "must be an object");
    std::string type = "message", role;
    if (auto st = read_string(*it, "type", type); !st) return st;
    if (auto st = read_string(*it, "role", role); !st) return st;
    if (type != "message") return field_error("item.type", "must be \"message\" (function calls are not supported)");
    if (role != "user") return field_error("item.role", "must be \"user\" (the OS's own words come from its replies)");
    const auto content = it->find("content");
    if (content == it->end() || !content->is_array() || content->empty()) {
        return field_error("item.content", "must be a list of input_text parts");
    }
    for (const auto & part : *content) {
        std::string ptype, ptext;
        if (!part.is_object()) return field_error("item.content", "must be a list of input_text parts");
        if (auto st = read_string(part, "type", ptype); !st) return st;
        if (ptype != "input_text") return field_error("item.content", "must be a list of input_text parts (send audio with input_audio_buffer.append)");
        if (auto st = read_string(part, "text", ptext); !st) return st;
        text += ptext;
    }
    if (text.empty() || text.size() > 65536 || !utf8_is_valid(text)) {
        return field_error("item.content", "must hold 1 to 65536 bytes of UTF-8 text");
    }
    return status::ok();
}

status read_truncate(const json & doc, realtime_client_event & ev) {
    if (auto st = read_short_string(doc, "item_id", max_id_bytes, ev.item_id); !st) return st;
    if (ev.item_id.empty()) return field_error("item_id", "is required");
    int64_t index = 0;
    if (auto st = read_int(doc, "content_index", 0, 0, index); !st) return st;
    if (!doc.contains("audio_end_ms")) return field_error("audio_end_ms", "is required");
    return read_int(doc, "audio_end_ms", 0, int64_t{1} << 40, ev.audio_end_ms);
}

}  // namespace

std::string realtime_id(const char * prefix) {
    static std::atomic<uint64_t> next{0};
    static const uint64_t base = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%012llx", prefix, static_cast<unsigned long long>((base * 31 + ++next) & 0xffffffffffffULL));
    return buf;
}

result<realtime_client_event> parse_realtime_event(std::string_view text, const realtime_config & current,
                                                   std::string & event_id) {
    event_id.clear();
    auto parsed = parse_json_body(text);
    if (!parsed) return parsed.error();
    const json & doc = *parsed;
    if (!doc.is_object()) return wrong("an event must be a JSON object");
    if (auto st = read_short_string(doc, "event_id", max_id_bytes, event_id); !st) return st;
    std::string type;
    if (auto st = read_string(doc, "type", type); !st) return st;
    if (type.empty()) return field_error("type", "is required");
    realtime_client_event ev;
    ev.event_id = event_id;
    if (type == "session.update") {
        ev.type = realtime_client_event::kind::session_update;
        ev.session = current;
        const auto s = doc.find("session");
        if (s == doc.end()) return field_error("session", "is required");
        if (auto st = read_session(*s, ev.session); !st) return st;
    } else if (type == "input_audio_buffer.append") {
        ev.type = realtime_client_event::kind::audio_append;
        std::string coded;
        if (auto st = read_string(doc, "audio", coded); !st) return st;
        auto bytes = base64_decode(coded);
        if (!bytes) return field_error("audio", "must be base64");
        if (bytes->size() % 2) return field_error("audio", "must be whole 16-bit samples (an even number of bytes)");
        ev.audio = std::move(*bytes);
    } else if (type == "input_audio_buffer.commit") {
        ev.type = realtime_client_event::kind::audio_commit;
    } else if (type == "input_audio_buffer.clear") {
        ev.type = realtime_client_event::kind::audio_clear;
    } else if (type == "conversation.item.create") {
        ev.type = realtime_client_event::kind::item_create;
        if (auto st = read_item(doc, ev.text); !st) return st;
    } else if (type == "response.create") {
        ev.type = realtime_client_event::kind::response_create;
    } else if (type == "response.cancel") {
        ev.type = realtime_client_event::kind::response_cancel;
    } else if (type == "conversation.item.truncate") {
        ev.type = realtime_client_event::kind::item_truncate;
        if (auto st = read_truncate(doc, ev); !st) return st;
    } else {
        return wrong("unknown event type '" + utf8_sanitize(type.substr(0, 64)) + "'");
    }
    return ev;
}

std::string realtime_event(std::string_view type, json body) {
    body["type"] = type;
    body["event_id"] = realtime_id("event_");
    return json_text(body);
}

std::string realtime_error(const std::string & message, const std::string & code, const std::string & event_id,
                           const std::string & type) {
    json e = {{"type", type}, {"code", code}, {"message", message}, {"param", nullptr}};
    e["event_id"] = event_id.empty() ? json(nullptr) : json(event_id);
    return realtime_event("error", {{"error", e}});
}

json realtime_session_json(const std::string & id, const realtime_config & c, const std::string & model) {
    json td = nullptr;
    if (c.server_vad) {
        td = {{"type", "server_vad"}, {"silence_duration_ms", c.silence_ms}, {"prefix_padding_ms", c.prefix_ms},
              {"create_response", c.create_response}, {"interrupt_response", c.interrupt_response}};
    }
    json modalities = c.audio_out ? json::array({"text", "audio"}) : json::array({"text"});
    return {{"id", id},
            {"object", "realtime.session"},
            {"model", model},
            {"modalities", modalities},
            {"instructions", c.instructions},
            {"voice", c.voice},
            {"input_audio_format", "pcm16"},
            {"input_audio_rate", c.input_rate_hz},
            {"output_audio_format", "pcm16"},
            {"output_audio_rate", 24000},
            {"turn_detection", td},
            {"input_audio_transcription", {{"model", c.transcription_model}, {"language", c.language}}},
            {"max_response_output_tokens", c.max_output_tokens > 0 ? json(c.max_output_tokens) : json("inf")},
            {"temperature", c.temperature >= 0 ? json(c.temperature) : json(nullptr)},
            {"wake_word", c.wake_word}};
}

}  // namespace os1::server
