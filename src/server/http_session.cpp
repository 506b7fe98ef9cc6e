#include "server/http_session.h"

#include <spdlog/spdlog.h>

#include "server/openai_json.h"
#include "server/realtime_session.h"
#include "server/request_guard.h"
#include "server/routes.h"
#include "server/url_query.h"

namespace os1::server {
namespace {

constexpr size_t header_limit_bytes = 16 * 1024;
}  // namespace

std::string error_id() {
    static std::atomic<uint64_t> next{0};
    static const uint64_t base = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    char buf[24];
    std::snprintf(buf, sizeof buf, "e%012llx", static_cast<unsigned long long>((base + ++next) & 0xffffffffffffULL));
    return buf;
}

http_session::http_session(tcp::socket && socket, server_context & ctx, std::string address)
    : stream_(std::move(socket)), ctx_(ctx), watchdog_(stream_.get_executor()), address_(std::move(address)) {
    ++ctx_.stats.open_connections;
}

http_session::~http_session() {
    release_upload();
    stop_talking();
    ctx_.connections.give_back(address_);
    --ctx_.stats.open_connections;
}

void http_session::stop_talking() {
    if (!talking_) return;
    ctx_.talking.end(*talking_);
    talking_.reset();
}

void http_session::start() { wait_for_request(); }

// An idle connection costs a socket and this object; it waits for a first byte
// under the idle timeout, then has header_timeout_s to deliver a whole request.
void http_session::wait_for_request() {
    if (closed_) return;
    stream_.expires_never();
    if (buffer_.size() > 0) {
        read_request();
        return;
    }
    auto self = shared_from_this();
    watchdog_.expires_after(std::chrono::seconds(ctx_.opts.idle_timeout_s));
    watchdog_.async_wait([self](beast::error_code ec) {
        if (!ec) self->close();
    });
    stream_.socket().async_wait(tcp::socket::wait_read, [self](beast::error_code ec) {
        self->watchdog_.cancel();
        if (ec || self->closed_) {
            self->close();
            return;
        }
        if (!self->cur_) self->read_request();
    });
}

void http_session::read_request() {
    head_ = false;  // until this request is known to be a HEAD: its errors carry their bodies
    release_upload();
    parser_.emplace();
    // The header is checked against the largest limit; on_header sets the route's.
    parser_->body_limit(std::max(ctx_.opts.max_body_bytes, ctx_.opts.max_upload_bytes));
    parser_->header_limit(header_limit_bytes);
    stream_.expires_after(std::chrono::seconds(ctx_.opts.header_timeout_s));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void http_session::on_header(beast::error_code ec) {
    if (closed_) return;
    // The header is whole even when its declared length broke the largest limit.
    const auto & h = parser_->get();
    const std::string_view target(h.target().data(), h.target().size());
    const bool upload = h.method() == http::verb::post && target.substr(0, target.find('?')) == "/v1/audio/transcriptions";
    body_limit_ = upload ? ctx_.opts.max_upload_bytes : ctx_.opts.max_body_bytes;
    if (ec) return on_read(ec);
    const auto declared = parser_->content_length();
    if (declared && *declared > body_limit_) return on_read(http::error::body_limit);  // refused before a byte of it is read
    parser_->body_limit(body_limit_);
    if (upload && !parser_->is_done()) {
        // What the uploads being received hold at once is bounded: one that does not fit waits.
        if (!reserve_upload(declared ? *declared : body_limit_)) {
            keep_alive_ = false;
            return send_error(http::status::service_unavailable,
                              "the server is receiving as many uploads as it holds at once; try again in a few seconds",
                              "server_error", "audio", 5);
        }
        stream_.expires_after(std::chrono::seconds(ctx_.opts.upload_timeout_s));
    }
    if (parser_->is_done()) return on_read({});
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code e, size_t) { self->on_read(e); });
}

bool http_session::reserve_upload(uint64_t bytes) {
    uint64_t held = ctx_.stats.upload_bytes.load();
    do {
        if (held + bytes > ctx_.opts.max_uploads_bytes) return false;
    } while (!ctx_.stats.upload_bytes.compare_exchange_weak(held, held + bytes));
    upload_reserved_ = bytes;
    return true;
}

void http_session::release_upload() {
    ctx_.stats.upload_bytes -= upload_reserved_;
    upload_reserved_ = 0;
}

void http_session::on_read(beast::error_code ec) {
    if (closed_) return;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted) {
        close();
        return;
    }
    keep_alive_ = false;  // after a broken request the stream is not trusted
    if (ec == http::error::body_limit) {
        send_error(http::status::payload_too_large, "the request body is larger than " + std::to_string(body_limit_) + " bytes",
                   "invalid_request_error", "other");
        return;
    }
    if (ec == http::error::header_limit) {
        send_error(http::status::request_header_fields_too_large, "the request headers are too large",
                   "invalid_request_error", "other");
        return;
    }
    if (ec) {
        send_error(http::status::bad_request, "malformed HTTP request: " + ec.message(), "invalid_request_error", "other");
        return;
    }
    route(parser_->release());
}

std::optional<std::string> http_session::authenticate(const request & req) {
    if (ctx_.opts.no_auth) return std::string("local");
    std::string token;
    if (const auto it = req.find(http::field::authorization); it != req.end()) {
        const std::string value(it->value());
        if (value.rfind("Bearer ", 0) != 0) return std::nullopt;
        token = value.substr(7);
    } else {
        token = websocket_token(req);  // a browser's WebSocket cannot send headers
    }
    if (token.empty()) return std::nullopt;
    auto person = ctx_.users->authenticate(token);
    if (!person || ctx_.gate.blocked(*person)) return std::nullopt;  // being erased: the token is already dead
    ctx_.gate.seen(*person);
    return person;
}

// No exception escapes a handler: the person gets a 500 with an id that the
// log has beside the cause, and everyone else goes on being served.
void http_session::route(request && req) {
    try {
        dispatch(std::move(req));
    } catch (const std::exception & e) {
        internal_error("route", e.what());
    }
}

void http_session::internal_error(const std::string & where, const std::string & what) {
    const std::string id = error_id();
    spdlog::error("internal error {} in {}: {}", id, where, what);
    if (closed_) return;
    if (cur_ || writing_) {  // a reply is under way: it cannot be replaced by an error
        if (cur_ && !cur_->ended) cur_->cancel->store(true);
        close();
        return;
    }
    keep_alive_ = false;
    send_error(http::status::internal_server_error, "internal error " + id + " (the server's log says more)", "server_error",
               "other");
}

void http_session::dispatch(request && req) {
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    std::string path(req.target());
    path = path.substr(0, path.find('?'));
    const auto method = req.method();
    const auto header = [&req](const auto & name) {
        const auto it = req.find(name);
        return it == req.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
    };
    const auto method_name = req.method_string();
    const auto verdict = check_request({std::string_view(method_name.data(), method_name.size()), header(http::field::host),
                                        header(http::field::origin), header("Sec-Fetch-Site"),
                                        header(http::field::content_type), req.body().size(),
                                        method == http::verb::post && path == "/v1/audio/transcriptions"},
                                       ctx_.opts);
    cors_origin_ = verdict.cors_origin;
    if (verdict.status == 415) {
        return send_error(http::status::unsupported_media_type, verdict.message, "invalid_request_error", "other");
    }
    if (verdict.status) return send_error(http::status::forbidden, verdict.message, "permission_error", "other");
    if (method == http::verb::options) {  // a CORS preflight
        if (cors_origin_.empty()) {
            return send_error(http::status::forbidden, "no other site is allowed here (--allow-origin)", "permission_error", "other");
        }
        return send(http::status::no_content, "", "other", "text/plain", 0, cors_preflight_headers(cors_origin_));
    }
    // Only what the route table has reaches a handler (routes.h); a route that
    // works on a person's data has the token's person, and only theirs.
    const route_info * r = find_route(std::string_view(method_name.data(), method_name.size()), path);
    if (!r) {
        const std::string allowed = methods_of(path);
        if (allowed.empty()) return send_error(http::status::not_found, "no route " + path, "not_found_error", "other");
        return send_error(http::status::method_not_allowed, "use " + allowed, "invalid_request_error", "other");
    }
    const std::string name = area_name(r->area);
    route_name_ = name;
    std::string person;
    if (r->needs_token()) {
        auto who = authenticate(req);
        if (!who) {
            return send_error(http::status::unauthorized, "missing or wrong API token (Authorization: Bearer os1_...)",
                              "authentication_error", name);
        }
        person = std::move(*who);
    }
    switch (r->area) {
        case route_area::health:
            return ctx_.stopping ? send(http::status::service_unavailable, "{\"status\":\"stopping\"}", name)
                                 : send(http::status::ok, "{\"status\":\"ok\"}", name);
        case route_area::metrics: return send(http::status::ok, ctx_.stats.render(ctx_.engine.stats()), name, "text/plain; version=0.0.4");
        case route_area::models: return send(http::status::ok, models_json(ctx_.opts.model_name, ctx_.started_unix), name);
        case route_area::chat: return chat_completions(std::move(req), person);
        case route_area::status: return status_route();
        case route_area::conversations:
            return delete_conversation(person, percent_decode(path.substr(std::string_view(r->pattern).find("{id}"))));
        case route_area::memory: return memory_handler(ctx_).handle(*this, req, person, path);
        case route_area::companion: return companion_handler(ctx_).handle(*this, req, person, path);
        case route_area::initiative: return initiative_handler(ctx_).handle(*this, req, person, path);
        case route_area::web: return web_route(req, path);
        case route_area::audio: return audio_handler(ctx_).handle(*this, req, person, path);
        case route_area::realtime: return realtime_route(std::move(req), person);
    }
    send_error(http::status::not_found, "no route " + path, "not_found_error", "other");
}

// The page's files from memory, with what a browser may do with them.
void http_session::web_route(const request & req, const std::string & path) {
    // The 404 too: it names the path it was asked, and a browser must read it as text only.
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Security-Policy", web_files::content_security_policy()},
        {"Referrer-Policy", "no-referrer"},
    };
    const web_file * f = ctx_.web->find(path);
    if (!f) {
        const std::string why = ctx_.web->empty() ? "the web page is not built here (scripts/setup builds web/ with npm)"
                                                  : "no file " + path + " in the web page";
        return send(http::status::not_found, why + "\n", "web", "text/plain; charset=utf-8", 0, headers);
    }
    headers.emplace_back("Cache-Control", f->cache);
    headers.emplace_back("ETag", f->etag);
    const auto match = req.find(http::field::if_none_match);
    if (match != req.end() && std::string_view(match->value().data(), match->value().size()) == f->etag) {
        return send(http::status::not_modified, "", "web", f->content_type, 0, headers);
    }
    send(http::status::ok, f->body, "web", f->content_type, 0, headers);
}

// The true live figures: people talking with the OS now, and the
// conversations whose KV state it holds (in the context, in RAM, on disk).
void http_session::status_route() {
    const auto e = ctx_.engine.stats();
    send(http::status::ok,
         status_json(ctx_.talking.talking_now(), e, ctx_.talking.window().count(), ctx_.opts.model_name, ctx_.started_unix),
         "status");
}

void http_session::send(http::status code, std::string body, const std::string & route_name,
                        const std::string & content_type, int retry_after_s,
                        const std::vector<std::pair<std::string, std::string>> & extra_headers) {
    auto res = std::make_shared<http::response<http::string_body>>(code, 11);
    res->set(http::field::server, "os1");
    // No answer is ever read as another type than it says (an error names what it was asked).
    res->set("X-Content-Type-Options", "nosniff");
    if (!cors_origin_.empty() && extra_headers.empty()) {
        res->set(http::field::access_control_allow_origin, cors_origin_);
        res->set(http::field::vary, "Origin");
    }
    for (const auto & [name, value] : extra_headers) res->set(name, value);
    res->set(http::field::content_type, content_type);
    if (retry_after_s > 0) res->set(http::field::retry_after, std::to_string(retry_after_s));
    if (code == http::status::unauthorized) res->set(http::field::www_authenticate, "Bearer");
    res->keep_alive(keep_alive_);
    res->body() = std::move(body);
    res->prepare_payload();
    if (head_) {  // the length the GET would have, without its bytes
        const auto length = res->body().size();
        res->body().clear();
        res->content_length(length);
    }
    ctx_.stats.count_response(route_name, static_cast<int>(code));
    stream_.expires_after(std::chrono::seconds(ctx_.opts.write_timeout_s));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
        if (ec) {
            self->close();
            return;
        }
        self->after_response();
    });
}

void http_session::send_error(http::status code, const std::string & message, const std::string & type,
                              const std::string & route_name, int retry_after_s) {
    send(code, error_json(message, type), route_name, "application/json", retry_after_s);
}

http_error http_error_of(status_code code) {
    switch (code) {
        case status_code::invalid_argument: return {http::status::bad_request, "invalid_request_error", 0};
        case status_code::not_found: return {http::status::not_found, "not_found_error", 0};
        case status_code::permission_denied: return {http::status::unauthorized, "authentication_error", 0};
        case status_code::resource_exhausted:  // busy: a queue or a limit is full
        case status_code::cancelled: return {http::status::service_unavailable, "server_error", 1};  // shutting down
        case status_code::network_error: return {http::status::bad_gateway, "server_error", 0};  // a remote server OS1 relies on
        default: return {http::status::internal_server_error, "server_error", 0};
    }
}

void http_session::send_status_error(const status & st, const std::string & route_name) {
    const http_error e = http_error_of(st.code());
    send_error(e.code, st.message(), e.type, route_name, e.retry_after_s);
}

void http_session::error(http::status code, const std::string & message, const std::string & type) {
    send_error(code, message, type, route_name_);
}

bool http_session::rate_limited(const std::string & person) { return over_rate(person, route_name_); }

bool http_session::over_rate(const std::string & person, const std::string & route_name) {
    const int wait_s = ctx_.limiter.acquire(person);
    if (wait_s <= 0) return false;
    send_error(http::status::too_many_requests,
               "too many requests from " + person + "; try again in " + std::to_string(wait_s) + " s", "rate_limit_error",
               route_name, wait_s);
    return true;
}

std::string http_session::cors_lines() const {
    return cors_origin_.empty() ? "" : "Access-Control-Allow-Origin: " + cors_origin_ + "\r\nVary: Origin\r\n";
}

void http_session::after_response() {
    stop_talking();
    if (!keep_alive_) {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        close();
        return;
    }
    wait_for_request();
}

void http_session::close() {
    if (closed_) return;
    closed_ = true;
    gone_ = true;
    stop_talking();
    if (cur_ && !cur_->ended) cur_->cancel->store(true);
    watchdog_.cancel();
    beast::error_code ec;
    stream_.socket().close(ec);
}

memory_reply error_reply(const status & st) {
    const http_error e = http_error_of(st.code());
    return {e.code, error_json(st.message(), e.type)};
}

void http_session::memory_job(std::function<memory_reply(memory::memory_store &)> job, const std::string & person) {
    auto self = shared_from_this();
    const std::string route_name = route_name_;
    ctx_.memory->post([self, route_name, job = std::move(job), person](memory::memory_store & store) {
        memory_reply r;
        try {
            r = job(store);
        } catch (const std::exception & e) {
            r = error_reply(status(status_code::internal, e.what()));
        }
        // The KV states that held the change go first, then the name is free again
        // if the person was erased, then the answer.
        auto reply = std::make_shared<memory_reply>(std::move(r));
        const auto finish = [self, person, route_name, reply] {
            if (reply->unblock_person) self->ctx_.gate.unblock(person);
            net::post(self->stream_.get_executor(), [self, route_name, reply] {
                self->send(reply->code, reply->body, route_name, reply->content_type);
            });
        };
        if (reply->drop_person) return self->ctx_.engine.drop_person(person, finish);
        if (reply->drop.empty()) return finish();
        // The last of the drops to be done answers.
        auto left = std::make_shared<std::atomic<size_t>>(reply->drop.size());
        for (const auto & c : reply->drop) {
            self->ctx_.engine.drop({person, c}, [left, finish](bool) {
                if (left->fetch_sub(1) == 1) finish();
            });
        }
    });
}

}  // namespace os1::server
