#include "server/routes.h"

namespace os1::server {
namespace {

bool matches(std::string_view pattern, std::string_view path) {
    const size_t id = pattern.find("{id}");
    if (id == std::string_view::npos) return pattern == path;
    if (path.size() <= id || path.substr(0, id) != pattern.substr(0, id)) return false;
    const std::string_view rest = path.substr(id);
    return !rest.empty() && rest.find('/') == std::string_view::npos;
}

}  // namespace

const char * area_name(route_area a) {
    switch (a) {
        case route_area::health: return "health";
        case route_area::metrics: return "metrics";
        case route_area::models: return "models";
        case route_area::chat: return "chat";
        case route_area::status: return "status";
        case route_area::conversations: return "conversations";
        case route_area::memory: return "memory";
        case route_area::companion: return "companion";
        case route_area::initiative: return "initiative";
        case route_area::web: return "web";
        case route_area::audio: return "audio";
        case route_area::realtime: return "realtime";
    }
    return "other";
}

const std::vector<route_info> & all_routes() {
    static const std::vector<route_info> routes = {
        {"GET", "/", route_owner::nobody, route_area::web},
        {"GET", "/assets/{id}", route_owner::nobody, route_area::web},
        {"HEAD", "/", route_owner::nobody, route_area::web},
        {"HEAD", "/assets/{id}", route_owner::nobody, route_area::web},
        {"GET", "/health", route_owner::nobody, route_area::health},
        {"GET", "/metrics", route_owner::nobody, route_area::metrics},
        {"GET", "/v1/models", route_owner::caller, route_area::models},
        {"POST", "/v1/chat/completions", route_owner::caller, route_area::chat},
        {"POST", "/v1/audio/transcriptions", route_owner::caller, route_area::audio},
        {"POST", "/v1/audio/speech", route_owner::caller, route_area::audio},
        {"GET", "/v1/realtime", route_owner::caller, route_area::realtime},
        {"GET", "/api/v1/status", route_owner::caller, route_area::status},
        {"GET", "/api/v1/conversations", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/conversations/{id}", route_owner::caller, route_area::memory},
        {"DELETE", "/api/v1/conversations/{id}", route_owner::caller, route_area::conversations},
        {"GET", "/api/v1/memories", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/memories/search", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/memories/{id}", route_owner::caller, route_area::memory},
        {"PATCH", "/api/v1/memories/{id}", route_owner::caller, route_area::memory},
        {"DELETE", "/api/v1/memories/{id}", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/facts", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/facts/{id}", route_owner::caller, route_area::memory},
        {"PATCH", "/api/v1/facts/{id}", route_owner::caller, route_area::memory},
        {"DELETE", "/api/v1/facts/{id}", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/summaries", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/profile", route_owner::caller, route_area::memory},
        {"PUT", "/api/v1/profile", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/export", route_owner::caller, route_area::memory},
        {"DELETE", "/api/v1/me", route_owner::caller, route_area::memory},
        {"GET", "/api/v1/persona", route_owner::caller, route_area::companion},
        {"PUT", "/api/v1/persona", route_owner::caller, route_area::companion},
        {"GET", "/api/v1/persona/history", route_owner::caller, route_area::companion},
        {"POST", "/api/v1/persona/rollback", route_owner::caller, route_area::companion},
        {"GET", "/api/v1/mood", route_owner::caller, route_area::companion},
        {"GET", "/api/v1/events", route_owner::caller, route_area::initiative},
        {"GET", "/api/v1/initiatives", route_owner::caller, route_area::initiative},
        {"GET", "/api/v1/initiative/settings", route_owner::caller, route_area::initiative},
        {"PUT", "/api/v1/initiative/settings", route_owner::caller, route_area::initiative},
    };
    return routes;
}

const route_info * find_route(std::string_view method, std::string_view path) {
    // A fixed path wins over a pattern ("/api/v1/memories/search" is no memory id).
    for (const bool fixed : {true, false}) {
        for (const auto & r : all_routes()) {
            const bool is_pattern = std::string_view(r.pattern).find("{id}") != std::string_view::npos;
            if (is_pattern == fixed || method != r.method) continue;
            if (matches(r.pattern, path)) {
                if (!fixed) {
                    // A pattern does not take a path some fixed route of another method owns.
                    for (const auto & f : all_routes()) {
                        if (std::string_view(f.pattern) == path) return nullptr;
                    }
                }
                return &r;
            }
        }
    }
    return nullptr;
}

std::string methods_of(std::string_view path) {
    std::string out;
    for (const auto & r : all_routes()) {
        bool fixed_elsewhere = false;
        if (std::string_view(r.pattern).find("{id}") != std::string_view::npos) {
            for (const auto & f : all_routes()) fixed_elsewhere = fixed_elsewhere || std::string_view(f.pattern) == path;
        }
        if (!fixed_elsewhere && matches(r.pattern, path) && out.find(r.method) == std::string::npos) {
            out += (out.empty() ? "" : ", ") + std::string(r.method);
        }
    }
    return out;
}

}  // namespace os1::server
