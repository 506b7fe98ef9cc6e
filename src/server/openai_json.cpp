#include "server/openai_json.h"

#include <nlohmann/json.hpp>

#include <chrono>

#include "base/utf8.h"

namespace os1::server {
namespace {

using json = nlohmann::json;

status field_error(const std::string & field, const std::string & why) {
    return {status_code::invalid_argument, "'" + field + "' " + why};
}

// content: a string, or an array of {"type":"text","text":...} parts.
result<std::string> message_content(const json & c, const std::string & where) {
    if (c.is_string()) return c.get<std::string>();
    if (c.is_null()) return std::string();
    if (!c.is_array()) return field_error(where, "must be a string or an array of text parts");
    std::string out;
    for (const auto & part : c) {
        if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string()) {
            return field_error(where, "supports only text parts ({\"type\":\"text\",\"text\":...})");
        }
        out += part["text"].get<std::string>();
    }
    return out;
}

template <class T>
status number(const json & doc, const char * name, double lo, double hi, T & out) {
    if (!doc.contains(name) || doc[name].is_null()) return status::ok();
    const json & v = doc[name];
    if (!v.is_number()) return field_error(name, "must be a number");
    const double d = v.get<double>();
    if (d < lo || d > hi) return field_error(name, "must be from " + json(lo).dump() + " to " + json(hi).dump());
    if constexpr (std::is_integral_v<T>) {
        if (!v.is_number_integer()) return field_error(name, "must be a whole number");
        out = static_cast<T>(v.get<int64_t>());
    } else {
        out = static_cast<T>(d);
    }
    return status::ok();
}

std::string text_of(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

result<chat_request> parse_chat_request(std::string_view body, const server_options & opts) {
    json doc;
    try {
        doc = json::parse(body);
    } catch (const json::parse_error & e) {
        return status(status_code::invalid_argument, std::string("the body is not valid JSON: ") + e.what());
    }
    if (!doc.is_object()) return status(status_code::invalid_argument, "the body must be a JSON object");
    chat_request r;
    r.gen.max_tokens = opts.max_tokens_default;
    r.gen.sampling.temperature = 0.8f;
    r.gen.sampling.top_p = 0.95f;
    r.gen.sampling.seed = -1;

    if (doc.contains("model")) {
        if (!doc["model"].is_string()) return field_error("model", "must be a string");
        r.model = doc["model"];
    }
    if (!doc.contains("messages") || !doc["messages"].is_array() || doc["messages"].empty()) {
        return field_error("messages", "must be a non-empty array");
    }
    for (size_t i = 0; i < doc["messages"].size(); ++i) {
        const json & m = doc["messages"][i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) return field_error(where + ".role", "must be a string");
        std::string role = m["role"];
        if (role == "developer") role = "system";
        if (role != "system" && role != "user" && role != "assistant") {
            return field_error(where + ".role", "must be system, user or assistant ('" + role + "' is not supported)");
        }
        auto content = message_content(m.value("content", json()), where + ".content");
        if (!content) return content.error();
        if (!utf8_is_valid(*content)) return field_error(where + ".content", "is not valid UTF-8");
        r.messages.push_back({role, std::move(*content)});
    }
    for (const char * unsupported : {"tools", "functions", "tool_choice", "response_format"}) {
        if (doc.contains(unsupported) && !doc[unsupported].is_null()) return field_error(unsupported, "is not supported yet");
    }
    int n = 1;
    if (auto st = number(doc, "n", 1, 1, n); !st) return field_error("n", "must be 1");
    int max_tokens = r.gen.max_tokens;
    if (auto st = number(doc, "max_tokens", 1, 1 << 20, max_tokens); !st) return st;
    if (auto st = number(doc, "max_completion_tokens", 1, 1 << 20, max_tokens); !st) return st;
    r.gen.max_tokens = max_tokens;
    if (auto st = number(doc, "temperature", 0, 2, r.gen.sampling.temperature); !st) return st;
    if (auto st = number(doc, "top_p", 0, 1, r.gen.sampling.top_p); !st) return st;
    if (auto st = number(doc, "seed", -1, 4294967295.0, r.gen.sampling.seed); !st) return st;
    if (doc.contains("stop") && !doc["stop"].is_null()) {
        const json & s = doc["stop"];
        if (s.is_string()) {
            r.stop.push_back(s);
        } else if (s.is_array() && s.size() <= 4) {
            for (const auto & x : s) {
                if (!x.is_string()) return field_error("stop", "must be a string or up to 4 strings");
                r.stop.push_back(x);
            }
        } else {
            return field_error("stop", "must be a string or up to 4 strings");
        }
    }
    for (const auto & [name, target] : {std::pair<const char *, bool *>{"stream", &r.stream}, {"ignore_eos", &r.gen.ignore_eos}}) {
        if (doc.contains(name) && !doc[name].is_null()) {
            if (!doc[name].is_boolean()) return field_error(name, "must be true or false");
            *target = doc[name];
        }
    }
    if (doc.contains("stream_options") && doc["stream_options"].is_object()) {
        r.include_usage = doc["stream_options"].value("include_usage", false);
    }
    if (doc.contains("user") && !doc["user"].is_null()) {
        if (!doc["user"].is_string()) return field_error("user", "must be a string");
        r.user = doc["user"];
    }
    return r;
}

const char * finish_reason(llm::stop_reason r) {
    switch (r) {
        case llm::stop_reason::max_tokens:
        case llm::stop_reason::context_full: return "length";
        default: return "stop";
    }
}

std::string completion_json(const std::string & id, int64_t created, const std::string & model, const std::string & text,
                            llm::stop_reason reason, const usage & u) {
    json j = {{"id", id},
              {"object", "chat.completion"},
              {"created", created},
              {"model", model},
              {"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", text}}},
                                        {"finish_reason", finish_reason(reason)}}})},
              {"usage",
               {{"prompt_tokens", u.prompt_tokens},
                {"completion_tokens", u.completion_tokens},
                {"total_tokens", u.prompt_tokens + u.completion_tokens},
                {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}}}}};
    return text_of(j);
}

std::string chunk_event(const std::string & id, int64_t created, const std::string & model, const std::string & role,
                        const std::string & content, bool finished, llm::stop_reason reason) {
    json delta = json::object();
    if (!role.empty()) delta["role"] = role;
    if (!content.empty() || !role.empty()) delta["content"] = content;
    json j = {{"id", id},
              {"object", "chat.completion.chunk"},
              {"created", created},
              {"model", model},
              {"choices", json::array({{{"index", 0}, {"delta", delta},
                                        {"finish_reason", finished ? json(finish_reason(reason)) : json()}}})}};
    return "data: " + text_of(j) + "\n\n";
}

std::string usage_event(const std::string & id, int64_t created, const std::string & model, const usage & u) {
    json j = {{"id", id},
              {"object", "chat.completion.chunk"},
              {"created", created},
              {"model", model},
              {"choices", json::array()},
              {"usage",
               {{"prompt_tokens", u.prompt_tokens},
                {"completion_tokens", u.completion_tokens},
                {"total_tokens", u.prompt_tokens + u.completion_tokens},
                {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}}}}};
    return "data: " + text_of(j) + "\n\n";
}

std::string error_json(const std::string & message, const std::string & type, const std::string & param,
                       const std::string & code) {
    json j = {{"error",
               {{"message", message},
                {"type", type},
                {"param", param.empty() ? json() : json(param)},
                {"code", code.empty() ? json() : json(code)}}}};
    return text_of(j);
}

std::string error_event(const std::string & message) { return "data: " + error_json(message, "server_error") + "\n\n"; }

std::string models_json(const std::string & model, int64_t created) {
    json j = {{"object", "list"},
              {"data", json::array({{{"id", model}, {"object", "model"}, {"created", created}, {"owned_by", "os1"}}})}};
    return text_of(j);
}

std::string status_json(uint64_t people_talking_now, const llm::engine_stats & e, int64_t window_s, const std::string & model,
                        int64_t started_unix) {
    const uint64_t held = e.conversations_resident + e.conversations_ram + e.conversations_disk;
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return json{{"people_talking_now", people_talking_now},
                {"conversations_held", held},
                {"conversations", {{"resident", e.conversations_resident}, {"in_ram", e.conversations_ram}, {"on_disk", e.conversations_disk}}},
                {"requests_in_flight", e.active + e.pending},
                {"talking_window_s", window_s},
                {"model", model},
                {"uptime_s", started_unix > 0 ? now - started_unix : 0}}
        .dump();
}

}  // namespace os1::server
