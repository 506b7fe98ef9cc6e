// What a request must show before any route sees it (docs/api.md, "Browsers
// and --no-auth"): a page on another site may not drive the server through
// someone's browser, and a name that merely resolves to this machine (DNS
// rebinding) may not reach a --no-auth server.
//
// - With --no-auth, the Host header must name this machine (localhost,
//   127.x.x.x, [::1] or --host), and a request a browser marks cross-site or
//   same-site (Sec-Fetch-Site) must come from an allowed origin.
// - Everywhere, an Origin other than the server's own must be one the operator
//   listed (--allow-origin); those get CORS headers, nobody else does.
// - Everywhere, a request body must be declared JSON (Content-Type:
//   application/json): a form or text/plain body is what a page on another
//   site can send without asking first. An upload route takes
//   multipart/form-data instead; it needs a token (which no other site's page
//   has), and with --no-auth the Origin and Sec-Fetch-Site checks above stop
//   another site's form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/server_options.h"

namespace os1::server {

struct request_view {
    std::string_view method;          // "GET", "POST", ...
    std::string_view host;            // the Host header ("" when absent)
    std::string_view origin;          // the Origin header ("" when absent)
    std::string_view sec_fetch_site;  // the Sec-Fetch-Site header ("" when absent)
    std::string_view content_type;    // the Content-Type header ("" when absent)
    size_t body_bytes = 0;
    bool form = false;  // the route takes multipart/form-data (an upload) instead of JSON
};

struct guard_verdict {
    int status = 0;           // 0: go on; else the HTTP status to answer (403, 415)
    std::string message;      // why, for the person
    std::string cors_origin;  // an allowed Origin to echo in CORS headers ("" for none)
};

guard_verdict check_request(const request_view & r, const server_options & o);

// The headers of a CORS preflight answer for ORIGIN.
std::vector<std::pair<std::string, std::string>> cors_preflight_headers(const std::string & origin);

}  // namespace os1::server
