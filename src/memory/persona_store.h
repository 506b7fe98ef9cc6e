// The OS's side of a relationship: its persona, versioned (0011), and the
// first-run interview that leads to it.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;

class persona_store {
public:
    persona_store(sqlite_db & db, const store_limits & limits) : db_(&db), limits_(limits) {}

    // The current persona (version 0 when there is none).
    result<persona_record> persona(person_id who);
    // Up to LIMIT versions, newest first.
    result<std::vector<persona_record>> persona_history(person_id who, int limit);
    // One version; not_found when this person has no such version (or it was let go).
    result<persona_record> persona_version(person_id who, int64_t version);
    // Stores P (its version, source and created_at are set here) as the next
    // version; versions beyond max_persona_versions go, oldest first. With
    // AT_ONCE, conversations stop using the persona they froze. invalid_argument:
    // an empty or over-long name or field, a line break in the name, a trait or
    // interest, too many of them, not UTF-8. Returns the new version.
    result<int64_t> add_persona(person_id who, const persona_record & p, bool at_once);
    result<onboarding_state> onboarding(person_id who);
    status set_onboarding(person_id who, const onboarding_state & s);

private:
    status check_persona(const persona_record & p) const;

    sqlite_db * db_;
    const store_limits & limits_;
};

}  // namespace os1::memory
