// The RAM tier: serialized KV states of conversations that left the context,
// least recently used first out, within a byte budget. Engine thread only.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

#include "llm/kv_state.h"

namespace os1::llm {

class kv_tier_ram {
public:
    explicit kv_tier_ram(uint64_t budget_bytes) : budget_(budget_bytes) {}

    // Stores `s` (replacing any older state of the same key) and returns the
    // states pushed out to stay within the budget, oldest first: the caller
    // moves them to disk. A state larger than the whole budget is returned at once.
    std::vector<kv_saved_state> put(kv_saved_state s);
    std::optional<kv_saved_state> take(const conversation_key & key);
    bool contains(const conversation_key & key) const { return index_.count(key.id()) > 0; }
    bool erase(const conversation_key & key);
    // Every state whose key's person is `person`.
    void erase_person(const std::string & person);
    std::vector<kv_saved_state> drain();

    uint64_t bytes() const { return bytes_; }
    size_t count() const { return lru_.size(); }
    size_t conversations() const { return lru_.size() - scratch_; }  // not counting scratch states

private:
    uint64_t budget_;
    uint64_t bytes_ = 0;
    size_t scratch_ = 0;  // states whose key is scratch()
    void forget(const kv_saved_state & s) {
        bytes_ -= s.size_bytes();
        scratch_ -= s.key.scratch();
    }
    std::list<kv_saved_state> lru_;  // front = most recently used
    std::unordered_map<std::string, std::list<kv_saved_state>::iterator> index_;
};

}  // namespace os1::llm
