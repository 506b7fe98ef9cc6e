#include "server/json_body.h"

namespace os1::server {

int json_nesting_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest && (deepest = depth) > limit) return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

result<json> parse_json_body(std::string_view body) {
    if (json_nesting_depth(body, max_json_depth) > max_json_depth) {
        return status(status_code::invalid_argument,
                      "the body nests arrays and objects deeper than " + std::to_string(max_json_depth) + " levels");
    }
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        // Parse again for the parser's own words on where it went wrong.
        try {
            const json again = json::parse(body);
            (void)again;
        } catch (const json::exception & e) {
            return status(status_code::invalid_argument, std::string("the body is not valid JSON: ") + e.what());
        }
        return status(status_code::invalid_argument, "the body is not valid JSON");
    }
    return doc;
}

status field_error(const std::string & field, const std::string & why) {
    return {status_code::invalid_argument, "'" + field + "' " + why};
}

namespace {

const json * present(const json & obj, const char * field) {
    const auto it = obj.find(field);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string number_text(double d) {
    return d == static_cast<double>(static_cast<int64_t>(d)) ? std::to_string(static_cast<int64_t>(d)) : json(d).dump();
}

}  // namespace

status read_int(const json & obj, const char * field, int64_t lo, int64_t hi, int64_t & out) {
    const json * v = present(obj, field);
    if (!v) return status::ok();
    const std::string range = "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (v->is_number_unsigned()) {
        const uint64_t u = v->get<uint64_t>();
        if (hi < 0 || u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo) return field_error(field, range);
        out = static_cast<int64_t>(u);
        return status::ok();
    }
    if (!v->is_number_integer()) return field_error(field, range);
    const int64_t n = v->get<int64_t>();
    if (n < lo || n > hi) return field_error(field, range);
    out = n;
    return status::ok();
}

status read_number(const json & obj, const char * field, double lo, double hi, double & out) {
    const json * v = present(obj, field);
    if (!v) return status::ok();
    const std::string range = "must be a number from " + number_text(lo) + " to " + number_text(hi);
    if (!v->is_number()) return field_error(field, range);
    const double d = v->get<double>();
    if (!(d >= lo && d <= hi)) return field_error(field, range);
    out = d;
    return status::ok();
}

status read_bool(const json & obj, const char * field, bool & out) {
    const json * v = present(obj, field);
    if (!v) return status::ok();
    if (!v->is_boolean()) return field_error(field, "must be true or false");
    out = v->get<bool>();
    return status::ok();
}

status read_string(const json & obj, const char * field, std::string & out) {
    const json * v = present(obj, field);
    if (!v) return status::ok();
    if (!v->is_string()) return field_error(field, "must be a string");
    out = v->get<std::string>();
    return status::ok();
}

std::string json_text(const json & j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace os1::server
