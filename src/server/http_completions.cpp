// The completion routes of a session: POST /v1/chat/completions (a JSON reply
// or server-sent events) and DELETE /api/v1/conversations/{id}.
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <cerrno>
#include <random>

#include "companion/honesty.h"
#include "companion/initiative.h"
#include "server/background_distill.h"
#include "server/background_feelings.h"
#include "server/http_session.h"
#include "server/job_queue.h"
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

bool valid_conversation_id(const std::string & id) {
    if (id.empty() || id.size() > 128) return false;
    for (const char c : id) {
        if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
}

}  // namespace

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
    if (rate_limited(person, "chat")) return;

    stop_talking();
    talking_ = person;
    ctx_.talking.begin(person);

    auto chat = std::make_shared<chat_request>(std::move(*parsed));
    if (!ctx_.memory) return start_completion(std::move(*chat), person, conversation, nullptr);
    // The message is stored, and what matters recalled, on the memory thread.
    companion::turn_context tc{person, conversation, person, ctx_.opts.assistant_name, ctx_.now(), ""};
    if (!chat->messages.empty() && companion::asks_about_others(chat->messages.back().content)) {
        const auto e = ctx_.engine.stats();
        tc.live_note = companion::live_figures_note(ctx_.talking.talking_now(),
                                                    e.conversations_resident + e.conversations_ram + e.conversations_disk);
    }
    const uint64_t epoch = ctx_.gate.epoch(person);
    ctx_.memory->post([self = shared_from_this(), chat, tc, person, conversation, epoch](memory::memory_store & store) {
        try {
            self->prepare_on_memory_thread(store, chat, tc, person, conversation, epoch);
        } catch (const std::exception & e) {
            const std::string what = e.what();
            net::post(self->stream_.get_executor(), [self, what] { self->internal_error("chat", what); });
        }
    });
}

// The message is stored and the turn prepared (or the interview goes on); the
// connection's strand takes it from there.
void http_session::prepare_on_memory_thread(memory::memory_store & store, std::shared_ptr<chat_request> chat,
                                            const companion::turn_context & tc, const std::string & person,
                                            const std::string & conversation, uint64_t epoch) {
    auto self = shared_from_this();
    if (!ctx_.gate.current(person, epoch)) {  // erased since: nothing of theirs is written
        return net::post(stream_.get_executor(), [self] { self->revoked(); });
    }
    {
        // A new person's first conversation is the interview (companion/onboarding.h).
        result<companion::onboarding_step> step = companion::onboarding_step{};
        if (chat->messages.back().role == "user") {
            step = companion::onboarding_turn(store, tc, chat->messages.back().content, ctx_.opts.onboarding);
        }
        if (!step || step->type != companion::onboarding_step::kind::none) {
            return net::post(self->stream_.get_executor(), [self, chat, tc, step = std::move(step)]() mutable {
                if (self->closed_) return;
                if (!step) return self->memory_failed(step.error());
                if (step->type == companion::onboarding_step::kind::reply) return self->scripted_reply(*chat, step->reply);
                self->naming(chat, tc, std::move(*step));
            });
        }
        auto prepared = companion::prepare_turn(store, tc, chat->messages, ctx_.opts.persona, ctx_.opts.memory);
        if (prepared && ctx_.initiative()) {
            // What the message asks the OS to say later (a reminder, a follow-up, a check-in).
            auto noticed = companion::notice_after_message(store, prepared->person, chat->messages.back().content,
                                                           prepared->user_turn_id, tc.now);
            if (!noticed) spdlog::error("initiative: {}", noticed.error().message());
        }
        net::post(self->stream_.get_executor(), [self, chat, tc, person, conversation, epoch, prepared = std::move(prepared)]() mutable {
            if (self->closed_) return;
            if (!prepared) return self->memory_failed(prepared.error());
            auto turn = std::make_shared<remembered_turn>(remembered_turn{tc, std::move(*prepared), epoch});
            self->start_completion(std::move(*chat), person, conversation, std::move(turn));
        });
    }
}

void http_session::revoked() {
    if (closed_) return;
    send_error(http::status::unauthorized, "this person was erased or removed while the request waited",
               "authentication_error", "chat");
}

void http_session::memory_failed(const status & st) {
    const bool bad = st.code() == status_code::invalid_argument;
    send_error(bad ? http::status::bad_request : http::status::internal_server_error, st.message(),
               bad ? "invalid_request_error" : "server_error", "chat");
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

// A reply the OS gives without the model (an interview question), already
// stored: delivered as a completion like any other.
void http_session::scripted_reply(const chat_request & chat, const std::string & text) {
    cur_ = new_completion(chat);
    llm::completion_event ev;
    ev.text = text;
    on_engine_event(ev);
    ev = {};
    ev.type = llm::completion_event::kind::done;
    ev.stats.generated_tokens = 0;
    on_engine_event(ev);
}

// The OS chooses its name (a model call under a grammar), the persona is
// stored and the reply introducing it is sent. The client waits as for any reply.
void http_session::naming(std::shared_ptr<chat_request> chat, const companion::turn_context & tc, companion::onboarding_step step) {
    auto answer = std::make_shared<std::string>();
    llm::completion_request r;
    r.key = {tc.person, companion::naming_conversation()};
    r.messages = std::move(step.prompt);
    r.gen = std::move(step.gen);
    const memory::person_id who = step.person;
    r.on_event = [self = shared_from_this(), chat, tc, who, answer](const llm::completion_event & ev) {
        if (ev.type == llm::completion_event::kind::text) {
            *answer += ev.text;
            return;
        }
        result<std::string> got = ev.type == llm::completion_event::kind::error ? result<std::string>(ev.error) : *answer;
        self->ctx_.memory->post([self, chat, tc, who, got = std::move(got)](memory::memory_store & store) {
            self->ctx_.engine.drop({tc.person, companion::naming_conversation()}, {});  // it held the person's answers
            auto reply = companion::finish_naming(store, tc, who, got, self->ctx_.opts.onboarding);
            net::post(self->stream_.get_executor(), [self, chat, reply = std::move(reply)] {
                if (self->closed_) return;
                if (!reply) return self->memory_failed(reply.error());
                self->scripted_reply(*chat, *reply);
            });
        });
    };
    if (auto st = ctx_.engine.submit(std::move(r)); !st) {
        // No model call: the default name, so that the person is never left without a reply.
        ctx_.memory->post([self = shared_from_this(), chat, tc, who, st](memory::memory_store & store) {
            auto reply = companion::finish_naming(store, tc, who, result<std::string>(st), self->ctx_.opts.onboarding);
            net::post(self->stream_.get_executor(), [self, chat, reply = std::move(reply)] {
                if (self->closed_) return;
                if (!reply) return self->memory_failed(reply.error());
                self->scripted_reply(*chat, *reply);
            });
        });
    }
}

void http_session::start_completion(chat_request && chat, const std::string & person, const std::string & conversation,
                                    std::shared_ptr<remembered_turn> turn) {
    completion c = new_completion(chat);
    c.turn = turn;

    llm::completion_request r;
    r.key = {person, conversation};
    r.messages = turn ? companion::lay_out(turn->prepared.parts) : std::move(chat.messages);
    r.gen = chat.gen;
    r.stop = std::move(chat.stop);
    r.cancelled = c.cancel;
    r.on_event = [self = shared_from_this()](const llm::completion_event & ev) {
        net::post(self->stream_.get_executor(), [self, ev] { self->on_engine_event(ev); });
    };
    // Erasing or removing the person cancels it (person_gate).
    ctx_.gate.watch(person, c.cancel);
    if (turn && !ctx_.gate.current(person, turn->epoch)) c.cancel->store(true);
    cur_ = std::move(c);
    // Rendering and tokenizing cost time in proportion to the request: never on an I/O thread.
    auto self = shared_from_this();
    const std::string id = cur_->id;
    const bool queued = ctx_.prompts->post([self, id, r = std::move(r), turn]() mutable {
        status st = turn ? self->submit_turn(std::move(r), *turn) : self->ctx_.engine.submit(std::move(r));
        if (!st && turn && st.code() == status_code::invalid_argument) {
            // Refused (too long for the context): not answered, so not remembered either.
            return self->ctx_.memory->post([self, id, st, turn](memory::memory_store & store) {
                if (auto gone = store.forget_turn(turn->prepared.person, turn->prepared.user_turn_id); !gone) {
                    spdlog::warn("memory: a refused message was not forgotten: {}", gone.error().message());
                }
                net::post(self->stream_.get_executor(), [self, id, st] { self->submitted(id, st); });
            });
        }
        net::post(self->stream_.get_executor(), [self, id, st] { self->submitted(id, st); });
    });
    if (!queued) {
        cur_.reset();
        return send_error(http::status::service_unavailable, "too many prompts are being prepared; try again shortly",
                          "server_error", "chat", 1);
    }
}

// On the prompts queue. A remembered turn gets more tries when the engine
// refuses it: a chat template that takes one system message only gets the two
// merged, and a prompt too long for the context with recalled memories gets
// none (recall must never make a valid message fail).
status http_session::submit_turn(llm::completion_request r, remembered_turn & turn) {
    llm::completion_request again = r;
    status st = ctx_.engine.submit(std::move(r));
    if (st || st.code() != status_code::invalid_argument) return st;
    auto merged = companion::lay_out(turn.prepared.parts, /*merge_system=*/true);
    if (merged.size() != again.messages.size()) {
        llm::completion_request next = again;
        next.messages = std::move(merged);
        st = ctx_.engine.submit(std::move(next));
        if (st || st.code() != status_code::invalid_argument) return st;
    }
    if (turn.prepared.parts.recalled.empty()) return st;
    companion::prompt_parts bare = turn.prepared.parts;
    bare.recalled.clear();
    for (const bool merge : {false, true}) {
        again.messages = companion::lay_out(bare, merge);
        st = ctx_.engine.submit(llm::completion_request(again));
        if (st || st.code() != status_code::invalid_argument) return st;
    }
    return st;
}

// The engine took the request (its events may have come first) or refused it.
void http_session::submitted(const std::string & id, const status & st) {
    if (closed_ || !cur_ || cur_->id != id) return;
    if (!st) {
        cur_.reset();
        if (st.code() == status_code::invalid_argument) {
            return send_error(http::status::bad_request, st.message(), "invalid_request_error", "chat");
        }
        return send_error(http::status::service_unavailable, st.message(), "server_error", "chat", 1);
    }
    if (cur_->stream && !cur_->opened) open_stream();
    watch_client();
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

void http_session::on_engine_event(const llm::completion_event & ev) {
    if (!cur_ || closed_) return;
    completion & c = *cur_;
    using kind = llm::completion_event::kind;
    if (!c.first_token && ev.type != kind::error) {
        c.first_token = true;
        ctx_.stats.observe_ttft_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count());
    }
    if (c.stream && !c.opened) open_stream();
    const std::string & model = ctx_.opts.model_name;
    if (ev.type == kind::text) {
        if (c.stream) {
            write_raw(chunk_frame(chunk_event(c.id, c.created, model, "", ev.text, false, llm::stop_reason::end_of_turn)));
        }
        if (!c.stream || c.turn) c.text += ev.text;
        return;
    }
    if (ev.type == kind::done && c.turn && ev.stats.reason != llm::stop_reason::cancelled) {
        // The reply is stored before it is acknowledged (the last chunk or the body).
        auto turn = c.turn;
        c.turn.reset();
        turn->context.now = ctx_.now();
        ctx_.memory->post([self = shared_from_this(), turn, text = c.text, ev](memory::memory_store & store) {
            if (!self->ctx_.gate.current(turn->context.person, turn->epoch)) {
                // Erased while the reply was made: it is not stored, and the person is not re-created.
                return net::post(self->stream_.get_executor(), [self] {
                    if (self->cur_) self->cur_->cancel->store(true);
                    self->close();
                });
            }
            llm::embedder * embedder = self->ctx_.opts.memory.embedder;
            const status st = companion::remember_reply(store, turn->context, turn->prepared.person, text, embedder);
            if (!st) spdlog::error("memory: a reply was not stored: {}", st.message());
            if (self->ctx_.distill) self->ctx_.distill->after_turn(store, turn->prepared.person, turn->context.person);
            if (self->ctx_.feelings) self->ctx_.feelings->after_turn(store, turn->prepared.person, turn->context.person);
            // Turns from before the embedding model was configured get their vectors a few at a time.
            if (embedder) (void)companion::embed_missing(store, turn->prepared.person, *embedder, 4);
            net::post(self->stream_.get_executor(), [self, ev] { self->on_engine_event(ev); });
        });
        return;
    }
    c.ended = true;
    if (ev.type == kind::done) {
        usage u{ev.stats.prompt_tokens, ev.stats.generated_tokens, ev.stats.prompt_tokens - ev.stats.computed_tokens};
        if (c.stream) {
            std::string tail = chunk_event(c.id, c.created, model, "", "", true, ev.stats.reason);
            if (c.include_usage) tail += usage_event(c.id, c.created, model, u);
            tail += "data: [DONE]\n\n";
            write_raw(chunk_frame(tail) + "0\r\n\r\n");
            ctx_.stats.count_response("chat", 200);
        } else {
            const std::string body = completion_json(c.id, c.created, model, c.text, ev.stats.reason, u);
            cur_.reset();
            send(http::status::ok, body, "chat");
        }
        return;
    }
    if (c.stream) {  // the status line is sent: report inside the stream
        write_raw(chunk_frame(error_event(ev.error.message()) + "data: [DONE]\n\n") + "0\r\n\r\n");
        ctx_.stats.count_response("chat", 500);
        return;
    }
    cur_.reset();
    const bool busy = ev.error.code() == status_code::resource_exhausted || ev.error.code() == status_code::cancelled;
    send_error(busy ? http::status::service_unavailable : http::status::internal_server_error, ev.error.message(),
               "server_error", "chat", busy ? 1 : 0);
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
    if (rate_limited(person, "conversations")) return;
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
