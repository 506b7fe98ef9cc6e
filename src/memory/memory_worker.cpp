#include "memory/memory_worker.h"

#include <spdlog/spdlog.h>

namespace os1::memory {

memory_worker::memory_worker(std::unique_ptr<memory_store> store) : store_(std::move(store)) {
    thread_ = std::thread([this] { loop(); });
}

memory_worker::~memory_worker() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void memory_worker::post(job j) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        jobs_.push_back(std::move(j));
    }
    cv_.notify_one();
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
    }
}

}  // namespace os1::memory
