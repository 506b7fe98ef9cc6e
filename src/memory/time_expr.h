// Finds expressions of time in a message ("yesterday", "last Tuesday", "in May",
// "two years ago", "in 2022") and resolves them against a reference time, so that
// recall can prefer what happened then. Dates are calendar days in UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace os1::memory {

struct time_range {
    int64_t from = 0;  // unix seconds, inclusive
    int64_t to = 0;    // unix seconds, exclusive
    std::string phrase;  // the words that named it
};

// Every range named in TEXT, read as of NOW (unix seconds). Unknown words are
// ignored; nothing is guessed where the text names no time.
std::vector<time_range> find_time_ranges(std::string_view text, int64_t now);

// Civil date <-> days since 1970-01-01 (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t & y, unsigned & m, unsigned & d);

}  // namespace os1::memory

namespace os1::memory {

// "2023-05-08T13:56:00" (seconds, "Z" and a numeric offset optional; a date alone
// is midnight) as unix seconds; false when TEXT is not such a time.
bool parse_iso_time(std::string_view text, int64_t & out);

}  // namespace os1::memory
