// The core profile and the texts sessions froze. Every statement filters on person_id.
#include "memory/profile_store.h"

#include <ctime>

#include "base/utf8.h"
#include "memory/sqlite_db.h"

namespace os1::memory {

result<std::string> profile_store::profile(person_id who) {
    auto st = db_->prepare("SELECT text FROM profiles WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->text(0) : std::string();
}

status profile_store::set_profile(person_id who, const std::string & text) {
    if (text.size() > limits_.max_profile_bytes) {
        return status(status_code::invalid_argument, "a core profile of " + std::to_string(text.size()) +
                                                         " bytes is over the limit of " +
                                                         std::to_string(limits_.max_profile_bytes));
    }
    if (!utf8_is_valid(text)) return status(status_code::invalid_argument, "a core profile must be valid UTF-8");
    auto st = text.empty() ? db_->prepare("DELETE FROM profiles WHERE person_id = ?1")
                           : db_->prepare("INSERT INTO profiles (person_id, text, updated_at) VALUES (?1, ?2, ?3) "
                                          "ON CONFLICT (person_id) DO UPDATE SET text = ?2, updated_at = ?3");
    if (!st) return st.error();
    st->bind(1, who);
    if (!text.empty()) st->bind(2, text).bind(3, static_cast<int64_t>(std::time(nullptr)));
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    if (auto s = st->run(); !s) return s;
    // The person's own words take effect at once, in every conversation.
    auto clear = db_->prepare("UPDATE sessions SET profile = NULL WHERE person_id = ?1");
    if (!clear) return clear.error();
    clear->bind(1, who);
    if (auto s = clear->run(); !s) return s;
    return txn.commit();
}

result<std::optional<std::string>> profile_store::session_profile(person_id who, const std::string & session) {
    return session_text(who, session, "profile");
}

status profile_store::set_session_profile(person_id who, const std::string & session, const std::string & text) {
    return set_session_text(who, session, "profile", text);
}

// COLUMN is one of the sessions table's frozen texts (profile, persona): a
// constant of this file's callers, never input.
result<std::optional<std::string>> profile_store::session_text(person_id who, const std::string & session, const char * column) {
    auto st = db_->prepare(std::string("SELECT ") + column + " FROM sessions WHERE person_id = ?1 AND key = ?2 AND " + column +
                           " IS NOT NULL");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(st->text(0));
}

status profile_store::set_session_text(person_id who, const std::string & session, const char * column, const std::string & text) {
    if (text.size() > limits_.max_session_profile_bytes || !utf8_is_valid(text)) {
        return status(status_code::invalid_argument, std::string("a session's ") + column + " must be valid UTF-8 of at most " +
                                                         std::to_string(limits_.max_session_profile_bytes) + " bytes");
    }
    auto st = db_->prepare(std::string("UPDATE sessions SET ") + column + " = ?3 WHERE person_id = ?1 AND key = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session).bind(3, text);
    return st->run();
}

result<std::optional<std::string>> profile_store::session_persona(person_id who, const std::string & session) {
    return session_text(who, session, "persona");
}

status profile_store::set_session_persona(person_id who, const std::string & session, const std::string & text) {
    return set_session_text(who, session, "persona", text);
}

}  // namespace os1::memory
