// Time as OS1 reads it (ARCHITECTURE.md, principle 8: clock_i): the system's
// wall clock in production, a clock a test moves by hand.
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace os1 {

class clock_i {
public:
    virtual ~clock_i() = default;
    virtual int64_t now() const = 0;  // unix seconds
};

class system_clock final : public clock_i {
public:
    int64_t now() const override { return static_cast<int64_t>(std::time(nullptr)); }
};

// For tests: stands still until set or advanced. Thread-safe.
class fake_clock final : public clock_i {
public:
    explicit fake_clock(int64_t start) : now_(start) {}
    int64_t now() const override { return now_.load(); }
    void set(int64_t t) { now_ = t; }
    void advance(int64_t seconds) { now_ += seconds; }

private:
    std::atomic<int64_t> now_;
};

}  // namespace os1
