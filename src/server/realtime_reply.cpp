// The realtime session's replies: the companion's turn, its text as it comes,
// its audio a sentence at a time, cut short by the person's speech or by the
// client, and what the person heard of it kept in memory.
#include <spdlog/spdlog.h>

#include <sstream>

#include "base/base64.h"
#include "server/realtime_session.h"

namespace os1::server {
namespace {

constexpr int output_rate_hz = 24000;           // pcm16 as OpenAI's realtime audio
constexpr size_t delta_bytes = output_rate_hz;  // 0.5 s of samples per response.audio.delta
constexpr size_t replies_kept = 8;              // the replies a truncate may name

std::string little_endian(const voice::pcm_audio & a) {
    std::string out(a.samples.size() * 2, '\0');
    for (size_t i = 0; i < a.samples.size(); ++i) {
        const auto v = static_cast<uint16_t>(a.samples[i]);
        out[2 * i] = static_cast<char>(v & 0xff);
        out[2 * i + 1] = static_cast<char>(v >> 8);
    }
    return out;
}

// The words of SPOKEN whose audio ended by END_S: whole sentences, then the
// share of the next one's words that its played share of time holds.
std::string played_text(const std::vector<std::pair<std::string, double>> & spoken, double end_s) {
    std::string out;
    double at = 0;
    for (const auto & [sentence, seconds] : spoken) {
        std::string part = sentence;
        if (at + seconds > end_s + 1e-3) {
            std::istringstream in(sentence);
            std::vector<std::string> words;
            for (std::string w; in >> w;) words.push_back(w);
            const auto n = static_cast<size_t>(std::max(0.0, (end_s - at) / seconds) * static_cast<double>(words.size()));
            part.clear();
            for (size_t i = 0; i < n && i < words.size(); ++i) part += (i ? " " : "") + words[i];
        }
        if (!part.empty()) out += (out.empty() ? "" : " ") + part;
        if (at + seconds > end_s + 1e-3) break;
        at += seconds;
    }
    return out;
}


}  // namespace

void realtime_session::respond(const std::string & event_id) {
    if (response_) {
        return fail_event({status_code::invalid_argument, "a response is in progress; cancel it first (response.cancel)"},
                          "conversation_already_has_active_response", event_id);
    }
    if (transcribing_ > 0) {
        respond_after_transcripts_ = true;  // answered once the words are in
        return;
    }
    if (history_.empty() || history_.back().role != role::user) {
        return fail_event({status_code::invalid_argument, "nothing to answer: commit audio or add a message first"},
                          "nothing_to_answer", event_id);
    }
    start_response(false);
}

json realtime_session::response_json(const std::string & status, const std::string & reason) const {
    json content = json::array();
    json item = {{"id", response_->reply.item_id}, {"object", "realtime.item"}, {"type", "message"}, {"role", "assistant"},
                 {"status", status == "in_progress" ? "in_progress" : status == "completed" ? "completed" : "incomplete"}};
    if (status != "in_progress") {
        content.push_back({{"type", config_.audio_out ? "audio" : "text"},
                           {config_.audio_out ? "transcript" : "text", response_->reply.text}});
    }
    item["content"] = content;
    const auto & st = response_->stats;
    json r = {{"id", response_->id},
              {"object", "realtime.response"},
              {"status", status},
              {"status_details", reason.empty() ? json(nullptr) : json{{"type", status}, {"reason", reason}}},
              {"output", status == "in_progress" ? json::array() : json::array({item})},
              {"usage", {{"total_tokens", st.prompt_tokens + st.generated_tokens},
                         {"input_tokens", st.prompt_tokens},
                         {"output_tokens", st.generated_tokens}}}};
    if (response_->reply.spoke_first) r["metadata"] = {{"os1_spoke_first", "true"}};
    return r;
}

void realtime_session::start_response(bool spoke_first) {
    if (!spoke_first && ctx_.limiter.acquire(person_) > 0) {
        return fail_event({status_code::resource_exhausted, "too many requests from " + person_ + "; try again shortly"},
                          "rate_limit_exceeded", "");
    }
    response_.emplace();
    response & r = *response_;
    r.id = realtime_id("resp_");
    r.reply.response_id = r.id;
    r.reply.item_id = "item_" + r.id.substr(5);
    r.reply.spoke_first = spoke_first;
    write(realtime_event("response.created", {{"response", response_json("in_progress", "")}}));
    const json item = {{"id", r.reply.item_id}, {"object", "realtime.item"}, {"type", "message"}, {"status", "in_progress"},
                       {"role", "assistant"}, {"content", json::array()}};
    write(realtime_event("response.output_item.added", {{"response_id", r.id}, {"output_index", 0}, {"item", item}}));
    write(realtime_event("conversation.item.created", {{"previous_item_id", last_item_}, {"item", item}}));
    last_item_ = r.reply.item_id;
    const json part = config_.audio_out ? json{{"type", "audio"}, {"transcript", ""}} : json{{"type", "text"}, {"text", ""}};
    write(realtime_event("response.content_part.added",
                         {{"response_id", r.id}, {"item_id", r.reply.item_id}, {"output_index", 0}, {"content_index", 0}, {"part", part}}));
    if (spoke_first) return;

    companion::turn_request t;
    t.context = {person_, conversation_, person_, ctx_.opts.assistant_name, 0, ""};
    if (!config_.instructions.empty()) t.messages.push_back({role::system, config_.instructions});
    for (const auto & m : history_) {
        if (!m.content.empty()) t.messages.push_back(m);  // a reply heard not at all is no message
    }
    t.gen.max_tokens = config_.max_output_tokens > 0 ? config_.max_output_tokens : ctx_.opts.max_tokens_default;
    if (config_.temperature >= 0) t.gen.sampling.temperature = static_cast<float>(config_.temperature);
    t.cancelled = r.cancel;
    ctx_.gate.watch(person_, r.cancel);
    t.still_current = [&gate = ctx_.gate, person = person_, epoch = epoch_] { return gate.current(person, epoch); };
    ctx_.turns->run(std::move(t), [self = shared_from_this(), id = r.id](const companion::turn_event & ev) {
        net::post(self->ws_.get_executor(), [self, id, ev] { self->on_turn_event(id, ev); });
    });
}

void realtime_session::on_turn_event(const std::string & id, const companion::turn_event & ev) {
    using kind = companion::turn_event::kind;
    if (!response_ || response_->id != id) {
        // A reply cut short earlier: its turn has ended, and what was heard of it can be kept.
        if (ev.type != kind::done && ev.type != kind::failed) return;
        for (auto & [item, rec] : replies_) {
            if (rec.response_id == id && !rec.turn_over) turn_over(rec, ev);
        }
        return;
    }
    response & r = *response_;
    switch (ev.type) {
        case kind::started: return;
        case kind::text:
            r.reply.text += ev.text;
            write(realtime_event(config_.audio_out ? "response.audio_transcript.delta" : "response.text.delta",
                                 {{"response_id", r.id}, {"item_id", r.reply.item_id}, {"output_index", 0},
                                  {"content_index", 0}, {"delta", ev.text}}));
            if (!config_.audio_out) return;
            queue_sentences(r.splitter.feed(ev.text));
            if (r.to_speak.empty() && !r.speaking && r.audio_sent_s > 0 &&
                std::chrono::steady_clock::now() + runs_dry_within >=
                    r.first_audio_at + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                           std::chrono::duration<double>(r.audio_sent_s))) {
                queue_sentences({r.splitter.take_words(min_phrase_chars)});
            }
            return;
        case kind::done:
            r.stats = ev.stats;
            r.written = true;
            r.reply.turn_over = true;
            *r.reply.stored = ev.reply_turn_id;
            if (config_.audio_out) queue_sentences({r.splitter.flush()});
            return finish_if_over();
        case kind::failed: {
            write(realtime_error(ev.error.message(), "response_failed", "", "server_error"));
            write(realtime_event("response.done", {{"response", response_json("failed", "the reply could not be made")}}));
            response_.reset();
            return;
        }
    }
}

void realtime_session::queue_sentences(std::vector<std::string> sentences) {
    for (auto & s : sentences) {
        if (!s.empty()) response_->to_speak.push_back(std::move(s));
    }
    speak_next();
}

void realtime_session::speak_next() {
    response & r = *response_;
    if (r.speaking) return;
    if (r.to_speak.empty()) return finish_if_over();
    std::string sentence = std::move(r.to_speak.front());
    r.to_speak.pop_front();
    auto speaker = ctx_.voices->speaker("", config_.voice);
    if (!speaker) return on_spoken(r.id, sentence, speaker.error());
    r.speaking = true;
    auto self = shared_from_this();
    const bool posted = ctx_.voice_jobs->post([self, ears = ears_, tts = *speaker, id = r.id, cancel = r.cancel, sentence] {
        result<voice::pcm_audio> audio = status(status_code::cancelled, "cut short");
        if (!cancel->load() && !self->gone_) {
            audio = tts->synthesize(sentence);
            if (audio) audio = voice::resample(*audio, output_rate_hz);
            // What leaves now comes back through the microphone: the echo canceller's reference.
            if (audio && ears->vad) ears->vad->played(*audio);
        }
        net::post(self->ws_.get_executor(), [self, id, sentence, audio = std::move(audio)]() mutable {
            self->on_spoken(id, sentence, std::move(audio));
        });
    });
    if (!posted) on_spoken(r.id, sentence, status(status_code::resource_exhausted, "the server is busy with audio"));
}

void realtime_session::on_spoken(const std::string & id, const std::string & sentence, result<voice::pcm_audio> audio) {
    if (!response_ || response_->id != id || closed_) return;  // cut short meanwhile
    response & r = *response_;
    r.speaking = false;
    if (!audio) {
        // The words are in the transcript; this sentence goes unspoken.
        spdlog::warn("realtime: a sentence was not spoken: {}", audio.error().message());
        write(realtime_error("a sentence could not be spoken: " + audio.error().message(), "speech_failed", "", "server_error"));
    } else {
        const std::string bytes = little_endian(*audio);
        for (size_t at = 0; at < bytes.size(); at += delta_bytes) {
            write(realtime_event("response.audio.delta", {{"response_id", r.id}, {"item_id", r.reply.item_id}, {"output_index", 0},
                                                          {"content_index", 0}, {"delta", base64_encode(bytes.substr(at, delta_bytes))}}));
        }
        r.reply.spoken.emplace_back(sentence, audio->seconds());
        if (r.audio_sent_s == 0) r.first_audio_at = std::chrono::steady_clock::now();
        r.audio_sent_s += audio->seconds();
    }
    speak_next();
}

void realtime_session::finish_if_over() {
    if (!response_ || !response_->written || response_->speaking || !response_->to_speak.empty()) return;
    response & r = *response_;
    const json where = {{"response_id", r.id}, {"item_id", r.reply.item_id}, {"output_index", 0}, {"content_index", 0}};
    if (config_.audio_out) {
        write(realtime_event("response.audio.done", where));
        json t = where;
        t["transcript"] = r.reply.text;
        write(realtime_event("response.audio_transcript.done", t));
    } else {
        json t = where;
        t["text"] = r.reply.text;
        write(realtime_event("response.text.done", t));
    }
    write(realtime_event("response.output_item.done", {{"response_id", r.id}, {"output_index", 0},
                                                        {"item", response_json("completed", "")["output"][0]}}));
    write(realtime_event("response.done", {{"response", response_json("completed", "")}}));
    r.reply.history_index = history_.size();
    history_.push_back({role::assistant, r.reply.text});
    r.reply.turn_over = true;
    if (config_.wake_word) awake_until_ = std::chrono::steady_clock::now() + awake_after;
    file_reply(std::move(r.reply));
    response_.reset();
    if (!first_words_.empty()) {
        std::string next = std::move(first_words_.front());
        first_words_.pop_front();
        speak_first(next);
    }
}

void realtime_session::cancel_response(const std::string & reason) {
    if (!response_) return;
    response & r = *response_;
    r.cancel->store(true);
    std::string heard;
    for (const auto & [sentence, seconds] : r.reply.spoken) heard += (heard.empty() ? "" : " ") + sentence;
    write(realtime_event("response.done", {{"response", response_json("cancelled", reason)}}));
    r.reply.heard = heard;  // until the client says how much it played (conversation.item.truncate)
    r.reply.history_index = history_.size();
    history_.push_back({role::assistant, heard});
    reply_record rec = std::move(r.reply);
    response_.reset();
    // The client stops playing it: what was to be played is no echo to take out.
    ctx_.voice_jobs->post([ears = ears_] {
        if (ears->vad) ears->vad->forget_played();
    });
    if (rec.turn_over) keep_heard(rec);
    file_reply(std::move(rec));
}

void realtime_session::turn_over(reply_record & r, const companion::turn_event & ev) {
    r.turn_over = true;
    if (ev.type == companion::turn_event::kind::done) *r.stored = ev.reply_turn_id;
    if (r.heard) keep_heard(r);
}

void realtime_session::truncate(const std::string & item_id, int64_t audio_end_ms, const std::string & event_id) {
    if (response_ && response_->reply.item_id == item_id) cancel_response("truncated");
    const auto it = replies_.find(item_id);
    if (it == replies_.end()) {
        return fail_event({status_code::invalid_argument, "no reply '" + item_id.substr(0, 64) + "' to truncate (the last 8 can be)"},
                          "item_truncate_invalid_item_id", event_id);
    }
    reply_record & r = it->second;
    double total = 0;
    for (const auto & s : r.spoken) total += s.second;
    if (static_cast<double>(audio_end_ms) > total * 1000 + 1) {
        return fail_event({status_code::invalid_argument, "audio_end_ms " + std::to_string(audio_end_ms) +
                                                              " is past the end of the reply's audio (" +
                                                              std::to_string(static_cast<int64_t>(total * 1000)) + " ms)"},
                          "invalid_value", event_id);
    }
    r.heard = played_text(r.spoken, static_cast<double>(audio_end_ms) / 1000);
    if (r.history_index < history_.size() && history_[r.history_index].role == role::assistant) {
        history_[r.history_index].content = *r.heard;
    }
    if (r.turn_over) keep_heard(r);
    write(realtime_event("conversation.item.truncated", {{"item_id", item_id}, {"content_index", 0}, {"audio_end_ms", audio_end_ms}}));
}

void realtime_session::keep_heard(reply_record & r) {
    if (r.spoke_first || !r.heard) return;
    ctx_.turns->keep_heard({person_, conversation_, person_, ctx_.opts.assistant_name, 0, ""}, r.stored, *r.heard,
                           [&gate = ctx_.gate, person = person_, epoch = epoch_] { return gate.current(person, epoch); },
                           nullptr);
}

void realtime_session::file_reply(reply_record r) {
    const std::string id = r.item_id;
    replies_[id] = std::move(r);
    reply_order_.push_back(id);
    while (reply_order_.size() > replies_kept) {
        replies_.erase(reply_order_.front());
        reply_order_.pop_front();
    }
}

void realtime_session::speak_first(const std::string & text) {
    if (closed_) return;
    if (response_) {
        first_words_.push_back(text);  // after the reply in progress
        return;
    }
    start_response(true);
    response & r = *response_;
    r.reply.text = text;
    write(realtime_event(config_.audio_out ? "response.audio_transcript.delta" : "response.text.delta",
                         {{"response_id", r.id}, {"item_id", r.reply.item_id}, {"output_index", 0}, {"content_index", 0}, {"delta", text}}));
    r.written = true;
    r.reply.turn_over = true;
    if (config_.audio_out) return queue_sentences(voice::split_sentences(text));
    finish_if_over();
}

}  // namespace os1::server
