// Requests per person: a token bucket each. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace os1::server {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;
    rate_limiter(int per_minute, int burst) : per_second_(per_minute / 60.0), burst_(burst) {}

    // 0 when the request may go now; otherwise the seconds to wait (>= 1).
    int acquire(const std::string & person, clock::time_point now = clock::now());

private:
    struct bucket {
        double tokens;
        clock::time_point last;
    };
    double per_second_;
    double burst_;
    std::mutex mu_;
    std::unordered_map<std::string, bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace os1::server
