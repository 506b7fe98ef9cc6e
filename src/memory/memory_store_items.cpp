// The memory_store methods behind a person's control of their memories: read,
// correct, forget, and the core profile. Every statement filters on person_id.
#include <algorithm>
#include <ctime>
#include <optional>
#include <unordered_map>

#include "base/utf8.h"
#include "memory/memory_store.h"
#include "memory/fts_vocab.h"
#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"

namespace os1::memory {

result<std::vector<turn_record>> memory_store::list_turns(person_id who, int64_t before, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND (?2 = 0 OR t.id < ?2) ORDER BY t.id DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, before).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<std::vector<turn_record>> memory_store::turns_after(person_id who, int64_t after, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND t.id > ?2 ORDER BY t.id LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, after).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<turn_record> memory_store::turn(person_id who, int64_t id) {
    auto rows = turns_by_id(who, {id});
    if (!rows) return rows.error();
    if (rows->empty()) return status(status_code::not_found, "no memory " + std::to_string(id));
    return std::move(rows->front());
}

result<std::vector<turn_record>> memory_store::session_tail(person_id who, const std::string & session, int limit) {
    auto st = db_->prepare(std::string("SELECT * FROM (SELECT ") + turn_columns +
                           " FROM turns t JOIN sessions s ON s.id = t.session_id "
                           "WHERE t.person_id = ?1 AND s.person_id = ?1 AND s.key = ?2 ORDER BY t.id DESC LIMIT ?3) ORDER BY 1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<std::vector<session_record>> memory_store::sessions(person_id who) {
    auto st = db_->prepare("SELECT id, key, conversation, started_at, COALESCE(ended_at, 0), COALESCE(profile, '') "
                           "FROM sessions WHERE person_id = ?1 ORDER BY id");
    if (!st) return st.error();
    st->bind(1, who);
    std::vector<session_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->int64(0), st->text(1), st->text(2), st->int64(3), st->int64(4), st->text(5)});
    }
}

// The conversations whose prompts held turn ID: its own, and those of the turns
// whose recalled blocks quoted it.
result<std::vector<std::string>> memory_store::conversations_quoting(person_id who, int64_t id) {
    auto st = db_->prepare(
        "SELECT DISTINCT s.conversation FROM sessions s JOIN turns t ON t.session_id = s.id "
        "WHERE t.person_id = ?1 AND s.conversation <> '' AND (t.id = ?2 OR t.id IN "
        "(SELECT turn_id FROM turn_citations WHERE person_id = ?1 AND cited_id = ?2)) "
        // A frozen core profile may hold the person's summary, read from the turn (0009).
        "UNION SELECT conversation FROM sessions WHERE person_id = ?1 AND conversation <> '' AND profile <> '' ORDER BY 1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id);
    auto out = collect_texts(st);
    if (!out) return out;
    // The facts made from the turn go with it (0006's triggers), and so do the prompts that held them.
    // One row always (an aggregate): "[]" when no fact came from the turn.
    auto made = db_->prepare("SELECT json_group_array(fact_id) FROM fact_sources WHERE person_id = ?1 AND turn_id = ?2");
    if (!made) return made.error();
    made->bind(1, who).bind(2, id);
    auto facts = collect_texts(made);
    if (!facts) return facts.error();
    auto more = conversations_quoting_facts(who, parse_id_array(facts->front()));
    if (!more) return more.error();
    out->insert(out->end(), more->begin(), more->end());
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
    return out;
}

result<std::vector<std::string>> memory_store::edit_turn(person_id who, int64_t id, const std::string & text) {
    if (auto st = check_text(text); !st) return st;
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto affected = conversations_quoting(who, id);
    if (!affected) return affected.error();
    auto st = db_->prepare("UPDATE turns SET text = ?3 WHERE person_id = ?1 AND id = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, text);
    if (auto s = st->run(); !s) return s;
    if (db_->changes() == 0) return status(status_code::not_found, "no memory " + std::to_string(id));
    if (auto s = txn.commit(); !s) return s;
    vectors_.erase(who);  // the old words' vector was removed (0010)
    return affected;
}

result<std::vector<std::string>> memory_store::forget_turn(person_id who, int64_t id) {
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    // What the OS said first quoting it (a follow-up holds the person's words) goes with it.
    auto quoted = db_->prepare("SELECT said_turn FROM initiatives WHERE person_id = ?1 AND source_turn = ?2 AND said_turn IS NOT NULL");
    if (!quoted) return quoted.error();
    quoted->bind(1, who).bind(2, id);
    std::vector<int64_t> ids;
    for (;;) {
        auto row = quoted->step();
        if (!row) return row.error();
        if (!*row) break;
        ids.push_back(quoted->int64(0));
    }
    ids.push_back(id);  // last: its "not found" is the caller's answer
    std::vector<std::string> affected;
    for (const int64_t t : ids) {
        auto quoting = conversations_quoting(who, t);
        if (!quoting) return quoting.error();
        affected.insert(affected.end(), quoting->begin(), quoting->end());
        // The triggers take it out of the index and clear the blocks that quoted it.
        auto st = db_->prepare("DELETE FROM turns WHERE person_id = ?1 AND id = ?2");
        if (!st) return st.error();
        st->bind(1, who).bind(2, t);
        if (auto s = st->run(); !s) return s;
    }
    if (db_->changes() == 0) return status(status_code::not_found, "no memory " + std::to_string(id));
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
    turn_counts_.erase(who);
    if (auto s = txn.commit(); !s) return s;
    vectors_.erase(who);
    return affected;
}

result<std::string> memory_store::profile(person_id who) {
    auto st = db_->prepare("SELECT text FROM profiles WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->text(0) : std::string();
}

status memory_store::set_profile(person_id who, const std::string & text) {
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

result<std::optional<std::string>> memory_store::session_profile(person_id who, const std::string & session) {
    return session_text(who, session, "profile");
}

status memory_store::set_session_profile(person_id who, const std::string & session, const std::string & text) {
    return set_session_text(who, session, "profile", text);
}

// COLUMN is one of the sessions table's frozen texts (profile, persona): a
// constant of this file's callers, never input.
result<std::optional<std::string>> memory_store::session_text(person_id who, const std::string & session, const char * column) {
    auto st = db_->prepare(std::string("SELECT ") + column + " FROM sessions WHERE person_id = ?1 AND key = ?2 AND " + column +
                           " IS NOT NULL");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(st->text(0));
}

status memory_store::set_session_text(person_id who, const std::string & session, const char * column, const std::string & text) {
    if (text.size() > limits_.max_session_profile_bytes || !utf8_is_valid(text)) {
        return status(status_code::invalid_argument, std::string("a session's ") + column + " must be valid UTF-8 of at most " +
                                                         std::to_string(limits_.max_session_profile_bytes) + " bytes");
    }
    auto st = db_->prepare(std::string("UPDATE sessions SET ") + column + " = ?3 WHERE person_id = ?1 AND key = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session).bind(3, text);
    return st->run();
}

status memory_store::open_vocab() {
    if (vocab_) return status::ok();
    auto v = fts_vocab::create(*db_);
    if (!v) return v.error();
    vocab_ = std::move(*v);
    return status::ok();
}

result<std::vector<int64_t>> memory_store::word_frequencies(person_id who, const std::vector<std::string> & words) {
    if (auto st = open_vocab(); !st) return st;
    auto size = indexed_turns_estimate();
    if (!size) return size.error();
    std::vector<int64_t> out;
    for (const auto & w : words) {
        auto n = vocab_->turns_with(who, w, *size);
        if (!n) return n.error();
        out.push_back(*n);
    }
    return out;
}

// The largest id: deleted turns count too, which is close enough for a size.
result<int64_t> memory_store::indexed_turns_estimate() {
    auto st = db_->prepare("SELECT COALESCE(MAX(id), 0) FROM turns");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->int64(0);
}

result<int64_t> memory_store::person_turns_estimate(person_id who) {
    if (auto it = turn_counts_.find(who); it != turn_counts_.end()) return it->second;
    auto n = count_turns(who);
    if (!n) return n.error();
    turn_counts_[who] = *n;
    return *n;
}

result<bool> memory_store::turns_unchanged(person_id who, const std::vector<turn_record> & seen) {
    std::vector<int64_t> ids;
    for (const auto & t : seen) ids.push_back(t.id);
    auto now = turns_by_id(who, ids);
    if (!now) return now.error();
    if (now->size() != seen.size()) return false;
    std::unordered_map<int64_t, const std::string *> text;
    for (const auto & t : *now) text[t.id] = &t.text;
    for (const auto & t : seen) {
        auto it = text.find(t.id);
        if (it == text.end() || *it->second != t.text) return false;
    }
    return true;
}

result<std::vector<std::string>> memory_store::people() {
    auto st = db_->prepare("SELECT name FROM people ORDER BY name");
    return collect_texts(st);
}

}  // namespace os1::memory
