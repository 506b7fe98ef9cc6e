// Initiative (0013): what the OS may say first, the scheduler's decisions,
// and the person's own limits. Every statement filters on person_id, except
// due_initiatives, the scheduler's view of everyone.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <string>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;

class initiative_store {
public:
    explicit initiative_store(sqlite_db & db) : db_(&db) {}

    // Stores a pending initiative; its id, or 0 when one with its dedup exists.
    // invalid_argument: an empty or over-long text, kind or reason, importance outside 0..1.
    result<int64_t> add_initiative(person_id who, const initiative_record & r);
    // Pending initiatives due by NOW, of everyone (for the scheduler; each with
    // its person), earliest first, up to LIMIT.
    result<std::vector<due_initiative>> due_initiatives(int64_t now, int limit);
    // The scheduler's decision: STATE (pending to hold it until DUE_AT, sent or dropped) and why.
    status decide_initiative(person_id who, int64_t id, initiative_state state, const std::string & decision,
                             int64_t decided_at, int64_t due_at);
    status mark_delivered(person_id who, int64_t id, int64_t ts);
    // The OS's stored turn TURN_ID said initiative ID: forgetting its source forgets that turn too (it may quote it).
    status note_initiative_said(person_id who, int64_t id, int64_t turn_id);
    // Sent and not yet received by any client, oldest first.
    result<std::vector<initiative_record>> undelivered_initiatives(person_id who);
    // Every initiative of the person, newest first, up to LIMIT: the log.
    result<std::vector<initiative_record>> initiatives(person_id who, int limit);
    // How many the OS sent with decided_at >= SINCE, reminders asked for not counted.
    result<int> initiatives_sent_since(person_id who, int64_t since);
    result<initiative_settings> initiative_limits(person_id who);
    // invalid_argument: minutes outside 0..1439, an offset beyond ±14 h, a cap outside 0..50, importance outside 0..1.
    status set_initiative_limits(person_id who, const initiative_settings & s);
    // The time of the person's newest message (0: none).
    result<int64_t> last_message_at(person_id who);

private:
    sqlite_db * db_;
};

}  // namespace os1::memory
