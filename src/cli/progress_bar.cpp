#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include "base/units.h"

namespace os1::cli {
namespace {

constexpr int bar_width = 24;
constexpr auto tty_interval = std::chrono::milliseconds(100);
constexpr auto log_interval = std::chrono::seconds(5);

std::string bar(double f) {
    const int filled = static_cast<int>(f * bar_width + 0.5);
    return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(bar_width - filled), '.') + "]";
}

}  // namespace

progress_bar::progress_bar(std::string label)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

void progress_bar::update_fraction(double f) {
    char pct[16];
    std::snprintf(pct, sizeof pct, "%5.1f%%", f * 100.0);
    draw(label_ + " " + bar(f) + " " + pct, f >= 1.0);
}

void progress_bar::update_bytes(uint64_t done, uint64_t total, uint64_t session) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = secs > 0 ? static_cast<double>(session) / secs : 0;
    std::string text = label_ + " ";
    if (total > 0) {
        const double f = static_cast<double>(done) / static_cast<double>(total);
        char pct[16];
        std::snprintf(pct, sizeof pct, "%5.1f%%", f * 100.0);
        text += bar(f) + " " + pct + " " + format_bytes(done) + " / " + format_bytes(total);
        text += ", " + format_bytes(static_cast<uint64_t>(rate)) + "/s";
        if (rate > 0 && done < total) text += ", " + format_duration_s(static_cast<double>(total - done) / rate) + " left";
    } else {
        text += format_bytes(done) + ", " + format_bytes(static_cast<uint64_t>(rate)) + "/s";
    }
    draw(text, total > 0 && done >= total);
}

void progress_bar::draw(const std::string & text, bool force) {
    if (finished_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && drawn_ && now - last_draw_ < (tty_ ? std::chrono::duration_cast<std::chrono::milliseconds>(tty_interval)
                                                      : std::chrono::duration_cast<std::chrono::milliseconds>(log_interval))) {
        return;
    }
    last_draw_ = now;
    drawn_ = true;
    if (tty_) {
        std::fprintf(stderr, "\r\033[K%s", text.c_str());
    } else {
        std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
}

void progress_bar::finish() {
    if (finished_) return;
    finished_ = true;
    if (tty_ && drawn_) std::fputc('\n', stderr);
}

}  // namespace os1::cli
