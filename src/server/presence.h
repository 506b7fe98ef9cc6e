// Who is talking with the OS now: the people with a chat request in flight,
// or whose last one ended within the window. Counted from authenticated
// requests (never from what anyone says), for GET /api/v1/status and the
// live figures in the prompt (companion/honesty.h). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace os1::server {

class presence {
public:
    using clock = std::chrono::steady_clock;
    presence() = default;
    explicit presence(std::chrono::seconds window) : window_(window) {}

    void begin(const std::string & person, clock::time_point now = clock::now());
    void end(const std::string & person, clock::time_point now = clock::now());
    // People with a request in flight or one that ended within the window.
    uint64_t talking_now(clock::time_point now = clock::now());
    std::chrono::seconds window() const { return window_; }

private:
    struct entry {
        int in_flight = 0;
        clock::time_point last{};
    };
    const std::chrono::seconds window_{300};
    std::mutex mu_;
    std::unordered_map<std::string, entry> people_;  // GUARDED_BY(mu_)
};

}  // namespace os1::server
