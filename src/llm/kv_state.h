// A conversation's KV state out of the model's context: in RAM or on disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "llm/conversation_key.h"
#include "os1/status.h"

namespace os1::llm {

struct kv_saved_state {
    conversation_key key;
    std::vector<int32_t> tokens;  // every token whose K/V the state holds, in position order
    std::string prefix_id;        // the shared prefix tokens[0, prefix_len) live in; empty = none
    int32_t prefix_len = 0;
    std::vector<uint8_t> bytes;   // llama_state_seq data of tokens[prefix_len, end)

    uint64_t size_bytes() const { return bytes.size() + tokens.size() * sizeof(int32_t) + 256; }
};

// The file format of the disk tier: a header naming the key, the tokens, the
// state bytes and a trailer, so that a short or foreign file is recognised.
std::string encode_kv_state(const kv_saved_state & s);
// corrupt when `data` is not a complete state file.
result<kv_saved_state> decode_kv_state(const std::string & data);

}  // namespace os1::llm
