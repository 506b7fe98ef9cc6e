// Who speaks in a conversation. The core passes this enum; its name ("user",
// "assistant", "system") exists only at the edges: JSON, SQL and the model's
// chat template.
#pragma once

#include <optional>
#include <string_view>

namespace os1 {

enum class role { system, user, assistant };

constexpr const char * role_name(role r) {
    switch (r) {
        case role::system: return "system";
        case role::user: return "user";
        case role::assistant: return "assistant";
    }
    return "user";
}

// nullopt for any other name.
constexpr std::optional<role> parse_role(std::string_view name) {
    for (const role r : {role::system, role::user, role::assistant}) {
        if (name == role_name(r)) return r;
    }
    return std::nullopt;
}

}  // namespace os1
