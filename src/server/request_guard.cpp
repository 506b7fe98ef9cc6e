#include "server/request_guard.h"

#include <algorithm>
#include <cctype>

namespace os1::server {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char & c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "name:port" or "[v6]:port" without the port.
std::string host_name(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        const size_t end = host.find(']');
        return end == std::string_view::npos ? lower(host) : lower(host.substr(0, end + 1));
    }
    return lower(host.substr(0, host.find(':')));
}

bool names_this_machine(std::string_view host, const server_options & o) {
    const std::string name = host_name(host);
    if (name == "localhost" || name == "[::1]" || name == lower(o.host)) return true;
    if (name.rfind("127.", 0) != 0) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return c == '.' || std::isdigit(static_cast<unsigned char>(c)); });
}

bool listed(std::string_view origin, const server_options & o) {
    const std::string want = lower(origin);
    return std::any_of(o.allow_origins.begin(), o.allow_origins.end(), [&](const std::string & a) { return lower(a) == want; });
}

}  // namespace

guard_verdict check_request(const request_view & r, const server_options & o) {
    guard_verdict v;
    if (o.no_auth && !names_this_machine(r.host, o)) {
        v.status = 403;
        v.message = "this server serves this machine only: the Host header must be localhost, 127.0.0.1 or [::1]";
        return v;
    }
    const bool same_origin = !r.origin.empty() && !r.host.empty() && lower(r.origin) == "http://" + lower(r.host);
    const bool allowed = !r.origin.empty() && listed(r.origin, o);
    if (!r.origin.empty() && !same_origin && !allowed) {
        v.status = 403;
        v.message = "requests from the web page at " + std::string(r.origin.substr(0, 200)) +
                    " are refused: the operator allows other sites with --allow-origin";
        return v;
    }
    const std::string site = lower(r.sec_fetch_site);
    if (o.no_auth && (site == "cross-site" || site == "same-site") && !allowed) {
        v.status = 403;
        v.message = "a request another site's page made is refused (Sec-Fetch-Site: " + site + ")";
        return v;
    }
    if (r.body_bytes > 0) {
        const std::string type = lower(r.content_type.substr(0, r.content_type.find(';')));
        const std::string want = r.form ? "multipart/form-data" : "application/json";
        if (type.find_first_not_of(' ') == std::string::npos || type.substr(type.find_first_not_of(' ')) != want) {
            v.status = 415;
            v.message = r.form ? "an upload must be sent as a form, with Content-Type: multipart/form-data"
                               : "a request body must be JSON, sent with Content-Type: application/json";
            return v;
        }
    }
    if (allowed) v.cors_origin = std::string(r.origin);
    return v;
}

std::vector<std::pair<std::string, std::string>> cors_preflight_headers(const std::string & origin) {
    return {{"Access-Control-Allow-Origin", origin},
            {"Vary", "Origin"},
            {"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"},
            {"Access-Control-Allow-Headers", "Authorization, Content-Type, X-OS1-Conversation, X-OS1-Confirm"},
            {"Access-Control-Max-Age", "600"}};
}

}  // namespace os1::server
