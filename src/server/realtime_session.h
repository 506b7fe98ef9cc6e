// A voice conversation over a WebSocket at /v1/realtime, speaking the events
// of OpenAI's Realtime API where they apply (docs/api.md "Realtime"): the
// person's audio in, their speech found (voice_activity) and transcribed, the
// companion's turn run as for text, and the reply sent as text and as audio
// sentence by sentence while the model still writes. Speech over the reply
// cancels it, and memory keeps only what was heard (conversation.item.truncate).
//
// Threads: the socket and every member are the connection's strand's; audio
// work (detecting, recognizing, synthesizing) runs on the server's voice
// queue, in order, on the `ears` state, which only those jobs touch.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "server/event_hub.h"
#include "server/realtime_events.h"
#include "server/server_context.h"
#include "voice/audio.h"
#include "voice/sentences.h"
#include "voice/voice_activity.h"
#include "voice/wake_word.h"

namespace os1::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

// The token a browser offers as a subprotocol ("openai-insecure-api-key.TOKEN",
// as for OpenAI's), "" when there is none; and the subprotocol the answer
// names ("realtime" when offered, else none).
std::string websocket_token(const http::request<http::string_body> & req);
std::string websocket_subprotocol(const http::request<http::string_body> & req);

// A reply's first audio is made from its first sentence, or from its first
// phrase of about this many characters when the sentence runs longer (80
// gave 1.20 s from the end of speech to the first audio with the bench model,
// 48 gave 0.92 s, 24 gave 0.76 s: bench/results/voice.md).
constexpr size_t first_phrase_chars = 24;
// After it, when the audio sent would be played out within this long and the
// sentence being written has not ended, its whole words written so far (at
// least min_phrase_chars) are spoken: a slow model leaves no silence.
constexpr auto runs_dry_within = std::chrono::milliseconds(500);
constexpr size_t min_phrase_chars = 12;
// With the wake word on, speech is answered this long after the OS's name, a
// reply, or an answered utterance, without the name again.
constexpr auto awake_after = std::chrono::seconds(20);

class realtime_session : public std::enable_shared_from_this<realtime_session>, public event_listener {
public:
    // ADDRESS's connection slot is this session's from now on.
    realtime_session(beast::tcp_stream && stream, server_context & ctx, std::string address, std::string person,
                     std::string conversation);
    ~realtime_session() override;
    // Completes the handshake of REQ, answering with SUBPROTOCOL when the client offered one.
    void start(http::request<http::string_body> req, std::string subprotocol);

    bool send_event(const std::string & event) override;  // what the OS says first, from any thread
    void end_stream() override;                            // the person was erased or revoked

private:
    // What the audio jobs own (the voice queue's thread only).
    struct ears {
        std::unique_ptr<voice::voice_activity> vad;
        std::unique_ptr<voice::wake_word> wake;  // with the wake word on: the OS's name, listened for
        std::string model;                       // the recognizer's name (input_audio_transcription.model)
        std::shared_ptr<voice::stt_i> stt;       // found on first use (loading pocketsphinx takes a second)
        std::unique_ptr<voice::stt_stream> live; // the utterance being heard, decoded as it comes
        size_t fed = 0;                          // of its samples, those the stream has
        std::string partial;                     // the words it heard so far
        voice::pcm_audio buffer;  // the input audio buffer, without server VAD
        int rate_hz = 24000;
    };
    // One spoken reply: what was sent of it, to tell what was heard.
    struct reply_record {
        std::string item_id;
        std::string response_id;
        bool spoke_first = false;          // what the OS said first: no turn of memory to correct
        std::vector<std::pair<std::string, double>> spoken;  // each sentence and its audio's seconds
        std::string text;                                    // the whole reply as written
        std::shared_ptr<int64_t> stored = std::make_shared<int64_t>(0);  // its turn in memory
        std::optional<std::string> heard;  // set once cut short: what the person heard
        size_t history_index = 0;          // its message in history_
        bool turn_over = false;            // the turn's done or failed arrived
    };
    struct response {
        std::string id;
        reply_record reply;
        std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
        // The first piece is spoken once a phrase is written, not only a whole sentence.
        voice::sentence_splitter splitter{first_phrase_chars};
        std::deque<std::string> to_speak;
        bool speaking = false;  // a sentence is being synthesized
        bool written = false;   // the turn is over (or there was none: the OS speaking first)
        std::chrono::steady_clock::time_point first_audio_at{};  // its first audio was sent
        double audio_sent_s = 0;                                // of audio sent since
        llm::reply_stats stats;
    };

    void on_accept(beast::error_code ec);
    void read_next();
    void on_message(beast::error_code ec, size_t bytes);
    void write(std::string event);
    void do_write();
    void close_with(websocket::close_code code, const std::string & reason);
    void fail_event(const status & st, const std::string & code, const std::string & event_id);

    // Audio in (realtime_session.cpp).
    void configure(const realtime_config & c, bool created);
    void hear(std::string bytes);
    void on_speech_started(double at_s);
    void listen_for_name();            // the wake word: the OS's name with this person, then its spotter
    void on_name(std::string name);
    bool awake() const;
    void on_partial(const std::string & words);
    void on_utterance(double end_s, result<std::string> text);
    void commit();
    void clear_input();
    void transcribe(const std::string & item_id, voice::pcm_audio audio);
    std::string partial_;                    // the words of the utterance being heard, as last sent
    void on_transcript(const std::string & item_id, result<std::string> text);

    // The reply (realtime_reply.cpp).
    void respond(const std::string & event_id);
    void start_response(bool spoke_first);
    void on_turn_event(const std::string & id, const companion::turn_event & ev);
    void queue_sentences(std::vector<std::string> sentences);
    void speak_next();
    void on_spoken(const std::string & id, const std::string & sentence, result<voice::pcm_audio> audio);
    void finish_if_over();
    void cancel_response(const std::string & reason);
    void turn_over(reply_record & r, const companion::turn_event & ev);
    void truncate(const std::string & item_id, int64_t audio_end_ms, const std::string & event_id);
    void keep_heard(reply_record & r);
    void file_reply(reply_record r);  // kept for truncation, the oldest let go
    void speak_first(const std::string & text);
    json response_json(const std::string & status, const std::string & reason) const;

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer in_;
    server_context & ctx_;
    std::string address_, person_, conversation_, session_id_;
    uint64_t epoch_ = 0;
    realtime_config config_;
    std::shared_ptr<ears> ears_ = std::make_shared<ears>();
    std::deque<std::string> out_;
    size_t out_bytes_ = 0;
    bool writing_ = false;
    bool closed_ = false;
    std::atomic<bool> gone_{false};
    std::vector<llm::chat_message> history_;  // the conversation as this session has it
    std::optional<response> response_;
    std::map<std::string, reply_record> replies_;  // the last replies, by item id, for truncation
    std::deque<std::string> reply_order_;
    std::string last_item_;                  // the id of the newest item
    std::string speech_item_;                // the item of the utterance being heard
    int transcribing_ = 0;                   // utterances being recognized
    bool respond_after_transcripts_ = false; // response.create came while one was
    std::deque<std::string> first_words_;    // what the OS says first, waiting for the reply in progress
    std::chrono::steady_clock::time_point awake_until_{};  // with the wake word: speech is answered until then
};

}  // namespace os1::server
