// The open connections, in all and per client address: past either limit a
// new connection is closed at once, so that one address cannot hold every
// socket (and descriptor) the server has. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

namespace os1::server {

class connection_slots {
public:
    // False (and nothing taken) when ADDRESS has MAX_PER_ADDRESS open or all have MAX_TOTAL.
    bool take(const std::string & address, int max_total, int max_per_address) {
        std::lock_guard<std::mutex> lock(mu_);
        int & mine = by_address_[address];
        if (total_ >= max_total || mine >= max_per_address) {
            if (mine == 0) by_address_.erase(address);
            return false;
        }
        ++mine;
        ++total_;
        return true;
    }
    void give_back(const std::string & address) {
        std::lock_guard<std::mutex> lock(mu_);
        const auto it = by_address_.find(address);
        if (it == by_address_.end()) return;
        --total_;
        if (--it->second == 0) by_address_.erase(it);
    }

private:
    std::mutex mu_;
    std::unordered_map<std::string, int> by_address_;  // GUARDED_BY(mu_)
    int total_ = 0;                                     // GUARDED_BY(mu_)
};

}  // namespace os1::server
