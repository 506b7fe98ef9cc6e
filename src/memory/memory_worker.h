// One thread that owns a memory_store: the server's I/O threads post work to it
// and never wait for the disk (ARCHITECTURE.md, principle 9). Jobs run one at a
// time, in the order posted, so a turn stored before another is found by it.
//
// Thread-safety: post() and call() may be used from any thread except the
// worker's own (call() from a job would wait for itself). The destructor runs
// every job already posted, then joins. While no job waits, the worker merges
// the full-text index in bounded steps (see tidy_when_idle).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "memory/memory_store.h"

namespace os1::memory {

class memory_worker {
public:
    using job = std::function<void(memory_store &)>;

    explicit memory_worker(std::unique_ptr<memory_store> store);
    ~memory_worker();
    memory_worker(const memory_worker &) = delete;
    memory_worker & operator=(const memory_worker &) = delete;

    void post(job j);

    // Runs every job already posted, ends the thread and gives the store back
    // (for `os1 chat`, whose learning at the end waits for the model on its own
    // thread). Jobs posted afterwards never run.
    std::unique_ptr<memory_store> release();

    // Runs F(store) on the worker and returns its result (for the CLI and tests).
    template <class F>
    auto call(F f) -> decltype(f(std::declval<memory_store &>())) {
        using R = decltype(f(std::declval<memory_store &>()));
        auto done = std::make_shared<std::promise<R>>();
        auto fut = done->get_future();
        post([done, f = std::move(f)](memory_store & s) mutable { done->set_value(f(s)); });
        return fut.get();
    }

private:
    void loop();
    bool idle();
    void tidy_when_idle();  // worker thread only
    int jobs_since_merge_ = 0;
    std::unique_ptr<memory_store> store_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<job> jobs_;  // GUARDED_BY(mu_)
    bool stopping_ = false; // GUARDED_BY(mu_)
    std::thread thread_;
};

}  // namespace os1::memory
