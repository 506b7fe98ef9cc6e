// A person's mood over time, from the readings of their messages (emotion.h):
// one point per day (UTC), for `os1 mood` and GET /api/v1/mood.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memory/memory_types.h"

namespace os1::companion {

struct mood_day {
    std::string date;      // YYYY-MM-DD (UTC)
    int messages = 0;      // readings that day; 0: nothing was said
    double valence = 0;    // their mean
    double arousal = 0;
    std::string label;     // the most frequent label ("" with no messages)
};

// DAYS days ending with the day of NOW, oldest first; READINGS in any order.
std::vector<mood_day> mood_series(const std::vector<memory::emotion_reading> & readings, int64_t now, int days);

// One character per day: the valence from -1 (▁) to 1 (█), "·" for a day
// with no messages.
std::string sparkline(const std::vector<mood_day> & days);

}  // namespace os1::companion
