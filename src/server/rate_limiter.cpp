#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace os1::server {

int rate_limiter::acquire(const std::string & person, clock::time_point now) {
    if (per_second_ <= 0) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = buckets_.try_emplace(person, bucket{burst_, now});
    bucket & b = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
        b.last = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return 0;
    }
    return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_second_)));
}

}  // namespace os1::server
