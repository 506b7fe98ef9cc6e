// GET /v1/realtime: the connection is handed to a realtime_session once the
// request is known to be a WebSocket upgrade the person may make.
#include <boost/beast/websocket.hpp>

#include "server/http_session.h"
#include "server/realtime_session.h"
#include "server/url_query.h"

namespace os1::server {
namespace {

std::vector<std::string> offered_subprotocols(const http::request<http::string_body> & req) {
    std::vector<std::string> out;
    const auto it = req.find(http::field::sec_websocket_protocol);
    if (it == req.end()) return out;
    const std::string_view all(it->value().data(), it->value().size());
    size_t at = 0;
    while (at <= all.size()) {
        size_t end = all.find(',', at);
        if (end == std::string_view::npos) end = all.size();
        std::string_view one = all.substr(at, end - at);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (!one.empty()) out.emplace_back(one);
        at = end + 1;
    }
    return out;
}

}  // namespace

std::string websocket_token(const http::request<http::string_body> & req) {
    constexpr std::string_view prefix = "openai-insecure-api-key.";
    for (const auto & p : offered_subprotocols(req)) {
        if (p.rfind(prefix, 0) == 0) return p.substr(prefix.size());
    }
    return "";
}

std::string websocket_subprotocol(const http::request<http::string_body> & req) {
    for (const auto & p : offered_subprotocols(req)) {
        if (p == "realtime") return p;
    }
    return "";
}

void http_session::realtime_route(request && req, const std::string & person) {
    if (!websocket::is_upgrade(req)) {
        return send_error(http::status::upgrade_required, "/v1/realtime is a WebSocket: connect with Upgrade: websocket",
                          "invalid_request_error", "realtime");
    }
    if (ctx_.stopping) return send_error(http::status::service_unavailable, "the server is shutting down", "server_error", "realtime", 5);
    if (!ctx_.voices) return send_error(http::status::service_unavailable, ctx_.voice_off, "server_error", "realtime", 0);
    const auto query = url_query(std::string_view(req.target().data(), req.target().size()));
    std::string conversation = "voice";
    if (const auto it = req.find("X-OS1-Conversation"); it != req.end()) conversation = std::string(it->value());
    if (const auto it = query.find("conversation"); it != query.end()) conversation = it->second;
    if (!valid_conversation_id(conversation)) {
        return send_error(http::status::bad_request, "a conversation id is 1 to 128 printable ASCII characters",
                          "invalid_request_error", "realtime");
    }
    if (over_rate(person, "realtime")) return;
    // From here the socket is the realtime session's; this object lets it go.
    closed_ = true;
    gone_ = true;
    watchdog_.cancel();
    const std::string subprotocol = websocket_subprotocol(req);
    auto rt = std::make_shared<realtime_session>(std::move(stream_), ctx_, std::exchange(address_, ""), person, conversation);
    rt->start(std::move(req), subprotocol);
}

}  // namespace os1::server
