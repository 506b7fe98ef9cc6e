// Work that must not run on an I/O thread or the memory thread (rendering and
// tokenizing a prompt, reading a file): a fixed set of threads and a bounded
// queue, so that no request's size or number makes those threads wait and no
// burst of requests makes threads without end.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace os1 {

class job_queue {
public:
    job_queue(std::string name, int threads, size_t max_pending);
    ~job_queue();  // close()
    // Refuses new jobs, runs what was posted, joins the threads. Idempotent.
    void close();
    job_queue(const job_queue &) = delete;
    job_queue & operator=(const job_queue &) = delete;

    // False when max_pending jobs are already waiting (the caller answers 503).
    // A job that throws is logged; the thread goes on.
    bool post(std::function<void()> job);
    size_t pending() const;

private:
    void loop();

    std::string name_;
    size_t max_pending_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;  // GUARDED_BY(mu_)
    bool stopping_ = false;                    // GUARDED_BY(mu_)
    std::vector<std::thread> threads_;
};

}  // namespace os1
