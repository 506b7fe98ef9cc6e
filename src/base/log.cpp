#include "base/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace os1 {
namespace {

// {"ts":"2026-11-28T03:00:00.123Z","level":"info","msg":"..."}
class json_sink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg & msg) override {
        const auto t = std::chrono::system_clock::to_time_t(msg.time);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char ts[64];
        std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
        const auto level = spdlog::level::to_string_view(msg.level);
        std::string line = std::string("{\"ts\":\"") + ts + "\",\"level\":\"" +
                           std::string(level.data(), level.size()) + "\",\"msg\":\"" +
                           json_escape(std::string_view(msg.payload.data(), msg.payload.size())) + "\"}\n";
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

}  // namespace

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(ch);
                }
        }
    }
    return out;
}

void init_logging(const log_options & opts) {
    std::shared_ptr<spdlog::logger> logger;
    if (opts.json) {
        logger = std::make_shared<spdlog::logger>("os1", std::make_shared<json_sink>());
    } else {
        auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        logger = std::make_shared<spdlog::logger>("os1", sink);
        logger->set_pattern(opts.verbose ? "%H:%M:%S.%e %^%l%$ %v" : "%^%l%$: %v");
    }
    logger->set_level(opts.verbose ? spdlog::level::debug : spdlog::level::warn);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

}  // namespace os1
