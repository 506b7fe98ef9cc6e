// The bodies of OS1's own routes (docs/api.md) into os1 types. Each answers
// invalid_argument naming the field; none throws, whatever the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::server {

// {"text": "..."} (a memory or fact corrected, the person's profile).
result<std::string> parse_text_body(std::string_view body);

// PUT /api/v1/persona: {"name": "..."}.
result<std::string> parse_persona_name(std::string_view body);

// POST /api/v1/persona/rollback: {"version": N}, N from 1 to 2^31-1.
result<int64_t> parse_persona_version(std::string_view body);

// PUT /api/v1/initiative/settings: the fields given, each checked.
struct initiative_settings_patch {
    std::optional<bool> opted_out;
    std::optional<int> quiet_from, quiet_to;  // minutes after midnight
    std::optional<int> utc_offset_minutes;    // -840 to 840
    std::optional<int> daily_cap;             // 0 to 50
    std::optional<double> min_importance;     // 0 to 1
};
result<initiative_settings_patch> parse_initiative_settings(std::string_view body);
memory::initiative_settings apply_settings(memory::initiative_settings s, const initiative_settings_patch & p);

}  // namespace os1::server
