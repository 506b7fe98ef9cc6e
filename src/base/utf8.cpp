#include "base/utf8.h"

#include <cstdint>

namespace os1 {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Length of the valid sequence starting at s[i]; 0 if invalid; -1 if it is a
// valid prefix cut off by the end of `s`.
int sequence_length(std::string_view s, size_t i) {
    const auto c0 = static_cast<uint8_t>(s[i]);
    int len = 0;
    uint32_t min_cp = 0;
    if (c0 < 0x80) return 1;
    if ((c0 & 0xE0) == 0xC0) { len = 2; min_cp = 0x80; }
    else if ((c0 & 0xF0) == 0xE0) { len = 3; min_cp = 0x800; }
    else if ((c0 & 0xF8) == 0xF0) { len = 4; min_cp = 0x10000; }
    else return 0;
    uint32_t cp = c0 & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        if (i + k >= s.size()) return -1;
        const auto c = static_cast<uint8_t>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (c & 0x3F);
        // Reject overlongs and out-of-range as early as the second byte allows.
        if (k == 1) {
            if (len == 3 && c0 == 0xE0 && c < 0xA0) return 0;
            if (len == 3 && c0 == 0xED && c > 0x9F) return 0;  // surrogates
            if (len == 4 && c0 == 0xF0 && c < 0x90) return 0;
            if (len == 4 && c0 > 0xF4) return 0;
            if (len == 4 && c0 == 0xF4 && c > 0x8F) return 0;
        }
    }
    if (cp < min_cp) return 0;
    return len;
}

}  // namespace

std::string utf8_stream::push(std::string_view piece) {
    pending_.append(piece);
    std::string out;
    size_t i = 0;
    while (i < pending_.size()) {
        const int n = sequence_length(pending_, i);
        if (n < 0) break;  // wait for the rest of this character
        if (n == 0) {
            out.append(replacement);
            ++i;
        } else {
            out.append(pending_, i, static_cast<size_t>(n));
            i += static_cast<size_t>(n);
        }
    }
    pending_.erase(0, i);
    return out;
}

std::string utf8_stream::flush() {
    std::string out = pending_.empty() ? std::string() : std::string(replacement);
    pending_.clear();
    return out;
}

bool utf8_is_valid(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const int n = sequence_length(s, i);
        if (n <= 0) return false;
        i += static_cast<size_t>(n);
    }
    return true;
}

std::string utf8_sanitize(std::string_view s) {
    utf8_stream st;
    std::string out = st.push(s);
    return out + st.flush();
}

size_t utf8_length(std::string_view s) {
    size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string_view utf8_prefix(std::string_view s, size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // s[end] starts the next character
    return s.substr(0, end);
}

}  // namespace os1
