// UTF-8 helpers for text that arrives in pieces (token by token).
#pragma once

#include <string>
#include <string_view>

namespace os1 {

// Joins byte pieces and releases only whole UTF-8 characters: a token may end in
// the middle of a multi-byte character, and a terminal or JSON string must never
// see half of one. Invalid bytes are replaced by U+FFFD.
class utf8_stream {
public:
    // Appends `piece` and returns the complete characters now available.
    std::string push(std::string_view piece);
    // Returns what is left; an unfinished character becomes U+FFFD.
    std::string flush();

private:
    std::string pending_;
};

// True when `s` is entirely valid UTF-8 (no overlongs, no surrogates).
bool utf8_is_valid(std::string_view s);

// `s` with every invalid sequence replaced by U+FFFD.
std::string utf8_sanitize(std::string_view s);

// How many characters (code points) valid UTF-8 `s` holds.
size_t utf8_length(std::string_view s);

// The longest start of valid UTF-8 `s` of at most MAX_BYTES that ends on a
// character boundary.
std::string_view utf8_prefix(std::string_view s, size_t max_bytes);

}  // namespace os1
