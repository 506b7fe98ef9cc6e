// The realtime session's connection and the person's audio: events read and
// answered in order, speech found and transcribed on the voice queue.
#include "server/realtime_session.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace os1::server {
namespace {

constexpr size_t max_message_bytes = 4 << 20;     // one client event (base64 audio: 3 MiB of samples)
constexpr size_t max_unsent_bytes = 16 << 20;     // a client that stops reading is closed past this
constexpr double max_buffer_s = 300;              // the input buffer without server VAD, before a commit

std::string item_id() { return realtime_id("item_"); }

int64_t ms(double s) { return static_cast<int64_t>(s * 1000 + 0.5); }

voice::pcm_audio samples_of(const std::string & bytes, int rate_hz) {
    voice::pcm_audio a;
    a.rate_hz = rate_hz;
    a.samples.resize(bytes.size() / 2);
    for (size_t i = 0; i < a.samples.size(); ++i) {  // little-endian, whatever this machine is
        const auto lo = static_cast<uint8_t>(bytes[2 * i]), hi = static_cast<uint8_t>(bytes[2 * i + 1]);
        a.samples[i] = static_cast<int16_t>(static_cast<uint16_t>(lo | hi << 8));
    }
    return a;
}

json user_item(const std::string & id, const std::string & text, bool audio) {
    json part = audio ? json{{"type", "input_audio"}, {"transcript", text.empty() ? json(nullptr) : json(text)}}
                      : json{{"type", "input_text"}, {"text", text}};
    return {{"id", id}, {"object", "realtime.item"}, {"type", "message"}, {"status", "completed"}, {"role", "user"},
            {"content", json::array({part})}};
}

}  // namespace

realtime_session::realtime_session(beast::tcp_stream && stream, server_context & ctx, std::string address,
                                   std::string person, std::string conversation)
    : ws_(std::move(stream)), ctx_(ctx), address_(std::move(address)), person_(std::move(person)),
      conversation_(std::move(conversation)) {
    ++ctx_.stats.open_connections;
    epoch_ = ctx_.gate.epoch(person_);
    ctx_.talking.begin(person_);
}

realtime_session::~realtime_session() {
    if (response_) response_->cancel->store(true);
    ctx_.talking.end(person_);
    ctx_.connections.give_back(address_);
    --ctx_.stats.open_connections;
}

void realtime_session::start(http::request<http::string_body> req, std::string subprotocol) {
    ws_.read_message_max(max_message_bytes);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type & res) {
        res.set(http::field::server, "os1");
        if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
    }));
    beast::get_lowest_layer(ws_).expires_never();
    auto request = std::make_shared<http::request<http::string_body>>(std::move(req));
    ws_.async_accept(*request, [self = shared_from_this(), request](beast::error_code ec) { self->on_accept(ec); });
}

void realtime_session::on_accept(beast::error_code ec) {
    if (ec) {
        closed_ = gone_ = true;
        return;
    }
    ctx_.stats.count_response("realtime", 101);
    session_id_ = realtime_id("sess_");
    ctx_.events.add(person_, shared_from_this());
    configure(config_, true);
    read_next();
}

void realtime_session::read_next() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_message(ec, n); });
}

void realtime_session::on_message(beast::error_code ec, size_t) {
    if (ec) {
        // The client went, or sent what is not WebSocket: the reply in progress stops.
        if (ec == websocket::error::message_too_big) {
            return close_with(websocket::close_code::too_big,
                              "an event is larger than " + std::to_string(max_message_bytes >> 20) + " MiB");
        }
        closed_ = gone_ = true;
        if (response_) response_->cancel->store(true);
        return;
    }
    if (closed_) return;
    const std::string text = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    std::string event_id;
    auto ev = ws_.got_text() ? parse_realtime_event(text, config_, event_id)
                             : result<realtime_client_event>(status(status_code::invalid_argument, "events are JSON text, not binary"));
    if (!ev) {
        fail_event(ev.error(), "invalid_event", event_id);
        return read_next();
    }
    using kind = realtime_client_event::kind;
    switch (ev->type) {
        case kind::session_update: configure(ev->session, false); break;
        case kind::audio_append: hear(std::move(ev->audio)); break;
        case kind::audio_commit:
            if (config_.server_vad) fail_event({status_code::invalid_argument, "with server_vad, speech is committed when it ends"}, "invalid_event", event_id);
            else commit();
            break;
        case kind::audio_clear: clear_input(); break;
        case kind::item_create: {
            const std::string id = item_id();
            history_.push_back({role::user, ev->text});
            write(realtime_event("conversation.item.created", {{"previous_item_id", last_item_}, {"item", user_item(id, ev->text, false)}}));
            last_item_ = id;
            break;
        }
        case kind::response_create: respond(event_id); break;
        case kind::response_cancel:
            if (!response_) fail_event({status_code::invalid_argument, "there is no response in progress"}, "response_cancel_not_active", event_id);
            else cancel_response("client_cancelled");
            break;
        case kind::item_truncate: truncate(ev->item_id, ev->audio_end_ms, event_id); break;
    }
    read_next();
}

void realtime_session::fail_event(const status & st, const std::string & code, const std::string & event_id) {
    write(realtime_error(st.message(), code, event_id));
}

void realtime_session::write(std::string event) {
    if (closed_) return;
    out_bytes_ += event.size();
    out_.push_back(std::move(event));
    if (out_bytes_ > max_unsent_bytes) {
        // The client stopped reading: it is let go, not held in memory.
        spdlog::warn("realtime: a client stopped reading ({} MiB unsent); closing it", out_bytes_ >> 20);
        return close_with(websocket::close_code::policy_error, "the client stopped reading");
    }
    if (!writing_) do_write();
}

void realtime_session::do_write() {
    if (closed_ || out_.empty()) return;
    writing_ = true;
    auto data = std::make_shared<std::string>(std::move(out_.front()));
    out_.pop_front();
    ws_.text(true);
    ws_.async_write(net::buffer(*data), [self = shared_from_this(), data](beast::error_code ec, size_t) {
        self->writing_ = false;
        self->out_bytes_ -= data->size();
        if (ec) {
            self->closed_ = self->gone_ = true;
            if (self->response_) self->response_->cancel->store(true);
            return;
        }
        self->do_write();
    });
}

void realtime_session::close_with(websocket::close_code code, const std::string & reason) {
    if (closed_) return;
    closed_ = gone_ = true;
    if (response_) response_->cancel->store(true);
    out_.clear();
    // A close frame cannot be sent while a write is under way; the socket is shut instead.
    if (writing_) {
        beast::get_lowest_layer(ws_).close();
        return;
    }
    ws_.async_close({code, reason.substr(0, 120)}, [self = shared_from_this()](beast::error_code) {});
}

bool realtime_session::send_event(const std::string & event) {
    if (gone_) return false;
    // "event: initiative\n...data: {json}\n\n": spoken like a reply, when none is in progress.
    const size_t at = event.find("\ndata: ");
    if (at == std::string::npos || event.rfind("event: initiative", 0) != 0) return true;
    auto j = json::parse(event.substr(at + 7), nullptr, false);
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) return true;
    net::post(ws_.get_executor(), [self = shared_from_this(), text = j["text"].get<std::string>()] { self->speak_first(text); });
    return true;
}

void realtime_session::end_stream() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->close_with(websocket::close_code::policy_error, "this person's access was ended");
    });
}

// ---- the person's audio ----

void realtime_session::configure(const realtime_config & c, bool created) {
    if (!c.voice.empty() && c.voice != config_.voice && c.audio_out) {
        if (auto v = ctx_.voices->speaker("", c.voice); !v) return fail_event(v.error(), "invalid_value", "");
    }
    const bool wake_changed = c.wake_word != config_.wake_word;
    config_ = c;
    voice::activity_options vo;
    vo.stop_ms = c.silence_ms;
    vo.prefix_ms = c.prefix_ms;
    const bool vad = c.server_vad;
    const int rate = c.input_rate_hz;
    // The detector starts anew: what was heard under the old settings is let go.
    // The recognizer is found here, off the connection's thread (pocketsphinx loads on first use).
    const bool posted = ctx_.voice_jobs->post([self = shared_from_this(), ears = ears_, vo, vad, rate, model = c.transcription_model] {
        if (!ears->stt || model != ears->model) {
            ears->live.reset();
            ears->model = model;
            auto r = self->ctx_.voices->recognizer(model);
            ears->stt = r ? *r : nullptr;
            if (!r) {
                net::post(self->ws_.get_executor(), [self, st = r.error()] { self->fail_event(st, "invalid_value", ""); });
            }
        }
        ears->rate_hz = rate;
        ears->buffer = {rate, {}};
        ears->vad.reset();
        if (!vad) return;
        auto v = voice::voice_activity::open(vo);
        if (v) ears->vad = std::move(*v);
        else spdlog::error("realtime: {}", v.error().message());
    });
    if (!posted) return fail_event({status_code::resource_exhausted, "the server is busy with audio"}, "server_busy", "");
    write(realtime_event(created ? "session.created" : "session.updated",
                         {{"session", realtime_session_json(session_id_, config_, ctx_.opts.model_name)}}));
    if (wake_changed && config_.wake_word) listen_for_name();
    if (wake_changed && !config_.wake_word) ctx_.voice_jobs->post([ears = ears_] { ears->wake.reset(); });
}

// The name is the one the OS has with this person (it chose it, or was given it).
void realtime_session::listen_for_name() {
    auto self = shared_from_this();
    const auto none = [self](const std::string & why) {
        net::post(self->ws_.get_executor(), [self, why] {
            self->config_.wake_word = false;
            self->fail_event({status_code::invalid_argument, why}, "wake_word_unavailable", "");
        });
    };
    if (!ctx_.memory) return none("the wake word is the OS's name with this person, and this server keeps no memory (--no-memory)");
    ctx_.memory->post([self, none, person = person_](memory::memory_store & store) {
        auto who = store.person(person, false);
        auto persona = who ? store.personas().persona(*who) : result<memory::persona_record>(who.error());
        if (!persona || !persona->version || persona->name.empty()) {
            return none("the OS has no name with this person yet (it takes one in their first conversation, or PUT /api/v1/persona)");
        }
        net::post(self->ws_.get_executor(), [self, name = persona->name] { self->on_name(name); });
    });
}

void realtime_session::on_name(std::string name) {
    if (!config_.wake_word || closed_) return;
    auto self = shared_from_this();
    ctx_.voice_jobs->post([self, ears = ears_, name] {
        auto w = voice::wake_word::open(name);
        if (w) ears->wake = std::move(*w);
        net::post(self->ws_.get_executor(), [self, name, st = w ? status::ok() : w.error()] {
            if (!st) {
                self->config_.wake_word = false;
                return self->fail_event(st, "wake_word_unavailable", "");
            }
            self->write(realtime_event("os1.wake_word.listening", {{"name", name}}));
        });
    });
}

bool realtime_session::awake() const {
    return !config_.wake_word || response_ || std::chrono::steady_clock::now() < awake_until_;
}

void realtime_session::hear(std::string bytes) {
    auto self = shared_from_this();
    const bool posted = ctx_.voice_jobs->post([self, ears = ears_, bytes = std::move(bytes)] {
        if (self->gone_) return;
        voice::pcm_audio audio = samples_of(bytes, ears->rate_hz);
        if (!ears->vad) {
            if (ears->buffer.seconds() + audio.seconds() > max_buffer_s) {
                return net::post(self->ws_.get_executor(), [self] {
                    self->fail_event({status_code::resource_exhausted, "the input audio buffer holds at most 300 s; commit or clear it"},
                                     "input_audio_buffer_full", "");
                });
            }
            ears->buffer.samples.insert(ears->buffer.samples.end(), audio.samples.begin(), audio.samples.end());
            return;
        }
        if (ears->wake) {
            if (auto named = ears->wake->heard(audio); named && *named) {
                net::post(self->ws_.get_executor(), [self, name = ears->wake->name()] {
                    self->awake_until_ = std::chrono::steady_clock::now() + awake_after;
                    self->write(realtime_event("os1.wake_word.heard", {{"name", name}}));
                });
            }
        }
        auto events = ears->vad->heard(audio);
        if (!events) {
            return net::post(self->ws_.get_executor(), [self, st = events.error()] { self->fail_event(st, "invalid_audio", ""); });
        }
        for (const auto & e : *events) {
            if (e.type == voice::activity_event::kind::speech_started) {
                // The words are recognized as they are spoken, so that they are all in soon after the speech ends.
                ears->live.reset();
                if (ears->stt) {
                    auto s = ears->stt->stream();
                    if (s) ears->live = std::move(*s);
                }
                ears->fed = 0;
                ears->partial.clear();
                net::post(self->ws_.get_executor(), [self, at = e.at_s] { self->on_speech_started(at); });
            } else {
                result<std::string> text = status(status_code::not_found, "no recognizer");
                if (ears->live) {
                    auto rest = ears->live->feed(ears->vad->utterance_from(ears->fed));
                    auto t = rest ? ears->live->finish() : result<voice::transcript>(rest.error());
                    text = t ? result<std::string>(t->text) : result<std::string>(t.error());
                }
                ears->live.reset();
                (void)ears->vad->take_utterance();
                net::post(self->ws_.get_executor(), [self, end = e.at_s, text = std::move(text)]() mutable {
                    self->on_utterance(end, std::move(text));
                });
            }
        }
        if (ears->live && ears->vad->in_speech()) {
            auto words = ears->live->feed(ears->vad->utterance_from(ears->fed));
            ears->fed = ears->vad->utterance_samples();
            if (words && *words != ears->partial) {
                ears->partial = *words;
                net::post(self->ws_.get_executor(), [self, w = *words] { self->on_partial(w); });
            }
        }
    });
    if (!posted) fail_event({status_code::resource_exhausted, "the server is busy with audio"}, "server_busy", "");
}

void realtime_session::on_speech_started(double at_s) {
    speech_item_ = item_id();
    partial_.clear();
    write(realtime_event("input_audio_buffer.speech_started", {{"audio_start_ms", ms(at_s)}, {"item_id", speech_item_}}));
    // Speech over the reply cuts it short (barge-in); the OS's own echo was taken out before.
    if (response_ && config_.interrupt_response) cancel_response("turn_detected");
}

// The words so far of the utterance being heard: `delta` holds what was
// added; `transcript` (OS1's) all of them, as pocketsphinx may revise earlier ones.
void realtime_session::on_partial(const std::string & words) {
    if (speech_item_.empty() || !awake() || words.empty()) return;
    const bool grew = words.rfind(partial_, 0) == 0;
    const std::string delta = grew ? words.substr(partial_.size()) : "";
    partial_ = words;
    write(realtime_event("conversation.item.input_audio_transcription.delta",
                         {{"item_id", speech_item_}, {"content_index", 0}, {"delta", delta}, {"transcript", words}}));
}

void realtime_session::on_utterance(double end_s, result<std::string> text) {
    if (speech_item_.empty()) speech_item_ = item_id();
    const std::string id = std::exchange(speech_item_, "");
    write(realtime_event("input_audio_buffer.speech_stopped", {{"audio_end_ms", ms(end_s)}, {"item_id", id}}));
    if (!awake()) {
        // Not spoken to: nothing of it is transcribed or kept.
        write(realtime_event("os1.wake_word.not_heard", {{"item_id", id}}));
        return;
    }
    if (config_.wake_word) awake_until_ = std::chrono::steady_clock::now() + awake_after;
    write(realtime_event("input_audio_buffer.committed", {{"previous_item_id", last_item_}, {"item_id", id}}));
    write(realtime_event("conversation.item.created", {{"previous_item_id", last_item_}, {"item", user_item(id, "", true)}}));
    last_item_ = id;
    if (config_.create_response) respond_after_transcripts_ = true;
    ++transcribing_;
    on_transcript(id, std::move(text));
}

void realtime_session::commit() {
    // Counted from now: a response.create right behind the commit waits for its words.
    ++transcribing_;
    auto self = shared_from_this();
    const bool posted = ctx_.voice_jobs->post([self, ears = ears_] {
        voice::pcm_audio audio = std::exchange(ears->buffer, voice::pcm_audio{ears->rate_hz, {}});
        net::post(self->ws_.get_executor(), [self, audio = std::move(audio)]() mutable {
            if (audio.seconds() < 0.1) {
                --self->transcribing_;
                self->fail_event({status_code::invalid_argument, "the input audio buffer holds less than 100 ms of audio"},
                                 "input_audio_buffer_commit_empty", "");
                if (self->transcribing_ == 0 && std::exchange(self->respond_after_transcripts_, false)) self->respond("");
                return;
            }
            const std::string id = item_id();
            self->write(realtime_event("input_audio_buffer.committed", {{"previous_item_id", self->last_item_}, {"item_id", id}}));
            self->write(realtime_event("conversation.item.created",
                                       {{"previous_item_id", self->last_item_}, {"item", user_item(id, "", true)}}));
            self->last_item_ = id;
            self->transcribe(id, std::move(audio));
        });
    });
    if (!posted) {
        --transcribing_;
        fail_event({status_code::resource_exhausted, "the server is busy with audio"}, "server_busy", "");
    }
}

void realtime_session::clear_input() {
    ctx_.voice_jobs->post([ears = ears_] {
        ears->buffer.samples.clear();
        if (ears->vad) (void)ears->vad->take_utterance();
    });
    write(realtime_event("input_audio_buffer.cleared"));
}

// The caller counted it in transcribing_.
void realtime_session::transcribe(const std::string & id, voice::pcm_audio audio) {
    auto self = shared_from_this();
    const bool posted = ctx_.voice_jobs->post([self, ears = ears_, id, audio = std::move(audio)] {
        result<std::string> text = status(status_code::cancelled, "the client went");
        if (!ears->stt) {
            text = status(status_code::not_found, "no recognizer: " + ears->model);
        } else if (!self->gone_) {
            auto t = ears->stt->transcribe(audio);
            text = t ? result<std::string>(t->text) : result<std::string>(t.error());
        }
        net::post(self->ws_.get_executor(), [self, id, text = std::move(text)] { self->on_transcript(id, text); });
    });
    if (!posted) on_transcript(id, status(status_code::resource_exhausted, "the server is busy with audio"));
}

void realtime_session::on_transcript(const std::string & id, result<std::string> text) {
    --transcribing_;
    if (closed_) return;
    if (!text) {
        write(realtime_event("conversation.item.input_audio_transcription.failed",
                             {{"item_id", id}, {"content_index", 0},
                              {"error", {{"type", "transcription_error"}, {"code", "transcription_failed"}, {"message", text.error().message()}}}}));
    } else {
        // The rest of the words, after those sent while the person spoke.
        const std::string sent = std::exchange(partial_, "");
        if (!text->empty() && *text != sent) {
            const bool grew = text->rfind(sent, 0) == 0;
            write(realtime_event("conversation.item.input_audio_transcription.delta",
                                 {{"item_id", id}, {"content_index", 0}, {"delta", grew ? text->substr(sent.size()) : ""},
                                  {"transcript", *text}}));
        }
        write(realtime_event("conversation.item.input_audio_transcription.completed",
                             {{"item_id", id}, {"content_index", 0}, {"transcript", *text}}));
        if (!text->empty()) history_.push_back({role::user, *text});
    }
    if (transcribing_ == 0 && std::exchange(respond_after_transcripts_, false) && !history_.empty() &&
        history_.back().role == role::user && !response_) {
        start_response(false);
    }
}

}  // namespace os1::server
