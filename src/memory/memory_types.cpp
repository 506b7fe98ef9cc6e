#include "memory/memory_types.h"

#include <array>

namespace os1::memory {
namespace {

template <typename E, size_t N>
std::optional<E> parse(std::string_view name, const std::array<E, N> & all, const char * (*name_of)(E)) {
    for (const E e : all) {
        if (name == name_of(e)) return e;
    }
    return std::nullopt;
}

}  // namespace

const char * kind_name(recalled_kind k) {
    switch (k) {
        case recalled_kind::turn: return "turn";
        case recalled_kind::fact: return "fact";
        case recalled_kind::summary: return "summary";
    }
    return "turn";
}

const char * kind_name(initiative_kind k) {
    switch (k) {
        case initiative_kind::follow_up: return "follow_up";
        case initiative_kind::check_in: return "check_in";
        case initiative_kind::reminder: return "reminder";
    }
    return "follow_up";
}

const char * state_name(initiative_state s) {
    switch (s) {
        case initiative_state::pending: return "pending";
        case initiative_state::sent: return "sent";
        case initiative_state::dropped: return "dropped";
    }
    return "pending";
}

const char * stage_name(onboarding_stage s) {
    switch (s) {
        case onboarding_stage::not_begun: return "";
        case onboarding_stage::interview: return "interview";
        case onboarding_stage::naming: return "naming";
        case onboarding_stage::done: return "done";
        case onboarding_stage::skipped: return "skipped";
    }
    return "";
}

std::optional<initiative_kind> parse_initiative_kind(std::string_view name) {
    return parse(name, std::array{initiative_kind::follow_up, initiative_kind::check_in, initiative_kind::reminder},
                 static_cast<const char * (*)(initiative_kind)>(&kind_name));
}

std::optional<initiative_state> parse_initiative_state(std::string_view name) {
    return parse(name, std::array{initiative_state::pending, initiative_state::sent, initiative_state::dropped}, &state_name);
}

std::optional<onboarding_stage> parse_onboarding_stage(std::string_view name) {
    return parse(name,
                 std::array{onboarding_stage::not_begun, onboarding_stage::interview, onboarding_stage::naming,
                            onboarding_stage::done, onboarding_stage::skipped},
                 &stage_name);
}

}  // namespace os1::memory
