#include "memory/time_expr.h"

#include <array>
#include <cctype>
#include <optional>

namespace os1::memory {
namespace {

constexpr int64_t day_s = 86400;

const std::array<const char *, 12> months = {"january", "february", "march",     "april",   "may",      "june",
                                             "july",    "august",   "september", "october", "november", "december"};
const std::array<const char *, 7> weekdays = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> out;
    std::string w;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) {
            w += static_cast<char>(std::tolower(c));
        } else if (!w.empty()) {
            out.push_back(w);
            w.clear();
        }
    }
    if (!w.empty()) out.push_back(w);
    return out;
}

std::optional<int> month_of(const std::string & w) {
    for (size_t i = 0; i < months.size(); ++i) {
        const std::string m = months[i];
        if (w == m || (w.size() == 3 && m.compare(0, 3, w) == 0 && w != "may" && w != "mar")) return static_cast<int>(i) + 1;
    }
    if (w == "mar") return 3;
    if (w == "sept") return 9;
    return std::nullopt;
}

std::optional<int> weekday_of(const std::string & w) {  // 0 = Monday
    for (size_t i = 0; i < weekdays.size(); ++i) {
        if (w == weekdays[i] || w + "s" == weekdays[i]) return static_cast<int>(i);
    }
    return std::nullopt;
}

std::optional<int> number_of(const std::string & w) {
    static const std::array<const char *, 13> names = {"zero", "one", "two",   "three",  "four",  "five", "six",
                                                       "seven", "eight", "nine", "ten", "eleven", "twelve"};
    for (size_t i = 0; i < names.size(); ++i) {
        if (w == names[i]) return static_cast<int>(i);
    }
    if (w == "a" || w == "an") return 1;
    if (w == "couple" || w == "few") return w == "couple" ? 2 : 3;
    if (!w.empty() && w.size() <= 3 && std::isdigit(static_cast<unsigned char>(w[0]))) {
        int n = 0;
        for (char c : w) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
            n = n * 10 + (c - '0');
        }
        return n;
    }
    return std::nullopt;
}

std::optional<int> year_of(const std::string & w) {
    if (w.size() != 4) return std::nullopt;
    int n = 0;
    for (char c : w) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n >= 1900 && n <= 2200 ? std::optional<int>(n) : std::nullopt;
}

int64_t month_start(int64_t y, int m) {
    while (m < 1) { m += 12; --y; }
    while (m > 12) { m -= 12; ++y; }
    return days_from_civil(y, static_cast<unsigned>(m), 1) * day_s;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t & y, unsigned & m, unsigned & d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

std::vector<time_range> find_time_ranges(std::string_view text, int64_t now) {
    const auto w = words_of(text);
    std::vector<time_range> out;
    const int64_t today = (now >= 0 ? now / day_s : (now - day_s + 1) / day_s);
    int64_t cy = 0;
    unsigned cm = 0, cd = 0;
    civil_from_days(today, cy, cm, cd);
    const int wd_today = static_cast<int>(((today % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday (3)
    const int64_t week_start = (today - wd_today) * day_s;
    const auto add = [&](int64_t from, int64_t to, size_t i, size_t n) {
        std::string phrase;
        for (size_t k = i; k < i + n && k < w.size(); ++k) phrase += (phrase.empty() ? "" : " ") + w[k];
        out.push_back({from, to, phrase});
    };
    const auto at = [&](size_t i) -> const std::string & {
        static const std::string none;
        return i < w.size() ? w[i] : none;
    };
    for (size_t i = 0; i < w.size(); ++i) {
        const std::string & a = w[i];
        if (a == "yesterday") {
            add((today - 1) * day_s, today * day_s, i, 1);
        } else if (a == "today" || a == "tonight") {
            add(today * day_s, (today + 1) * day_s, i, 1);
        } else if (a == "recently" || a == "lately") {
            add((today - 30) * day_s, (today + 1) * day_s, i, 1);
        } else if ((a == "last" || a == "past" || a == "this") && i + 1 < w.size()) {
            const std::string & b = w[i + 1];
            const bool last = a != "this";
            if (b == "week") {
                add(week_start - (last ? 7 * day_s : 0), week_start + (last ? 0 : 7 * day_s), i, 2);
            } else if (b == "weekend") {
                const int64_t sat = (today - wd_today + 5 - (last || wd_today < 5 ? 7 : 0)) * day_s;
                add(sat, sat + 2 * day_s, i, 2);
            } else if (b == "month") {
                add(month_start(cy, static_cast<int>(cm) - (last ? 1 : 0)), month_start(cy, static_cast<int>(cm) + (last ? 0 : 1)), i, 2);
            } else if (b == "year") {
                add(month_start(cy - (last ? 1 : 0), 1), month_start(cy + (last ? 0 : 1), 1), i, 2);
            } else if (auto d = weekday_of(b)) {
                int back = (wd_today - *d + 7) % 7;
                if (back == 0 || (last && a == "last" && back < 1)) back = 7;
                add((today - back) * day_s, (today - back + 1) * day_s, i, 2);
            } else if (auto m = month_of(b)) {
                const int64_t y = (static_cast<unsigned>(*m) < cm || !last) ? cy : cy - 1;
                add(month_start(y, *m), month_start(y, *m + 1), i, 2);
            }
        } else if (auto n = number_of(a); n && i + 2 < w.size() && w[i + 2] == "ago") {
            const std::string & u = w[i + 1];
            if (u == "day" || u == "days") {
                add((today - *n) * day_s, (today - *n + 1) * day_s, i, 3);
            } else if (u == "week" || u == "weeks") {
                add((today - 7 * *n - 3) * day_s, (today - 7 * *n + 4) * day_s, i, 3);
            } else if (u == "month" || u == "months") {
                add(month_start(cy, static_cast<int>(cm) - *n), month_start(cy, static_cast<int>(cm) - *n + 1), i, 3);
            } else if (u == "year" || u == "years") {
                add(month_start(cy - *n, 1), month_start(cy - *n + 1, 1), i, 3);
            }
        } else if (auto m = month_of(a); m && !(a == "may" && !year_of(at(i + 1)) && at(i - 1) != "in")) {
            // "in May", "May 2023", "May 7", "May 7, 2023", "7 May 2023". A bare "may"
            // is a verb unless "in" or a year is next to it.
            if (auto y = year_of(at(i + 1))) {
                add(month_start(*y, *m), month_start(*y, *m + 1), i, 2);
            } else if (auto d = number_of(at(i + 1)); d && *d >= 1 && *d <= 31 && at(i + 1).size() <= 2) {
                int64_t y2 = year_of(at(i + 2)).value_or(static_cast<unsigned>(*m) <= cm ? static_cast<int>(cy) : static_cast<int>(cy) - 1);
                const int64_t day = days_from_civil(y2, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
                add(day * day_s, (day + 1) * day_s, i, year_of(at(i + 2)) ? 3 : 2);
            } else {
                const int64_t y2 = static_cast<unsigned>(*m) <= cm ? cy : cy - 1;
                add(month_start(y2, *m), month_start(y2, *m + 1), i, 1);
            }
        } else if (auto y = year_of(a); y && (at(i - 1) == "in" || at(i - 1) == "during" || at(i - 1) == "since")) {
            if (!month_of(at(i - 1))) add(month_start(*y, 1), month_start(*y + 1, 1), i, 1);
        }
    }
    return out;
}

}  // namespace os1::memory

namespace os1::memory {

bool parse_iso_time(std::string_view s, int64_t & out) {
    const auto num = [&](size_t pos, size_t n, int & v) {
        if (pos + n > s.size()) return false;
        v = 0;
        for (size_t i = pos; i < pos + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!num(0, 4, y) || s.size() < 10 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d)) return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    size_t p = 10;
    if (p < s.size() && (s[p] == 'T' || s[p] == ' ')) {
        if (!num(p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' || !num(p + 4, 2, mi)) return false;
        p += 6;
        if (p < s.size() && s[p] == ':') {
            if (!num(p + 1, 2, sec)) return false;
            p += 3;
            while (p < s.size() && (s[p] == '.' || std::isdigit(static_cast<unsigned char>(s[p])))) ++p;
        }
    }
    int offset_s = 0;
    if (p < s.size() && s[p] == 'Z') {
        ++p;
    } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
        int oh = 0, om = 0;
        if (!num(p + 1, 2, oh)) return false;
        size_t q = p + 3;
        if (q < s.size() && s[q] == ':') ++q;
        if (!num(q, 2, om)) return false;
        offset_s = (oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
        p = q + 2;
    }
    if (p != s.size() || h > 23 || mi > 59 || sec > 60) return false;
    out = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    return true;
}

}  // namespace os1::memory
