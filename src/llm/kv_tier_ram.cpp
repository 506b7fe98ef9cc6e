#include "llm/kv_tier_ram.h"

namespace os1::llm {

std::vector<kv_saved_state> kv_tier_ram::put(kv_saved_state s) {
    erase(s.key);
    std::vector<kv_saved_state> out;
    if (s.size_bytes() > budget_) {
        out.push_back(std::move(s));
        return out;
    }
    bytes_ += s.size_bytes();
    scratch_ += s.key.scratch();
    lru_.push_front(std::move(s));
    index_[lru_.front().key.id()] = lru_.begin();
    while (bytes_ > budget_) {
        auto & last = lru_.back();
        forget(last);
        index_.erase(last.key.id());
        out.push_back(std::move(last));
        lru_.pop_back();
    }
    return out;
}

std::optional<kv_saved_state> kv_tier_ram::take(const conversation_key & key) {
    auto it = index_.find(key.id());
    if (it == index_.end()) return std::nullopt;
    kv_saved_state s = std::move(*it->second);
    forget(s);
    lru_.erase(it->second);
    index_.erase(it);
    return s;
}

bool kv_tier_ram::erase(const conversation_key & key) { return take(key).has_value(); }

void kv_tier_ram::erase_person(const std::string & person) {
    for (auto it = lru_.begin(); it != lru_.end();) {
        if (it->key.person == person) {
            forget(*it);
            index_.erase(it->key.id());
            it = lru_.erase(it);
        } else {
            ++it;
        }
    }
}

std::vector<kv_saved_state> kv_tier_ram::drain() {
    std::vector<kv_saved_state> out;
    for (auto & s : lru_) out.push_back(std::move(s));
    lru_.clear();
    index_.clear();
    bytes_ = 0;
    scratch_ = 0;
    return out;
}

}  // namespace os1::llm
