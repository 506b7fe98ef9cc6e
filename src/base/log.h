// Logging for the whole program (spdlog): readable lines on a terminal, or one
// JSON object per line with --log-json. Logs go to stderr so that stdout stays
// the program's output (replies, tables) and can be piped.
#pragma once

#include <spdlog/spdlog.h>

#include "base/options.h"

namespace os1 {

// Installs the default logger. Call once, early, from main; safe to call again
// (tests) to switch format or level.
void init_logging(const log_options & opts);

// Escapes `s` as the inside of a JSON string.
std::string json_escape(std::string_view s);

}  // namespace os1
