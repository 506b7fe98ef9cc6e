// Initiative: the OS may speak first. Three kinds of reason, noticed in what
// the person says:
//   - reminder: "remind me to call Mum tomorrow at 6pm" (asked for: not
//     counted in the daily cap);
//   - follow_up: "I have an interview on Friday" -> that evening, "How did it go?";
//   - check_in: a day whose messages read sad or afraid (emotion.h) -> the next
//     morning, "How are you feeling today?".
// Each becomes a pending row (memory_store::add_initiative); when it is due,
// a policy decides with the person's own limits (opt-out, quiet hours, a
// daily cap, a least importance) and how recently they wrote: send it, hold it
// until a given time, or drop it, always with the reason, which is kept.
// Times are the person's local time (their UTC offset); the clock is given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/memory_store.h"
#include "os1/status.h"

namespace os1::companion {

// The policy's numbers (0013), with their defaults. The person's own limits
// (opt-out, quiet hours, daily cap, least importance) are theirs, in the store.
struct initiative_policy {
    double reminder_importance = 0.9;         // asked for: near the top
    double follow_up_importance = 0.6;
    int follow_up_after_s = 3 * 3600;         // a follow-up this long after a named hour...
    int follow_up_evening_minute = 19 * 60;   // ...or, with no hour named, that evening (local time)
    int check_in_min_readings = 2;            // a hard day: at least this many messages
    double check_in_valence = -0.4;           // averaging this valence or lower
    double check_in_importance_base = 0.4;    // its importance: this plus half the mean's size, at most 1
    int check_in_minute = 10 * 60;            // the check-in comes the next morning at this local time
    int talking_window_s = 10 * 60;           // a message this recent: they are talking now...
    int talking_wait_s = 30 * 60;             // ...and what is due waits this long for a pause
};

// A time named in TEXT that lies after NOW ("tomorrow at 6pm", "on Friday",
// "tonight", "in 2 hours"), read in local time (UTC_OFFSET minutes east).
// CLOCK_GIVEN: whether it named an hour. nullopt when it names none.
struct future_time {
    int64_t at = 0;
    bool clock_given = false;
};
std::optional<future_time> find_future_time(std::string_view text, int64_t now, int utc_offset);

// What MESSAGE (stored as TURN_ID at NOW) asks the OS to say later: a
// reminder or a follow-up, or nothing.
std::vector<memory::initiative_record> notice_initiatives(std::string_view message, int64_t turn_id, int64_t now,
                                                          const memory::initiative_settings & s, const initiative_policy & p = {});

// A check-in for the morning after a hard day: when enough of TODAY's
// readings (the person's local day) average a low enough valence (P).
std::optional<memory::initiative_record> check_in_after(const std::vector<memory::emotion_reading> & today, int64_t now,
                                                        const memory::initiative_settings & s, const initiative_policy & p = {});

struct initiative_decision {
    memory::initiative_state state = memory::initiative_state::pending;  // pending: held until due_at
    int64_t due_at = 0;
    std::string reason;
};
// The policy. LAST_MESSAGE_AT: the person's newest message; SENT_TODAY: what
// the OS started since the person's local midnight (reminders not counted).
initiative_decision decide_initiative(const memory::initiative_record & r, const memory::initiative_settings & s, int64_t now,
                                      int64_t last_message_at, int sent_today, const initiative_policy & p = {});

// After a message of WHO: what it asks for later, and a check-in if the day
// reads hard, stored as pending initiatives. How many were added.
result<int> notice_after_message(memory::memory_store & store, memory::person_id who, const std::string & message,
                                 int64_t turn_id, int64_t now, const initiative_policy & p = {});

// The scheduler's step: every pending initiative due by NOW (up to LIMIT) is
// decided; each sent one is also stored as the OS's turn in the person's
// conversation "initiative" (so it is remembered), and returned, with its
// person's store id, for delivery. DEFAULT_NAME is the OS's name with people
// who have not named it (the operator's --default-name).
struct sent_initiative {
    memory::person_id person = 0;
    std::string name;  // the person's name in the store (the server's key for them)
    memory::initiative_record record;
};
result<std::vector<sent_initiative>> run_due_initiatives(memory::memory_store & store, int64_t now,
                                                        const std::string & default_name = "OS1", int limit = 100,
                                                        const initiative_policy & p = {});

// A time of day as "HH:MM" and back (minutes after midnight); nullopt when TEXT is not one.
std::optional<int> parse_clock(std::string_view text);
std::string clock_text(int minutes);

// The conversation (and session) the OS's own first words are stored under.
const std::string & initiative_conversation();

}  // namespace os1::companion
