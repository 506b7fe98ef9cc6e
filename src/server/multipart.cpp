#include "server/multipart.h"

#include <algorithm>
#include <cctype>

namespace os1::server {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The parameter KEY of a header value `type; key=value; key2="va;lue"`
// (a quoted value may hold ';' and backslash escapes); false when absent.
bool param(std::string_view v, std::string_view key, std::string & out) {
    size_t i = v.find(';');
    while (i < v.size()) {
        while (i < v.size() && (v[i] == ';' || v[i] == ' ' || v[i] == '\t')) ++i;
        const size_t name_start = i;
        while (i < v.size() && v[i] != '=' && v[i] != ';') ++i;
        const std::string name = lower(trim(v.substr(name_start, i - name_start)));
        if (i >= v.size() || v[i] == ';') continue;  // a name without a value
        ++i;                                          // '='
        std::string value;
        if (i < v.size() && v[i] == '"') {
            for (++i; i < v.size() && v[i] != '"'; ++i) {
                if (v[i] == '\\' && i + 1 < v.size()) ++i;
                value += v[i];
            }
            ++i;  // the closing quote
        } else {
            const size_t start = i;
            while (i < v.size() && v[i] != ';') ++i;
            value = std::string(trim(v.substr(start, i - start)));
        }
        if (name == key) {
            out = std::move(value);
            return true;
        }
    }
    return false;
}

}  // namespace

result<std::string> multipart_boundary(std::string_view content_type) {
    const std::string_view type = trim(content_type.substr(0, content_type.find(';')));
    if (lower(type) != "multipart/form-data") {
        return status(status_code::invalid_argument, "the body must be multipart/form-data (a file upload), not '" +
                                                         std::string(type.substr(0, 100)) + "'");
    }
    std::string b;
    if (!param(content_type, "boundary", b) || b.empty()) {
        return status(status_code::invalid_argument, "the multipart/form-data Content-Type has no boundary");
    }
    if (b.size() > 70) return status(status_code::invalid_argument, "the multipart boundary is longer than 70 characters");
    return b;
}

result<std::vector<form_part>> parse_multipart(std::string_view body, std::string_view boundary, const multipart_limits & limits) {
    const std::string delimiter = "--" + std::string(boundary);
    // The first boundary: at the start, or after a preamble and its line break.
    size_t at = body.substr(0, delimiter.size()) == delimiter ? 0 : body.find("\r\n" + delimiter);
    if (at == std::string_view::npos) return status(status_code::invalid_argument, "the form has no part: its boundary never appears");
    if (at != 0) at += 2;
    const std::string next_delimiter = "\r\n" + delimiter;
    std::vector<form_part> parts;
    for (;;) {
        at += delimiter.size();
        if (body.substr(at, 2) == "--") return parts;  // the closing boundary
        // Transport padding may follow a boundary before its line break.
        while (at < body.size() && (body[at] == ' ' || body[at] == '\t')) ++at;
        if (body.substr(at, 2) != "\r\n") return status(status_code::invalid_argument, "a form boundary is not followed by a line break");
        at += 2;
        if (parts.size() == limits.max_parts) {
            return status(status_code::invalid_argument, "the form has more than " + std::to_string(limits.max_parts) + " parts");
        }
        const size_t head_end = body.find("\r\n\r\n", at);
        if (head_end == std::string_view::npos || head_end - at > limits.max_part_header_bytes) {
            return status(status_code::invalid_argument, head_end == std::string_view::npos
                                                             ? "a form part has no blank line after its headers"
                                                             : "a form part's headers are longer than " +
                                                                   std::to_string(limits.max_part_header_bytes) + " bytes");
        }
        form_part p;
        bool disposition = false;
        std::string_view headers = body.substr(at, head_end - at);
        while (!headers.empty()) {
            const size_t eol = std::min(headers.find("\r\n"), headers.size());
            const std::string_view line = headers.substr(0, eol);
            headers.remove_prefix(std::min(eol + 2, headers.size()));
            const size_t colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            const std::string name = lower(trim(line.substr(0, colon)));
            const std::string_view value = trim(line.substr(colon + 1));
            if (name == "content-disposition") {
                disposition = lower(trim(value.substr(0, value.find(';')))) == "form-data";
                param(value, "name", p.name);
                param(value, "filename", p.filename);
            } else if (name == "content-type") {
                p.content_type = std::string(value);
            }
        }
        if (!disposition || p.name.empty()) {
            return status(status_code::invalid_argument, "a form part has no 'Content-Disposition: form-data; name=...'");
        }
        const size_t data_start = head_end + 4;
        const size_t data_end = body.find(next_delimiter, data_start);
        if (data_end == std::string_view::npos) {
            return status(status_code::invalid_argument, "the form ends without its closing boundary (the upload was cut?)");
        }
        p.data = body.substr(data_start, data_end - data_start);
        parts.push_back(std::move(p));
        at = data_end + 2;
    }
}

const form_part * find_part(const std::vector<form_part> & parts, std::string_view name) {
    for (const auto & p : parts) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

}  // namespace os1::server
