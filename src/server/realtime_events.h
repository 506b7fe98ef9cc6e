// The realtime protocol's events (OpenAI's Realtime API, where it applies;
// docs/api.md "Realtime"): what a client sends, read into os1 types with an
// error naming the problem, and what the server sends, written as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "os1/status.h"
#include "server/json_body.h"

namespace os1::server {

// A session's settings, as session.update changes them.
struct realtime_config {
    bool audio_out = true;              // modalities holds "audio"
    std::string instructions;           // the system message ("" = the persona's)
    std::string voice;                  // "" = the default voice
    int input_rate_hz = 24000;          // pcm16 at OpenAI's 24 kHz; OS1's input_audio_rate changes it
    bool server_vad = true;             // turn_detection: server_vad, or null (the client commits)
    int silence_ms = 500;               // turn_detection.silence_duration_ms
    int prefix_ms = 300;                // turn_detection.prefix_padding_ms
    bool create_response = true;        // turn_detection.create_response
    bool interrupt_response = true;     // turn_detection.interrupt_response: speech cuts the reply short
    std::string transcription_model;    // input_audio_transcription.model ("" = the default recognizer)
    std::string language;               // input_audio_transcription.language ("" = the recognizer's)
    int max_output_tokens = 0;          // max_response_output_tokens (0 = "inf": the server's default)
    double temperature = -1;            // < 0: the server's default
    bool wake_word = false;             // OS1's: only speech after the OS's name is answered
};

struct realtime_client_event {
    enum class kind {
        session_update,    // session: the settings after the update
        audio_append,      // audio: the decoded bytes (16-bit little-endian samples)
        audio_commit,
        audio_clear,
        item_create,       // text: a message of the person, typed
        response_create,
        response_cancel,
        item_truncate,     // item_id, audio_end_ms
    };
    kind type = kind::audio_append;
    std::string event_id;  // the client's, echoed in an error about it
    realtime_config session;
    std::string audio;
    std::string text;
    std::string item_id;
    int64_t audio_end_ms = 0;
};

// One client event; CURRENT is the session's settings, which a session.update
// starts from. invalid_argument naming the problem (and `event_id` set, when
// the event had one, in EVENT_ID).
result<realtime_client_event> parse_realtime_event(std::string_view text, const realtime_config & current,
                                                   std::string & event_id);

// A fresh id: PREFIX and 12 hex digits ("item_", "resp_", "event_", "sess_").
std::string realtime_id(const char * prefix);

// A server event: BODY with "type" and a fresh "event_id".
std::string realtime_event(std::string_view type, json body = json::object());
// An "error" event naming the problem; EVENT_ID: the client event it is about.
std::string realtime_error(const std::string & message, const std::string & code, const std::string & event_id = "",
                           const std::string & type = "invalid_request_error");
// The session object of session.created and session.updated.
json realtime_session_json(const std::string & id, const realtime_config & c, const std::string & model);

}  // namespace os1::server
