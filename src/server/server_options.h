// Settings of `os1 serve` (HTTP side; the engine's are in llm/engine.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "companion/initiative.h"
#include "companion/onboarding.h"
#include "companion/turn_memory.h"
#include "server/background_feelings.h"
#include "voice/voice_set.h"

namespace os1::server {

struct server_options {
    std::string host = "127.0.0.1";
    int port = 8316;
    int io_threads = 2;                  // threads that only do network I/O, never the model
    bool no_auth = false;                // single-person mode; loopback only
    std::string users_file;              // the people and their token hashes
    std::vector<std::string> allow_origins;  // web pages ("https://host[:port]") that may call the API (CORS)
    std::string web_root;                // the built web page (web/dist) served at /; "" = none
    std::string model_name = "os1";      // reported by /v1/models and in responses
    uint64_t max_body_bytes = 1 << 20;   // larger requests get 413 (uploads have their own limit)
    uint64_t max_upload_bytes = 25 << 20;  // an audio upload (POST /v1/audio/transcriptions), as OpenAI's
    uint64_t max_uploads_bytes = 256 << 20;  // all uploads being received at once; more wait (503)
    int upload_timeout_s = 300;          // to receive a whole upload
    double max_audio_s = 600;            // of one upload's audio
    bool voice = true;                   // the audio routes (off: 404-free 503 naming why)
    voice::voice_settings voice_engines; // the recognizers and voices (voice/voice_set.h)
    int max_messages = 1000;             // in one chat request; more get 400
    uint64_t max_prompt_bytes = 512 << 10;  // of message text in one chat request; more get 400
    int header_timeout_s = 15;           // to receive a whole request
    int idle_timeout_s = 300;            // a keep-alive connection with no request
    int max_connections = 4096;          // open connections in all; more are closed at once
    int max_connections_per_address = 256;  // from one client address
    int account_check_ms = 1000;         // how soon an account removed by `os1 users remove` ends here (0 = never)
    int write_timeout_s = 60;            // a client that stops reading
    int rate_per_minute = 120;           // requests per person; more get 429
    int rate_burst = 20;
    int drain_ms = 10000;                // on SIGTERM: time for replies in flight
    int max_tokens_default = 512;        // when a request does not say
    std::string persona;                 // the base character: the system message when a request has none ("" = none)
    companion::onboarding_settings onboarding;  // the first-run interview (with memory)
    std::string assistant_name = "OS1";  // how the OS appears in people's memories
    companion::memory_settings memory;   // recall in each turn (when the server remembers)
    int distill_every = 8;               // new turns of a person that start a background distillation (0 = never)
    feelings_mode feelings = feelings_mode::auto_probe;  // who reads feelings (with memory; see background_feelings.h)
    int evolve_every = 24;               // turns of a person between looks at the persona's growth (0 = never)
    bool initiative = true;              // the OS may speak first (with memory; companion/initiative.h)
    int initiative_tick_ms = 30000;      // how often the scheduler looks for what is due
    companion::initiative_policy initiative_policy;  // its numbers (importance, delays, a hard day)
    const clock_i * clock = nullptr;     // null: the system's (tests give a fake one)
    int distill_max_tokens = 1400;       // of the model's answer (the grammar's longest fits; tests bound it)
};

}  // namespace os1::server
