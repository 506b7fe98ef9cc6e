#include "companion/initiative.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "base/utf8.h"
#include "companion/turn_memory.h"

namespace os1::companion {
namespace {

constexpr int64_t day_s = 86400;

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> out;
    std::string w;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == ':' || c == '\'') {
            w += static_cast<char>(std::tolower(u));
        } else if (!w.empty()) {
            out.push_back(std::move(w));
            w.clear();
        }
    }
    if (!w.empty()) out.push_back(std::move(w));
    return out;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// The local day's start (as a UTC instant) of the instant T.
int64_t local_midnight(int64_t t, int utc_offset) {
    const int64_t off = int64_t{utc_offset} * 60;
    return floor_div(t + off, day_s) * day_s - off;
}

int minute_of_day(int64_t t, int utc_offset) { return static_cast<int>((t - local_midnight(t, utc_offset)) / 60); }

std::optional<int> weekday_of(const std::string & w) {  // 0 = Monday
    static const char * const names[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    for (int i = 0; i < 7; ++i) {
        if (w == names[i]) return i;
    }
    return std::nullopt;
}

std::optional<int> small_number(const std::string & w) {
    static const char * const names[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    for (int i = 0; i <= 10; ++i) {
        if (w == names[i]) return i;
    }
    if (w == "a" || w == "an") return 1;
    if (!w.empty() && w.size() <= 3 && std::all_of(w.begin(), w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        return std::stoi(w);
    }
    return std::nullopt;
}

// "6pm", "6", "18:30", "6:30pm", or "6" followed by "pm": minutes after midnight.
std::optional<int> clock_time(const std::string & w, const std::string & next) {
    std::string s = w;
    std::string suffix;
    for (const char * x : {"am", "pm"}) {
        if (s.size() > 2 && s.compare(s.size() - 2, 2, x) == 0) {
            suffix = x;
            s.resize(s.size() - 2);
        }
    }
    if (suffix.empty() && (next == "am" || next == "pm")) suffix = next;
    int h = 0, m = 0;
    const size_t colon = s.find(':');
    const auto digits = [](const std::string & d) {
        return !d.empty() && d.size() <= 2 && std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    };
    if (colon == std::string::npos) {
        if (!digits(s)) return std::nullopt;
        h = std::stoi(s);
    } else {
        if (!digits(s.substr(0, colon)) || s.size() - colon - 1 != 2 || !digits(s.substr(colon + 1))) return std::nullopt;
        h = std::stoi(s.substr(0, colon));
        m = std::stoi(s.substr(colon + 1));
    }
    if (suffix.empty() && colon == std::string::npos) return std::nullopt;  // a bare number is not a time
    if (!suffix.empty() && (h < 1 || h > 12)) return std::nullopt;
    if (suffix == "pm" && h != 12) h += 12;
    if (suffix == "am" && h == 12) h = 0;
    if (h > 23 || m > 59) return std::nullopt;
    return h * 60 + m;
}

std::string short_quote(std::string_view message) {
    std::string q(utf8_prefix(message, 160));
    if (q.size() < message.size()) q += "...";
    for (char & c : q) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return q;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char & c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// What MESSAGE says after PHRASE (matched without case), as written, trimmed in front.
std::string said_after(std::string_view message, const char * phrase) {
    const std::string low = lowered(message);
    const size_t at = low.find(phrase);
    if (at == std::string::npos) return {};
    std::string rest(message.substr(at + std::string_view(phrase).size()));
    const size_t first = rest.find_first_not_of(" \t\n\r,:");
    return first == std::string::npos ? std::string() : short_quote(rest.substr(first));
}


bool in_quiet_hours(int minute, const memory::initiative_settings & s) {
    if (s.quiet_from == s.quiet_to) return false;
    return s.quiet_from < s.quiet_to ? minute >= s.quiet_from && minute < s.quiet_to
                                     : minute >= s.quiet_from || minute < s.quiet_to;
}

// The next instant at local minute MINUTE after T.
int64_t next_local_minute(int64_t t, int minute, int utc_offset) {
    int64_t at = local_midnight(t, utc_offset) + int64_t{minute} * 60;
    if (at <= t) at += day_s;
    return at;
}

}  // namespace

std::optional<int> parse_clock(std::string_view text) {
    int h = 0, m = 0;
    char tail = 0;
    const std::string t(text);
    if (t.size() != 5 || t[2] != ':' || std::sscanf(t.c_str(), "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 ||
        m > 59) {
        return std::nullopt;
    }
    return h * 60 + m;
}

std::string clock_text(int minutes) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60 % 24, minutes % 60);
    return buf;
}

const std::string & initiative_conversation() {
    static const std::string id = "initiative";
    return id;
}

std::optional<future_time> find_future_time(std::string_view text, int64_t now, int utc_offset) {
    const auto w = words_of(text);
    const auto at = [&](size_t i) -> std::string { return i < w.size() ? w[i] : std::string(); };
    const int64_t today = local_midnight(now, utc_offset);
    std::optional<int64_t> day;   // a local midnight
    std::optional<int> minute;    // of that day
    std::optional<int64_t> exact;  // "in 2 hours"
    int default_minute = 12 * 60;
    for (size_t i = 0; i < w.size(); ++i) {
        const std::string & a = w[i];
        if (a == "yesterday" || a == "ago" || a == "last") return std::nullopt;  // the past: nothing to say later
        if (a == "tomorrow") {
            day = today + day_s;
        } else if (a == "tonight") {
            day = today;
            default_minute = 20 * 60;
        } else if (a == "today") {
            day = today;
        } else if (auto wd = weekday_of(a)) {
            const int64_t days_since_epoch = floor_div(today + int64_t{utc_offset} * 60, day_s);
            const int wd_today = static_cast<int>(((days_since_epoch % 7) + 7 + 3) % 7);  // 1970-01-01: a Thursday
            int ahead = (*wd - wd_today + 7) % 7;
            if (ahead == 0) ahead = 7;
            day = today + ahead * day_s;
        } else if (a == "in" && i + 2 < w.size()) {
            if (auto n = small_number(w[i + 1]); n && *n > 0) {
                const std::string & u = w[i + 2];
                if (u == "second" || u == "seconds" || u == "sec" || u == "secs") exact = now + int64_t{*n};
                if (u == "minute" || u == "minutes" || u == "min" || u == "mins") exact = now + int64_t{*n} * 60;
                if (u == "hour" || u == "hours") exact = now + int64_t{*n} * 3600;
                if (u == "day" || u == "days") day = today + int64_t{*n} * day_s;
                if (u == "week" || u == "weeks") day = today + int64_t{*n} * 7 * day_s;
            }
        } else if (a == "morning" && !minute) {
            default_minute = 9 * 60;
        } else if (a == "afternoon" && !minute) {
            default_minute = 15 * 60;
        } else if ((a == "evening" || a == "night") && !minute) {
            default_minute = 19 * 60;
        }
        if (a == "at" || a == "by" || a == "around") {
            if (auto m = clock_time(at(i + 1), at(i + 2))) minute = *m;
        } else if (auto m = clock_time(a, at(i + 1)); m && a.find_first_of("apm:") != std::string::npos) {
            minute = *m;  // "6pm", "18:30" without "at"
        }
    }
    if (exact) return future_time{*exact, true};
    if (!day && !minute) return std::nullopt;
    const bool clock_given = minute.has_value();
    const int m = minute.value_or(default_minute);
    int64_t t = day ? *day + int64_t{m} * 60 : today + int64_t{m} * 60;
    if (!day && t <= now) t += day_s;  // "at 6pm" after six: tomorrow's
    if (t <= now) return std::nullopt;  // "today" at noon, said in the evening
    return future_time{t, clock_given};
}

std::vector<memory::initiative_record> notice_initiatives(std::string_view message, int64_t turn_id, int64_t now,
                                                          const memory::initiative_settings & s, const initiative_policy & p) {
    std::vector<memory::initiative_record> out;
    const auto w = words_of(message);
    std::string lower;
    for (const auto & x : w) lower += " " + x;
    lower += " ";
    const auto when = find_future_time(message, now, s.utc_offset);
    if (!when) return out;
    memory::initiative_record r;
    r.created_at = now;
    r.source_turn = turn_id;
    const size_t remind = lower.find(" remind me ");
    if (remind != std::string::npos) {
        // "remind me to call Mum tomorrow": the words after "to"/"about", as said.
        std::string what = said_after(message, "remind me");
        for (const char * lead : {"to ", "about ", "that "}) {
            if (lowered(what).rfind(lead, 0) == 0) what = what.substr(std::string(lead).size());
        }
        while (!what.empty() && std::string_view(" .!?,;\n\r\t").find(what.back()) != std::string_view::npos) what.pop_back();
        if (what.empty()) return out;
        r.kind = memory::initiative_kind::reminder;
        r.text = "You asked me to remind you: " + what + ".";
        r.reason = "the person asked: \"" + short_quote(message) + "\"";
        r.importance = p.reminder_importance;
        r.due_at = when->at;
        r.dedup = "reminder:" + std::to_string(turn_id);
        out.push_back(std::move(r));
        return out;
    }
    // Something of theirs ahead: "I have an interview on Friday", "my exam is tomorrow".
    bool theirs = false;
    for (const char * phrase : {" i have ", " i've got ", " i have got ", " i'm going ", " i am going ", " i will ", " i'll ",
                           " my ", " i'm meeting ", " i am meeting ", " i'm seeing ", " i am seeing ", " we have ", " we're "}) {
        theirs = theirs || lower.find(phrase) != std::string::npos;
    }
    if (!theirs) return out;
    r.kind = memory::initiative_kind::follow_up;
    r.text = "You told me: \"" + short_quote(message) + "\" How did it go?";
    r.reason = "a follow-up on what they said they would do";
    r.importance = p.follow_up_importance;
    // After it: some hours after a named hour, else the evening of that day.
    const int64_t day = local_midnight(when->at, s.utc_offset);
    r.due_at = when->clock_given ? when->at + p.follow_up_after_s
                                 : std::max(when->at, day + int64_t{p.follow_up_evening_minute} * 60);
    r.dedup = "follow_up:" + std::to_string(turn_id);
    out.push_back(std::move(r));
    return out;
}

std::optional<memory::initiative_record> check_in_after(const std::vector<memory::emotion_reading> & today, int64_t now,
                                                        const memory::initiative_settings & s, const initiative_policy & p) {
    if (today.size() < static_cast<size_t>(std::max(1, p.check_in_min_readings))) return std::nullopt;
    double sum = 0;
    for (const auto & r : today) sum += r.valence;
    const double mean = sum / static_cast<double>(today.size());
    if (mean > p.check_in_valence) return std::nullopt;
    memory::initiative_record r;
    r.kind = memory::initiative_kind::check_in;
    r.text = "Yesterday sounded hard. How are you feeling today?";
    char why[96];
    std::snprintf(why, sizeof why, "a hard day: %zu messages read with a mean valence of %.1f", today.size(), mean);
    r.reason = why;
    r.importance = std::min(1.0, p.check_in_importance_base + std::abs(mean) / 2);
    const int64_t midnight = local_midnight(now, s.utc_offset);
    r.due_at = midnight + day_s + int64_t{p.check_in_minute} * 60;  // the next morning
    r.created_at = now;
    const int64_t local_day = floor_div(midnight + int64_t{s.utc_offset} * 60, day_s);
    r.dedup = "check_in:" + std::to_string(local_day);
    return r;
}

initiative_decision decide_initiative(const memory::initiative_record & r, const memory::initiative_settings & s, int64_t now,
                                      int64_t last_message_at, int sent_today, const initiative_policy & p) {
    char buf[160];
    if (s.opted_out && r.kind != memory::initiative_kind::reminder) return {memory::initiative_state::dropped, r.due_at, "the person has opted out of the OS speaking first"};
    if (r.importance < s.min_importance) {
        std::snprintf(buf, sizeof buf, "importance %.2f is below the person's least importance %.2f", r.importance, s.min_importance);
        return {memory::initiative_state::dropped, r.due_at, buf};
    }
    if (r.kind == memory::initiative_kind::check_in && last_message_at > r.created_at) return {memory::initiative_state::dropped, r.due_at, "they have talked since: no need to check in"};
    const int minute = minute_of_day(now, s.utc_offset);
    if (r.kind != memory::initiative_kind::reminder && in_quiet_hours(minute, s)) {  // a reminder comes when it was asked for
        return {memory::initiative_state::pending, next_local_minute(now, s.quiet_to, s.utc_offset), "quiet hours until " + clock_text(s.quiet_to)};
    }
    if (r.kind != memory::initiative_kind::reminder && sent_today >= s.daily_cap) {
        const int64_t tomorrow = local_midnight(now, s.utc_offset) + day_s + int64_t{s.quiet_to} * 60;
        return {memory::initiative_state::pending, tomorrow, "the daily cap of " + std::to_string(s.daily_cap) + " is reached; tomorrow"};
    }
    if (r.kind != memory::initiative_kind::reminder && last_message_at > now - p.talking_window_s) {
        return {memory::initiative_state::pending, now + p.talking_wait_s, "they are talking now: it waits for a pause"};
    }
    std::snprintf(buf, sizeof buf, "due; importance %.2f; their last message %lld min ago", r.importance,
                  static_cast<long long>(last_message_at > 0 ? (now - last_message_at) / 60 : -1));
    return {memory::initiative_state::sent, r.due_at, buf};
}

result<int> notice_after_message(memory::memory_store & store, memory::person_id who, const std::string & message,
                                 int64_t turn_id, int64_t now, const initiative_policy & p) {
    auto limits = store.initiatives().initiative_limits(who);
    if (!limits) return limits.error();
    int added = 0;
    for (const auto & r : notice_initiatives(message, turn_id, now, *limits, p)) {
        auto id = store.initiatives().add_initiative(who, r);
        if (!id) return id.error();
        added += *id > 0;
    }
    const int64_t midnight = local_midnight(now, limits->utc_offset);
    auto today = store.feelings().emotions_between(who, midnight, midnight + day_s, 1000);
    if (!today) return today.error();
    if (auto r = check_in_after(*today, now, *limits, p)) {
        auto id = store.initiatives().add_initiative(who, *r);  // once a day (dedup)
        if (!id) return id.error();
        added += *id > 0;
    }
    return added;
}

result<std::vector<sent_initiative>> run_due_initiatives(memory::memory_store & store, int64_t now,
                                                        const std::string & default_name, int limit,
                                                        const initiative_policy & p) {
    auto due = store.initiatives().due_initiatives(now, limit);
    if (!due) return due.error();
    std::vector<sent_initiative> out;
    for (auto & [who, name_of_person, r] : *due) {
        auto limits = store.initiatives().initiative_limits(who);
        if (!limits) return limits.error();
        auto last = store.initiatives().last_message_at(who);
        if (!last) return last.error();
        auto sent = store.initiatives().initiatives_sent_since(who, local_midnight(now, limits->utc_offset));
        if (!sent) return sent.error();
        const auto d = decide_initiative(r, *limits, now, *last, *sent, p);
        // The decision, the words and the mark that they were said: all or none.
        memory::memory_store::transaction txn(store);
        if (!txn.begun()) return txn.begun();
        if (auto st = store.initiatives().decide_initiative(who, r.id, d.state, d.reason, now, d.due_at); !st) return st;
        if (d.state != memory::initiative_state::sent) {
            if (auto st = txn.commit(); !st) return st;
            continue;
        }
        // Remembered as the OS's own words, like any reply, under the name it has with them.
        auto persona = store.personas().persona(who);
        if (!persona) return persona.error();
        const std::string name = persona->version ? persona->name : default_name;
        turn_context c{"", initiative_conversation(), "", name, now, ""};
        auto said = store.turns().add_turn(who, turn_of(c, role::assistant, name, r.text));
        if (!said) return said.error();
        if (auto st = store.initiatives().note_initiative_said(who, r.id, *said); !st) return st;
        if (auto st = txn.commit(); !st) return st;
        r.state = d.state;
        r.decision = d.reason;
        r.decided_at = now;
        out.push_back({who, name_of_person, r});
    }
    return out;
}

}  // namespace os1::companion
