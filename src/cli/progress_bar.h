// A progress line on stderr: fraction, bytes, rate and time left. On a terminal
// it redraws in place; otherwise it prints a plain line every few seconds, so
// logs of scripted runs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace os1::cli {

class progress_bar {
public:
    explicit progress_bar(std::string label);
    void update_fraction(double fraction);                     // no byte counts known
    void update_bytes(uint64_t done_bytes, uint64_t total_bytes, uint64_t session_bytes);  // total 0 = unknown
    void finish();                                             // ends the line (idempotent)

private:
    void draw(const std::string & text, bool force);
    std::string label_;
    bool tty_;
    bool drawn_ = false;
    bool finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace os1::cli
