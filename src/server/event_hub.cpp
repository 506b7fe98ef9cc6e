#include "server/event_hub.h"

#include <vector>

namespace os1::server {

void event_hub::prune() {
    for (auto it = by_person_.begin(); it != by_person_.end();) {
        it = it->second.expired() ? by_person_.erase(it) : std::next(it);
    }
}

void event_hub::add(const std::string & person, const std::shared_ptr<event_listener> & l) {
    std::lock_guard<std::mutex> lock(mu_);
    prune();
    by_person_.emplace(person, l);
}

int event_hub::send(const std::string & person, const std::string & event) {
    std::vector<std::shared_ptr<event_listener>> open;
    {
        std::lock_guard<std::mutex> lock(mu_);
        const auto [from, to] = by_person_.equal_range(person);
        for (auto it = from; it != to; ++it) {
            if (auto l = it->second.lock()) open.push_back(std::move(l));
        }
    }
    int took = 0;
    for (const auto & l : open) took += l->send_event(event);  // outside the lock: it posts to a connection
    return took;
}

void event_hub::close(const std::string & person) {
    std::vector<std::shared_ptr<event_listener>> open;
    {
        std::lock_guard<std::mutex> lock(mu_);
        const auto [from, to] = by_person_.equal_range(person);
        for (auto it = from; it != to; ++it) {
            if (auto l = it->second.lock()) open.push_back(std::move(l));
        }
        by_person_.erase(from, to);
    }
    for (const auto & l : open) l->end_stream();
}

int event_hub::listeners(const std::string & person) {
    std::lock_guard<std::mutex> lock(mu_);
    prune();
    return static_cast<int>(by_person_.count(person));
}

}  // namespace os1::server
