#include "server/presence.h"

namespace os1::server {

void presence::begin(const std::string & person, clock::time_point now) {
    std::lock_guard lock(mu_);
    entry & e = people_[person];
    ++e.in_flight;
    e.last = now;
}

void presence::end(const std::string & person, clock::time_point now) {
    std::lock_guard lock(mu_);
    const auto it = people_.find(person);
    if (it == people_.end()) return;
    if (it->second.in_flight > 0) --it->second.in_flight;
    it->second.last = now;
}

uint64_t presence::talking_now(clock::time_point now) {
    std::lock_guard lock(mu_);
    uint64_t n = 0;
    for (auto it = people_.begin(); it != people_.end();) {
        const bool recent = now - it->second.last <= window_;
        if (it->second.in_flight == 0 && !recent) {  // gone quiet: forgotten here
            it = people_.erase(it);
            continue;
        }
        ++n;
        ++it;
    }
    return n;
}

}  // namespace os1::server
