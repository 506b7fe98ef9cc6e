#include "server/realtime_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <nlohmann/json.hpp>
#include <thread>

namespace os1::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

struct endpoint {
    std::string host, port, target;
};

std::string percent_encoded(const std::string & s) {
    static const char * hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

result<endpoint> parse_url(const std::string & url, const std::string & conversation) {
    std::string rest;
    for (const char * scheme : {"http://", "ws://"}) {
        if (url.rfind(scheme, 0) == 0) rest = url.substr(std::string(scheme).size());
    }
    if (rest.empty()) {
        if (url.rfind("https://", 0) == 0 || url.rfind("wss://", 0) == 0) {
            return status(status_code::invalid_argument, "'" + url + "': os1 talk --mic does not speak TLS; "
                                                         "connect over http:// on the server's machine or through an SSH tunnel");
        }
        return status(status_code::invalid_argument, "'" + url + "' is not a server URL (http://HOST:PORT/v1)");
    }
    endpoint e;
    const size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.pop_back();
    const size_t colon = authority.rfind(':');
    if (authority.empty() || colon == 0) return status(status_code::invalid_argument, "'" + url + "' names no host");
    e.host = authority.substr(0, colon);
    e.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
    if (e.port.empty() || e.port.find_first_not_of("0123456789") != std::string::npos) {
        return status(status_code::invalid_argument, "'" + url + "' has no port number after its ':'");
    }
    if (path.size() < 3 || path.compare(path.size() - 3, 3, "/v1") != 0) path += "/v1";
    e.target = path + "/realtime?conversation=" + percent_encoded(conversation);
    return e;
}

// The message of an OpenAI-style error body, or the body itself.
std::string refusal(const beast::http::response<beast::http::string_body> & res) {
    const std::string head = "the server refused the call (" + std::to_string(res.result_int()) + ")";
    const auto j = nlohmann::json::parse(res.body(), nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].value("message", "") != "") {
        return head + ": " + j["error"]["message"].get<std::string>();
    }
    return res.body().empty() ? head : head + ": " + res.body().substr(0, 200);
}

// Why the upgrade to TARGET was declined: Beast's handshake keeps the answer
// to itself, so the same request is made again without a WebSocket key (which
// no server upgrades) and its status and message read.
result<beast::http::response<beast::http::string_body>> ask_why(const endpoint & where, const std::string & token) {
    net::io_context ioc;
    beast::tcp_stream tcp(ioc);
    beast::error_code ec;
    net::ip::tcp::resolver resolver(ioc);
    const auto found = resolver.resolve(where.host, where.port, ec);
    if (ec) return status(status_code::network_error, ec.message());
    tcp.expires_after(std::chrono::seconds(10));
    tcp.connect(found, ec);
    if (ec) return status(status_code::network_error, ec.message());
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, where.target, 11};
    req.set(beast::http::field::host, where.host + ":" + where.port);
    req.set(beast::http::field::connection, "Upgrade");
    req.set(beast::http::field::upgrade, "websocket");
    req.set(beast::http::field::sec_websocket_version, "13");
    if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
    beast::http::write(tcp, req, ec);
    if (ec) return status(status_code::network_error, ec.message());
    beast::flat_buffer buf;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(tcp, buf, res, ec);
    if (ec) return status(status_code::network_error, ec.message());
    return res;
}

}  // namespace

struct realtime_client::impl : std::enable_shared_from_this<impl> {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer in;
    std::deque<std::string> out;
    bool writing = false;
    bool closing = false;     // close() was called
    bool close_sent = false;
    bool over = false;
    on_event events;
    on_closed closed;
    std::thread thread;

    void read_next() {
        ws.async_read(in, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->end(ec);
            self->events(beast::buffers_to_string(self->in.data()));
            self->in.consume(self->in.size());
            self->read_next();
        });
    }
    void end(beast::error_code ec) {
        if (over) return;
        over = true;
        if (closing || ec == websocket::error::closed) {
            const auto & r = ws.reason();
            if (closing || r.code == websocket::close_code::normal) return closed({});
            return closed({status_code::network_error, "the server ended the call (" + std::to_string(r.code) + ")" +
                                                         (r.reason.empty() ? "" : ": " + std::string(r.reason.c_str()))});
        }
        closed({status_code::network_error, "the connection to the server was lost: " + ec.message()});
    }
    void write_next() {
        if (writing || over) return;
        if (out.empty()) {
            if (closing && !close_sent) {  // what was sent before close() goes first
                close_sent = true;
                ws.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code ec) {
                    if (ec) self->end(ec);  // else the read loop ends with `closed`
                });
            }
            return;
        }
        writing = true;
        ws.text(true);
        ws.async_write(net::buffer(out.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
            self->writing = false;
            self->out.pop_front();
            if (ec) return;  // the read side reports the loss
            self->write_next();
        });
    }
};

realtime_client::realtime_client(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

realtime_client::~realtime_client() {
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
    // The operations still pending end now, without callbacks, and let go of impl.
    impl_->over = true;
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().close(ec);
    impl_->ioc.restart();
    impl_->ioc.run();
}

result<std::unique_ptr<realtime_client>> realtime_client::connect(const std::string & url, const std::string & token,
                                                                  const std::string & conversation, on_event events,
                                                                  on_closed closed) {
    auto where = parse_url(url, conversation);
    if (!where) return where.error();
    auto p = std::make_shared<impl>();
    p->events = std::move(events);
    p->closed = std::move(closed);
    beast::error_code ec;
    net::ip::tcp::resolver resolver(p->ioc);
    const auto found = resolver.resolve(where->host, where->port, ec);
    if (ec) return status(status_code::network_error, where->host + ": " + ec.message());
    beast::get_lowest_layer(p->ws).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(p->ws).connect(found, ec);
    if (ec) return status(status_code::network_error, "no OS1 server answers at " + url + ": " + ec.message());
    p->ws.set_option(websocket::stream_base::decorator([token](websocket::request_type & req) {
        if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
    }));
    p->ws.read_message_max(16u << 20);
    p->ws.handshake(where->host + ":" + where->port, where->target, ec);
    if (ec == websocket::error::upgrade_declined) {
        auto res = ask_why(*where, token);
        if (!res) return status(status_code::network_error, "the server refused the call (" + res.error().message() + ")");
        const auto code = res->result_int() == 401 || res->result_int() == 403 ? status_code::permission_denied
                                                                               : status_code::network_error;
        return status(code, refusal(*res));
    }
    if (ec) return status(status_code::network_error, "the realtime call to " + url + " failed: " + ec.message());
    beast::get_lowest_layer(p->ws).expires_never();
    p->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    p->read_next();
    p->thread = std::thread([p] {
        auto guard = net::make_work_guard(p->ioc);
        p->ioc.run();
    });
    return std::unique_ptr<realtime_client>(new realtime_client(std::move(p)));
}

void realtime_client::send(std::string event) {
    net::post(impl_->ioc, [p = impl_, e = std::move(event)]() mutable {
        if (p->over || p->closing) return;
        p->out.push_back(std::move(e));
        p->write_next();
    });
}

void realtime_client::close() {
    net::post(impl_->ioc, [p = impl_] {
        if (p->over || p->closing) return;
        p->closing = true;
        p->write_next();
    });
}

}  // namespace os1::server
