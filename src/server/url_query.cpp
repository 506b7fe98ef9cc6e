#include "server/url_query.h"

namespace os1::server {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(std::string_view s, bool plus_is_space) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (plus_is_space && s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::string percent_decode(std::string_view s) { return decode(s, false); }

std::map<std::string, std::string> url_query(std::string_view target) {
    std::map<std::string, std::string> out;
    const size_t q = target.find('?');
    if (q == std::string_view::npos) return out;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const size_t eq = pair.find('=');
        if (!pair.empty()) out[decode(pair.substr(0, eq), true)] = eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1), true);
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return out;
}

std::optional<int64_t> query_number(const std::map<std::string, std::string> & query, const std::string & name, int64_t lo,
                                    int64_t hi, int64_t fallback) {
    const auto it = query.find(name);
    if (it == query.end()) return fallback;
    const std::string & v = it->second;
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int64_t n = std::stoll(v);
    if (n < lo || n > hi) return std::nullopt;
    return n;
}

}  // namespace os1::server
