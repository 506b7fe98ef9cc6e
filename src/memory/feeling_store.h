// The feelings read from the person's own messages (0012).
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <string>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;
class turn_store;

class feeling_store {
public:
    feeling_store(sqlite_db & db, turn_store & turns) : db_(&db), turns_(turns) {}

    // Stores (or replaces) the reading of one of the person's own messages
    // (role user); its turn_id names it, ts is taken from the turn.
    // invalid_argument: not this person's message, valence outside -1..1,
    // arousal outside 0..1, an empty or over-long label or source.
    status put_emotion(person_id who, const emotion_reading & r);
    // Readings of messages with FROM <= ts < TO, oldest first, up to LIMIT.
    result<std::vector<emotion_reading>> emotions_between(person_id who, int64_t from, int64_t to, int limit);
    // The person's messages with no reading from SOURCE (none at all, or only
    // another source's; SOURCE "": none at all), newest first, up to LIMIT.
    result<std::vector<turn_record>> turns_without_emotion(person_id who, const std::string & source, int limit);

private:
    sqlite_db * db_;
    turn_store & turns_;
};

}  // namespace os1::memory
