#include "base/job_queue.h"

#include <spdlog/spdlog.h>

namespace os1 {

job_queue::job_queue(std::string name, int threads, size_t max_pending) : name_(std::move(name)), max_pending_(max_pending) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { loop(); });
}

job_queue::~job_queue() { close(); }

void job_queue::close() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto & t : threads_) {
        if (t.joinable()) t.join();
    }
}

bool job_queue::post(std::function<void()> job) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_ || jobs_.size() >= max_pending_) return false;
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
}

size_t job_queue::pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return jobs_.size();
}

void job_queue::loop() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            job();
        } catch (const std::exception & e) {
            spdlog::error("{}: a job threw: {}", name_, e.what());
        }
    }
}

}  // namespace os1
