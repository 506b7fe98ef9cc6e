#include "companion/mood.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

namespace os1::companion {
namespace {

constexpr int64_t day_s = 86400;

std::string date_of(int64_t day_start) {
    const std::time_t t = static_cast<std::time_t>(day_start);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

std::vector<mood_day> mood_series(const std::vector<memory::emotion_reading> & readings, int64_t now, int days) {
    if (days <= 0) return {};
    const int64_t last = floor_div(now, day_s);
    const int64_t first = last - days + 1;
    std::vector<mood_day> out(static_cast<size_t>(days));
    std::vector<std::map<std::string, int>> labels(out.size());
    for (int i = 0; i < days; ++i) out[static_cast<size_t>(i)].date = date_of((first + i) * day_s);
    for (const auto & r : readings) {
        const int64_t d = floor_div(r.ts, day_s);
        if (d < first || d > last) continue;
        const auto i = static_cast<size_t>(d - first);
        out[i].messages++;
        out[i].valence += r.valence;
        out[i].arousal += r.arousal;
        labels[i][r.label]++;
    }
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i].messages == 0) continue;
        out[i].valence = std::round(out[i].valence / out[i].messages * 100) / 100;
        out[i].arousal = std::round(out[i].arousal / out[i].messages * 100) / 100;
        out[i].label = std::max_element(labels[i].begin(), labels[i].end(), [](const auto & a, const auto & b) {
                           return a.second < b.second;
                       })->first;
    }
    return out;
}

std::string sparkline(const std::vector<mood_day> & days) {
    static const char * const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    std::string out;
    for (const auto & d : days) {
        if (d.messages == 0) {
            out += "·";
            continue;
        }
        const int level = static_cast<int>(std::floor((std::clamp(d.valence, -1.0, 1.0) + 1) / 2 * 8));
        out += bars[std::clamp(level, 0, 7)];
    }
    return out;
}

}  // namespace os1::companion
