// Human-readable sizes and durations for messages and progress bars.
#pragma once

#include <cstdint>
#include <string>

namespace os1 {

std::string format_bytes(uint64_t n_bytes);        // "1.2 GiB", "512 B"
std::string format_duration_s(double seconds);     // "3 s", "4 min 05 s", "2 h 10 min"

}  // namespace os1
