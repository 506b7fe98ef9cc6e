#include "server/person_gate.h"

namespace os1::server {

uint64_t person_gate::epoch(const std::string & person) const {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = epochs_.find(person);
    return it == epochs_.end() ? 0 : it->second;
}

bool person_gate::current(const std::string & person, uint64_t e) const { return epoch(person) == e; }

bool person_gate::blocked(const std::string & person) const {
    std::lock_guard<std::mutex> lock(mu_);
    return blocked_.count(person) > 0;
}

void person_gate::watch(const std::string & person, const std::shared_ptr<std::atomic<bool>> & cancel) {
    std::lock_guard<std::mutex> lock(mu_);
    // Finished requests are let go as new ones come, so the map stays as large as what is in flight.
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
        it = it->second.expired() ? in_flight_.erase(it) : std::next(it);
    }
    in_flight_.emplace(person, cancel);
}

void person_gate::seen(const std::string & person) {
    std::lock_guard<std::mutex> lock(mu_);
    known_.insert(person);
}

std::vector<std::string> person_gate::known() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {known_.begin(), known_.end()};
}

void person_gate::revoke(const std::string & person) {
    std::vector<std::shared_ptr<std::atomic<bool>>> cancel;
    {
        std::lock_guard<std::mutex> lock(mu_);
        known_.erase(person);
        ++epochs_[person];
        blocked_.insert(person);
        const auto [from, to] = in_flight_.equal_range(person);
        for (auto it = from; it != to; ++it) {
            if (auto c = it->second.lock()) cancel.push_back(std::move(c));
        }
        in_flight_.erase(from, to);
    }
    for (const auto & c : cancel) c->store(true);
}

void person_gate::unblock(const std::string & person) {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_.erase(person);
}

}  // namespace os1::server
