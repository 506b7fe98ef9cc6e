// The completion routes of a session: POST /v1/chat/completions (a JSON reply
// or server-sent events) and DELETE /api/v1/conversations/{id}.
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <cerrno>
#include <random>

#include "server/http_session.h"
#include "server/openai_json.h"

namespace os1::server {
namespace {

std::string random_id(const char * prefix) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%016llx", prefix, static_cast<unsigned long long>(rng()));
    return buf;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

bool valid_conversation_id(const std::string & id) {
    if (id.empty() || id.size() > 128) return false;
    for (const char c : id) {
        if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
}

std::string chunk_frame(const std::string & data) {
    char head[20];
    std::snprintf(head, sizeof head, "%zx\r\n", data.size());
    return head + data + "\r\n";
}

void http_session::chat_completions(request && req, const std::string & person) {
    if (ctx_.stopping) {
        return send_error(http::status::service_unavailable, "the server is shutting down", "server_error", "chat", 5);
    }
    auto parsed = parse_chat_request(req.body(), ctx_.opts);
    if (!parsed) return send_error(http::status::bad_request, parsed.error().message(), "invalid_request_error", "chat");
    std::string conversation = parsed->user.empty() ? "default" : parsed->user;
    if (const auto it = req.find("X-OS1-Conversation"); it != req.end()) conversation = std::string(it->value());
    if (!valid_conversation_id(conversation)) {
        return send_error(http::status::bad_request, "a conversation id is 1 to 128 printable ASCII characters",
                          "invalid_request_error", "chat");
    }
    if (over_rate(person, "chat")) return;

    stop_talking();
    talking_ = person;
    ctx_.talking.begin(person);

    cur_ = new_completion(*parsed);
    companion::turn_request t;
    t.context = {person, conversation, person, ctx_.opts.assistant_name, 0, ""};
    t.messages = std::move(parsed->messages);
    t.gen = parsed->gen;
    t.stop = std::move(parsed->stop);
    t.cancelled = cur_->cancel;
    // Erasing or removing the person cancels the reply and stops what the turn would write (person_gate).
    const uint64_t epoch = ctx_.gate.epoch(person);
    ctx_.gate.watch(person, cur_->cancel);
    t.still_current = [&gate = ctx_.gate, person, epoch] { return gate.current(person, epoch); };
    ctx_.turns->run(std::move(t), [self = shared_from_this(), id = cur_->id](const companion::turn_event & ev) {
        net::post(self->stream_.get_executor(), [self, id, ev] { self->on_turn_event(id, ev); });
    });
}

http_session::completion http_session::new_completion(const chat_request & chat) const {
    completion c;
    c.id = random_id("chatcmpl-");
    c.created = unix_now();
    c.stream = chat.stream;
    c.include_usage = chat.include_usage;
    c.cancel = std::make_shared<std::atomic<bool>>(false);
    c.started = std::chrono::steady_clock::now();
    return c;
}

void http_session::open_stream() {
    cur_->opened = true;
    write_raw(std::string("HTTP/1.1 200 OK\r\nServer: os1\r\nContent-Type: text/event-stream\r\n") + cors_lines() +
              "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: " + (keep_alive_ ? "keep-alive" : "close") +
              "\r\n\r\n");
    write_raw(chunk_frame(chunk_event(cur_->id, cur_->created, ctx_.opts.model_name, "assistant", "", false,
                                      llm::stop_reason::end_of_turn)));
}

// Notices a client that goes away while its reply is computed, and stops it.
void http_session::watch_client() {
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        if (ec || !self->cur_ || self->cur_->ended || self->closed_) return;
        switch (self->peek_socket()) {
        case readable::closed:
            self->cur_->cancel->store(true);
            self->close();
            break;
        case readable::nothing: self->watch_client(); break;
        case readable::data: break;  // the next request arrived early; it is read after this reply
        }
    });
}

http_session::readable http_session::peek_socket() {
    char byte = 0;
    const ssize_t n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return readable::data;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return readable::nothing;
    return readable::closed;  // 0: an orderly close; any other error: the connection is gone
}

// What the turn (companion/turn.h) says of the reply with id ID.
void http_session::on_turn_event(const std::string & id, const companion::turn_event & ev) {
    if (!cur_ || closed_ || cur_->id != id) return;
    completion & c = *cur_;
    using kind = companion::turn_event::kind;
    if (ev.type == kind::started) {
        c.began = true;
        if (c.stream && !c.opened) open_stream();
        return watch_client();
    }
    if (ev.type == kind::failed) return turn_failed(ev.error);
    if (!c.first_token) {
        c.first_token = true;
        ctx_.stats.observe_ttft_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count());
    }
    const std::string & model = ctx_.opts.model_name;
    if (ev.type == kind::text) {
        if (c.stream) {
            write_raw(chunk_frame(chunk_event(c.id, c.created, model, "", ev.text, false, llm::stop_reason::end_of_turn)));
        } else {
            c.text += ev.text;
        }
        return;
    }
    c.ended = true;  // done: the reply is stored
    usage u{ev.stats.prompt_tokens, ev.stats.generated_tokens, ev.stats.prompt_tokens - ev.stats.computed_tokens};
    if (c.stream) {
        std::string tail = chunk_event(c.id, c.created, model, "", "", true, ev.stats.reason);
        if (c.include_usage) tail += usage_event(c.id, c.created, model, u);
        tail += "data: [DONE]\n\n";
        write_raw(chunk_frame(tail) + "0\r\n\r\n");
        ctx_.stats.count_response("chat", 200);
        return;
    }
    const std::string body = completion_json(c.id, c.created, model, c.text, ev.stats.reason, u);
    cur_.reset();
    send(http::status::ok, body, "chat");
}

void http_session::turn_failed(const status & st) {
    completion & c = *cur_;
    if (st.code() == status_code::permission_denied && c.began) {
        // Erased while the reply was made: it is not stored, and nothing more is said.
        c.cancel->store(true);
        return close();
    }
    if (c.opened) {  // the status line is sent: report inside the stream
        c.ended = true;
        write_raw(chunk_frame(error_event(st.message()) + "data: [DONE]\n\n") + "0\r\n\r\n");
        ctx_.stats.count_response("chat", 500);
        return;
    }
    cur_.reset();
    if (st.code() == status_code::internal) return internal_error("chat", st.message());
    send_status_error(st, "chat");
}

void http_session::write_raw(std::string data) {
    out_.push_back(std::move(data));
    if (!writing_) do_write();
}

void http_session::do_write() {
    if (closed_) return;
    // Everything queued goes out in one write.
    auto data = std::make_shared<std::string>();
    for (auto & s : out_) *data += s;
    out_.clear();
    writing_ = true;
    stream_.expires_after(std::chrono::seconds(ctx_.opts.write_timeout_s));
    net::async_write(stream_, net::buffer(*data), [self = shared_from_this(), data](beast::error_code ec, size_t) {
        self->writing_ = false;
        if (ec) {
            self->close();  // a client that stopped reading: its reply is stopped too
            return;
        }
        if (!self->out_.empty()) {
            self->do_write();
        } else if (self->close_after_write_) {
            self->close();
        } else if (self->finish_after_write_) {
            self->finish_after_write_ = false;
            self->after_response();
        } else if (self->cur_ && self->cur_->ended) {
            self->finish_completion();
        }
    });
}

void http_session::finish_completion() {
    cur_.reset();
    after_response();
}

void http_session::delete_conversation(const std::string & person, const std::string & id) {
    if (!valid_conversation_id(id)) {
        return send_error(http::status::bad_request, "not a conversation id", "invalid_request_error", "conversations");
    }
    if (over_rate(person, "conversations")) return;
    auto self = shared_from_this();
    ctx_.engine.drop({person, id}, [self, id](bool found) {
        net::post(self->stream_.get_executor(), [self, found, id] {
            if (found) {
                self->send(http::status::no_content, "", "conversations");
            } else {
                self->send_error(http::status::not_found, "no conversation '" + id + "'", "not_found_error", "conversations");
            }
        });
    });
}

}  // namespace os1::server
