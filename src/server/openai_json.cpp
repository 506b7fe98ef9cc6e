#include "server/openai_json.h"

#include <nlohmann/json.hpp>

#include <chrono>

#include "base/utf8.h"
#include "server/json_body.h"

namespace os1::server {
namespace {

// content: a string, or an array of {"type":"text","text":...} parts.
result<std::string> message_content(const json & c, const std::string & where) {
    if (c.is_string()) return c.get<std::string>();
    if (c.is_null()) return std::string();
    if (!c.is_array()) return field_error(where, "must be a string or an array of text parts");
    std::string out;
    for (const auto & part : c) {
        const auto type = part.is_object() ? part.find("type") : part.end();
        const auto text = part.is_object() ? part.find("text") : part.end();
        if (!part.is_object() || type == part.end() || !type->is_string() || *type != "text" || text == part.end() ||
            !text->is_string()) {
            return field_error(where, "supports only text parts ({\"type\":\"text\",\"text\":...})");
        }
        out += text->get_ref<const std::string &>();
    }
    return out;
}

}  // namespace

result<chat_request> parse_chat_request(std::string_view body, const server_options & opts) {
    auto parsed = parse_json_body(body);
    if (!parsed) return parsed.error();
    const json & doc = *parsed;
    if (!doc.is_object()) return status(status_code::invalid_argument, "the body must be a JSON object");
    chat_request r;
    r.gen.max_tokens = opts.max_tokens_default;
    r.gen.sampling.temperature = 0.8f;
    r.gen.sampling.top_p = 0.95f;
    r.gen.sampling.seed = -1;

    if (auto st = read_string(doc, "model", r.model); !st) return st;
    const auto messages = doc.find("messages");
    if (messages == doc.end() || !messages->is_array() || messages->empty()) {
        return field_error("messages", "must be a non-empty array");
    }
    if (messages->size() > static_cast<size_t>(opts.max_messages)) {
        return field_error("messages", "holds " + std::to_string(messages->size()) + " messages; at most " +
                                           std::to_string(opts.max_messages) + " are taken (the oldest are cut to fit anyway)");
    }
    uint64_t text_bytes = 0;
    for (size_t i = 0; i < messages->size(); ++i) {
        const json & m = (*messages)[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        if (!m.is_object()) return field_error(where, "must be an object with a role and content");
        std::string role_text;
        if (auto st = read_string(m, "role", role_text); !st || role_text.empty()) return field_error(where + ".role", "must be a string");
        if (role_text == "developer") role_text = "system";
        const auto role = parse_role(role_text);
        if (!role) return field_error(where + ".role", "must be system, user or assistant ('" + role_text + "' is not supported)");
        const auto c = m.find("content");
        auto content = message_content(c == m.end() ? json() : *c, where + ".content");
        if (!content) return content.error();
        if (!utf8_is_valid(*content)) return field_error(where + ".content", "is not valid UTF-8");
        text_bytes += content->size();
        if (text_bytes > opts.max_prompt_bytes) {
            return field_error("messages", "hold more than " + std::to_string(opts.max_prompt_bytes) + " bytes of text");
        }
        r.messages.push_back({*role, std::move(*content)});
    }
    for (const char * unsupported : {"tools", "functions", "tool_choice", "response_format"}) {
        const auto it = doc.find(unsupported);
        if (it != doc.end() && !it->is_null()) return field_error(unsupported, "is not supported yet");
    }
    int64_t n = 1;
    if (auto st = read_int(doc, "n", 1, 1, n); !st) return field_error("n", "must be 1");
    int64_t max_tokens = r.gen.max_tokens;
    if (auto st = read_int(doc, "max_tokens", 1, 1 << 20, max_tokens); !st) return st;
    if (auto st = read_int(doc, "max_completion_tokens", 1, 1 << 20, max_tokens); !st) return st;
    r.gen.max_tokens = static_cast<int>(max_tokens);
    double temperature = r.gen.sampling.temperature, top_p = r.gen.sampling.top_p;
    if (auto st = read_number(doc, "temperature", 0, 2, temperature); !st) return st;
    if (auto st = read_number(doc, "top_p", 0, 1, top_p); !st) return st;
    r.gen.sampling.temperature = static_cast<float>(temperature);
    r.gen.sampling.top_p = static_cast<float>(top_p);
    if (auto st = read_int(doc, "seed", -1, 4294967295LL, r.gen.sampling.seed); !st) return st;
    if (const auto s = doc.find("stop"); s != doc.end() && !s->is_null()) {
        if (s->is_string()) {
            r.stop.push_back(*s);
        } else if (s->is_array() && s->size() <= 4) {
            for (const auto & x : *s) {
                if (!x.is_string()) return field_error("stop", "must be a string or up to 4 strings");
                r.stop.push_back(x);
            }
        } else {
            return field_error("stop", "must be a string or up to 4 strings");
        }
    }
    if (auto st = read_bool(doc, "stream", r.stream); !st) return st;
    if (auto st = read_bool(doc, "ignore_eos", r.gen.ignore_eos); !st) return st;
    if (const auto so = doc.find("stream_options"); so != doc.end() && !so->is_null()) {
        if (!so->is_object()) return field_error("stream_options", "must be an object");
        if (auto st = read_bool(*so, "include_usage", r.include_usage); !st) {
            return field_error("stream_options.include_usage", "must be true or false");
        }
    }
    if (auto st = read_string(doc, "user", r.user); !st) return st;
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
    return json_text(j);
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
    return "data: " + json_text(j) + "\n\n";
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
    return "data: " + json_text(j) + "\n\n";
}

std::string error_json(const std::string & message, const std::string & type, const std::string & param,
                       const std::string & code) {
    json j = {{"error",
               {{"message", message},
                {"type", type},
                {"param", param.empty() ? json() : json(param)},
                {"code", code.empty() ? json() : json(code)}}}};
    return json_text(j);
}

std::string error_event(const std::string & message) { return "data: " + error_json(message, "server_error") + "\n\n"; }

std::string models_json(const std::string & model, int64_t created) {
    json j = {{"object", "list"},
              {"data", json::array({{{"id", model}, {"object", "model"}, {"created", created}, {"owned_by", "os1"}}})}};
    return json_text(j);
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
