// What the memory store holds and returns, in os1:: types (no SQL here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace os1::memory {

// A person's internal id; every store call takes one, and every query filters on it.
using person_id = int64_t;

struct new_turn {
    std::string session;       // the caller's name for the sitting ("2024-05-08", "D3")
    std::string conversation;  // the conversation it belongs to ("" when there is one)
    std::string ext_id;        // the caller's id for the turn ("" for none); unique per person
    int64_t ts = 0;            // unix seconds
    std::string speaker;       // who said it ("Caroline", "OS1")
    std::string role;          // "user", "assistant" or "system"
    std::string text;
};

struct turn_record {
    int64_t id = 0;
    int64_t session_id = 0;
    std::string ext_id;
    int64_t ts = 0;
    std::string speaker;
    std::string role;
    std::string text;
};

// One thing recall brings back. prov lists the turns it stands for (their
// ext_id, or "turn:<id>" when they have none).
struct recalled_item {
    std::string kind;  // "turn"
    std::string text;  // as it goes into the prompt
    double score = 0;
    int64_t ts = 0;
    std::vector<std::string> prov;
};

// Limits on what is stored, so that one huge message cannot fill the disk.
struct store_limits {
    size_t max_turn_bytes = 64 * 1024;
    size_t max_name_bytes = 256;
};

}  // namespace os1::memory
