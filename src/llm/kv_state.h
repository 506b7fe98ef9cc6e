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
    std::string prefix_id;        // states of the unified cache only (before 2026-12-06, decision 0004): their
    int32_t prefix_len = 0;       // tokens[0, prefix_len) lived in a shared prefix; no longer restorable
    std::vector<uint8_t> bytes;   // llama_state_seq data of every token, in one-stream form (below)

    uint64_t size_bytes() const { return bytes.size() + tokens.size() * sizeof(int32_t) + 256; }
};

// llama.cpp writes a sequence's state as [magic][id][n_stream][for each stream:
// cell count, cells], where only the sequence's own stream holds cells, and refuses to read
// it into a context with another number of streams. States are kept in a
// one-stream form, so that they survive a change of --parallel:
// to_one_stream() makes that form (false: not a state llama.cpp wrote), and
// widen_to_streams() the form a context of `n_stream` streams reads, which
// narrow_to_one_stream() undoes. All three work in place: a state is tens of
// MiB, and a new buffer of that size costs more than the copy (decision 0010).
bool to_one_stream(std::vector<uint8_t> & state);
void widen_to_streams(std::vector<uint8_t> & one_stream, uint32_t n_stream);
void narrow_to_one_stream(std::vector<uint8_t> & state, uint32_t n_stream);
// Spare capacity a state read from a file is given, so that widening it needs
// no new buffer (4 bytes per stream, up to 4,096 streams).
constexpr size_t stream_slack = 4 * 4096;

// The file format of the disk tier: a header naming the key, the tokens, the
// state bytes and a trailer, so that a short or foreign file is recognised.
std::string encode_kv_state(const kv_saved_state & s);
// corrupt when `data` is not a complete state file. The vector form takes the
// file's bytes and keeps them (and their capacity) as the state's.
result<kv_saved_state> decode_kv_state(std::vector<uint8_t> && data);
result<kv_saved_state> decode_kv_state(const std::string & data);

}  // namespace os1::llm
