// The person's core profile, and the texts a session's prompts froze when it
// began (profile and persona), so that its KV state stays reusable.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <optional>
#include <string>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;

class profile_store {
public:
    profile_store(sqlite_db & db, const store_limits & limits) : db_(&db), limits_(limits) {}

    // The core profile, always in the person's prompt ("" when none); setting it
    // to "" removes it; invalid_argument over store_limits::max_profile_bytes.
    result<std::string> profile(person_id who);
    // Setting it also clears the profiles sessions froze (see session_profile).
    status set_profile(person_id who, const std::string & text);
    // The core profile a session's prompts carry, set when the session began
    // (set_session_profile) so that its KV state stays reusable; nullopt when
    // the session does not exist or its profile was cleared (a fact in it forgotten).
    result<std::optional<std::string>> session_profile(person_id who, const std::string & session);
    status set_session_profile(person_id who, const std::string & session, const std::string & text);
    // The persona text a session's prompts carry (as session_profile).
    result<std::optional<std::string>> session_persona(person_id who, const std::string & session);
    status set_session_persona(person_id who, const std::string & session, const std::string & text);

private:
    result<std::optional<std::string>> session_text(person_id who, const std::string & session, const char * column);
    status set_session_text(person_id who, const std::string & session, const char * column, const std::string & text);

    sqlite_db * db_;
    const store_limits & limits_;
};

}  // namespace os1::memory
