#include "memory/memory_worker.h"

#include <spdlog/spdlog.h>

namespace os1::memory {

memory_worker::memory_worker(std::unique_ptr<memory_store> store) : store_(std::move(store)) {
    thread_ = std::thread([this] { loop(); });
}

memory_worker::~memory_worker() { release(); }

std::unique_ptr<memory_store> memory_worker::release() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return std::move(store_);
}

void memory_worker::post(job j) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        jobs_.push_back(std::move(j));
    }
    cv_.notify_one();
}

bool memory_worker::idle() {
    std::lock_guard<std::mutex> lock(mu_);
    return jobs_.empty() && !stopping_;
}

// FTS5 leaves the index in segments as turns arrive; a search probes each.
// When nothing waits, the index is merged a bounded step at a time, looking
// for new jobs between steps, so a turn waits for one step at most.
void memory_worker::tidy_when_idle() {
    constexpr int jobs_between_merges = 200;
    constexpr int pages_per_step = 200;  // tens of milliseconds at most
    if (++jobs_since_merge_ < jobs_between_merges) return;
    while (idle()) {
        auto worked = store_->merge_index_step(pages_per_step);
        if (!worked) {
            spdlog::warn("memory: merging the index: {}", worked.error().message());
            break;
        }
        if (!*worked) {
            jobs_since_merge_ = 0;
            break;
        }
    }
}

void memory_worker::loop() {
    for (;;) {
        job j;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping, and everything posted has run
            j = std::move(jobs_.front());
            jobs_.pop_front();
        }
        // A job's failure is its own: the worker goes on serving everyone else.
        try {
            j(*store_);
        } catch (const std::exception & e) {
            spdlog::error("memory: a job failed: {}", e.what());
        }
        tidy_when_idle();
    }
}

}  // namespace os1::memory
