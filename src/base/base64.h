// Base64 (RFC 4648, the standard alphabet, padded), for audio carried inside
// JSON events (the realtime protocol's input_audio_buffer.append and
// response.audio.delta).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace os1 {

std::string base64_encode(std::string_view bytes);

// The bytes TEXT encodes, or nothing when it is not base64: a character
// outside the alphabet, a length that is not a multiple of four, padding
// anywhere but at the end, or bits left over that are not zero.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace os1
