// What every connection of a server shares (internal to src/server).
#pragma once

#include <atomic>
#include <cstdint>

#include "base/clock.h"
#include "base/job_queue.h"
#include "companion/turn.h"
#include "companion/turn_memory.h"
#include "llm/llm_i.h"
#include "memory/memory_worker.h"
#include "server/connection_slots.h"
#include "server/event_hub.h"
#include "server/metrics.h"
#include "server/person_gate.h"
#include "server/presence.h"
#include "server/rate_limiter.h"
#include "server/server_options.h"
#include "server/users.h"
#include "server/web_files.h"
#include "voice/voice_set.h"

namespace os1::server {

class background_distill;
class background_feelings;

struct server_context {
    server_options opts;
    llm::llm_i & engine;
    users_store * users;  // null with no_auth
    memory::memory_worker * memory = nullptr;  // null when the server does not remember
    background_distill * distill = nullptr;  // with memory, unless distill_every is 0
    rate_limiter limiter;
    metrics stats;
    std::atomic<bool> stopping{false};
    int64_t started_unix = 0;
    presence talking{};  // who is talking with the OS now (GET /api/v1/status)
    background_feelings * feelings = nullptr;  // with memory, unless feelings are off
    event_hub events;  // open GET /api/v1/events streams
    const clock_i * clock = nullptr;  // never null once the server is built
    job_queue * prompts = nullptr;    // rendering and tokenizing chat prompts (off the I/O threads)
    job_queue * files = nullptr;      // reading the users file (disk: never on an I/O thread)
    person_gate gate;                 // erasing and revoking people in order
    connection_slots connections;     // open connections in all and per address
    companion::turn_runner * turns = nullptr;  // every chat turn (companion/turn.h)
    const web_files * web = nullptr;  // the web page at / (never null once the server is built)
    voice::voice_set * voices = nullptr;  // null when the audio routes are off (voice_off says why)
    std::string voice_off;
    job_queue * voice_jobs = nullptr;     // decoding, recognizing, synthesizing: off the I/O threads

    int64_t now() const { return clock->now(); }
    bool initiative() const { return memory && opts.initiative; }
};

}  // namespace os1::server
