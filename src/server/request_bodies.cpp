#include "server/request_bodies.h"

#include "companion/initiative.h"
#include "server/json_body.h"

namespace os1::server {
namespace {

result<json> object_body(std::string_view body, const char * shape) {
    auto doc = parse_json_body(body);
    if (!doc) return doc.error();
    if (!doc->is_object()) return status(status_code::invalid_argument, std::string("the body must be ") + shape);
    return doc;
}

// The one string field FIELD of a {"FIELD": "..."} body.
result<std::string> string_body(std::string_view body, const char * field, const char * shape) {
    auto doc = object_body(body, shape);
    if (!doc) return doc.error();
    const auto it = doc->find(field);
    if (it == doc->end() || !it->is_string()) return field_error(field, std::string("must be a string: ") + shape);
    return it->get<std::string>();
}

}  // namespace

result<std::string> parse_text_body(std::string_view body) { return string_body(body, "text", "{\"text\": \"...\"}"); }

result<std::string> parse_persona_name(std::string_view body) { return string_body(body, "name", "{\"name\": \"...\"}"); }

result<int64_t> parse_persona_version(std::string_view body) {
    auto doc = object_body(body, "{\"version\": N}");
    if (!doc) return doc.error();
    int64_t version = 0;
    if (auto st = read_int(*doc, "version", 1, INT32_MAX, version); !st) return st;
    if (version == 0) return field_error("version", "is required: {\"version\": N}");
    return version;
}

result<initiative_settings_patch> parse_initiative_settings(std::string_view body) {
    auto doc = object_body(body, "a JSON object of settings");
    if (!doc) return doc.error();
    initiative_settings_patch p;
    for (const auto & [key, v] : doc->items()) {
        if (key == "opted_out") {
            bool b = false;
            if (auto st = read_bool(*doc, "opted_out", b); !st) return st;
            if (!v.is_null()) p.opted_out = b;
        } else if (key == "quiet_from" || key == "quiet_to") {
            const auto m = v.is_string() ? companion::parse_clock(v.get<std::string>()) : std::nullopt;
            if (!m) return field_error(key, "must be a time of day, \"HH:MM\"");
            (key == "quiet_from" ? p.quiet_from : p.quiet_to) = *m;
        } else if (key == "utc_offset_minutes" || key == "daily_cap") {
            const bool cap = key == "daily_cap";
            int64_t n = INT64_MIN;
            if (auto st = read_int(*doc, key.c_str(), cap ? 0 : -14 * 60, cap ? 50 : 14 * 60, n); !st) return st;
            if (n != INT64_MIN) (cap ? p.daily_cap : p.utc_offset_minutes) = static_cast<int>(n);
        } else if (key == "min_importance") {
            double d = -1;
            if (auto st = read_number(*doc, "min_importance", 0, 1, d); !st) return st;
            if (d >= 0) p.min_importance = d;
        } else {
            return status(status_code::invalid_argument, "no initiative setting '" + key + "'");
        }
    }
    return p;
}

memory::initiative_settings apply_settings(memory::initiative_settings s, const initiative_settings_patch & p) {
    if (p.opted_out) s.opted_out = *p.opted_out;
    if (p.quiet_from) s.quiet_from = *p.quiet_from;
    if (p.quiet_to) s.quiet_to = *p.quiet_to;
    if (p.utc_offset_minutes) s.utc_offset = *p.utc_offset_minutes;
    if (p.daily_cap) s.daily_cap = *p.daily_cap;
    if (p.min_importance) s.min_importance = *p.min_importance;
    return s;
}

}  // namespace os1::server
