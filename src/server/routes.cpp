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

const std::vector<route_info> & all_routes() {
    static const std::vector<route_info> routes = {
        {"GET", "/health", false},
        {"GET", "/metrics", false},
        {"GET", "/v1/models", true},
        {"POST", "/v1/chat/completions", true},
        {"GET", "/api/v1/status", true},
        {"DELETE", "/api/v1/conversations/{id}", true},
        {"GET", "/api/v1/memories", true},
        {"GET", "/api/v1/memories/search", true},
        {"GET", "/api/v1/memories/{id}", true},
        {"PATCH", "/api/v1/memories/{id}", true},
        {"DELETE", "/api/v1/memories/{id}", true},
        {"GET", "/api/v1/facts", true},
        {"GET", "/api/v1/facts/{id}", true},
        {"PATCH", "/api/v1/facts/{id}", true},
        {"DELETE", "/api/v1/facts/{id}", true},
        {"GET", "/api/v1/summaries", true},
        {"GET", "/api/v1/profile", true},
        {"PUT", "/api/v1/profile", true},
        {"GET", "/api/v1/export", true},
        {"DELETE", "/api/v1/me", true},
        {"GET", "/api/v1/persona", true},
        {"PUT", "/api/v1/persona", true},
        {"GET", "/api/v1/persona/history", true},
        {"POST", "/api/v1/persona/rollback", true},
        {"GET", "/api/v1/mood", true},
        {"GET", "/api/v1/events", true},
        {"GET", "/api/v1/initiatives", true},
        {"GET", "/api/v1/initiative/settings", true},
        {"PUT", "/api/v1/initiative/settings", true},
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
