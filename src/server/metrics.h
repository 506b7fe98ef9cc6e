// Server counters and the time-to-first-token histogram, rendered with the
// engine's own counters in Prometheus text format. Thread-safe (atomics).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "llm/llm_i.h"

namespace os1::server {

class metrics {
public:
    void count_response(const std::string & route, int status_code);
    void observe_ttft_s(double seconds);
    std::atomic<int64_t> open_connections{0};
    std::atomic<uint64_t> upload_bytes{0};  // held for the uploads being received (server_options::max_uploads_bytes)

    std::string render(const llm::engine_stats & engine) const;

private:
    static constexpr std::array<double, 10> ttft_bounds = {0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
    std::array<std::atomic<uint64_t>, ttft_bounds.size() + 1> ttft_buckets_{};
    std::atomic<uint64_t> ttft_count_{0};
    std::atomic<uint64_t> ttft_sum_us_{0};
    mutable std::mutex mu_;
    std::map<std::pair<std::string, int>, uint64_t> responses_;  // GUARDED_BY(mu_)
};

}  // namespace os1::server
