// Reads the feelings of each person's messages with the model, in the
// background (companion/emotion.h): the word list's reading is stored at once
// with every message (and shapes its reply); afterwards, where the model is
// capable, its reading under the grammar replaces it. Capable: the model gets
// the sign of every probe case right (mode auto, checked once at start), or
// the operator says so (mode model). Until then, and otherwise, the word
// list's readings stand. Readings go newest first, one engine request at a
// time per person, only of messages from the last 30 days.
//
// Threads: after_turn() on the memory thread only; engine events only post
// work to the memory thread.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "llm/llm_i.h"
#include "memory/memory_worker.h"

namespace os1::server {

enum class feelings_mode { off, lexicon, model, auto_probe };
// "off", "lexicon", "model" or "auto"; invalid_argument otherwise.
result<feelings_mode> parse_feelings_mode(const std::string & text);

class background_feelings {
public:
    background_feelings(llm::llm_i & engine, memory::memory_worker & worker, feelings_mode mode);

    // Asks the model the probe cases (mode auto); the verdict is logged.
    void start();
    // After a message of PERSON (store id WHO) is stored.
    void after_turn(memory::memory_store & store, memory::person_id who, const std::string & person, int chain = 0);
    // Whether the model's readings are used (for tests and the log).
    bool model_reads() const { return capable_.load() > 0; }
    bool probed() const { return capable_.load() != 0; }

private:
    llm::llm_i & engine_;
    memory::memory_worker & worker_;
    feelings_mode mode_;
    std::atomic<int> capable_{0};               // 0 not known yet, 1 capable, -1 not
    std::set<memory::person_id> in_flight_;    // memory thread only
};

}  // namespace os1::server
