// The summary store (0009). Every statement filters on person_id.
#include "memory/summary_store.h"

#include <ctime>

#include "base/utf8.h"
#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"

namespace os1::memory {
namespace {

const char * const summary_columns =
    "m.id, COALESCE(m.session_id, 0), COALESCE((SELECT key FROM sessions WHERE id = m.session_id), ''), m.text, "
    "m.upto_turn_id, m.updated_at";

summary_record read_summary(sqlite_stmt & st, int from = 0) {
    return {st.int64(from), st.int64(from + 1), st.text(from + 2), st.text(from + 3), st.int64(from + 4), st.int64(from + 5)};
}

}  // namespace

result<summary_store::summary_due> summary_store::session_summary_due(person_id who, int min_new) {
    // Uncovered turns are counted through turns_by_session, one range per session.
    auto st = db_->prepare(std::string("SELECT d.sid, ") + summary_columns +
                           " FROM (SELECT s.id AS sid, s.ended_at AS ended, "
                           "  (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id AND t.id > "
                           "     COALESCE((SELECT upto_turn_id FROM summaries WHERE person_id = ?1 AND session_id = s.id), 0)) AS fresh "
                           "  FROM sessions s WHERE s.person_id = ?1) d "
                           "LEFT JOIN summaries m ON m.person_id = ?1 AND m.session_id = d.sid "
                           "WHERE d.fresh >= ?2 OR (d.fresh >= 2 AND (d.ended IS NOT NULL OR "
                           "  d.sid < (SELECT MAX(id) FROM sessions WHERE person_id = ?1))) "
                           "ORDER BY d.sid LIMIT 1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(min_new));
    auto row = st->step();
    if (!row) return row.error();
    summary_due out;
    if (!*row) return out;
    out.session_id = st->int64(0);
    if (!st->is_null(1)) out.previous = read_summary(*st, 1);
    return out;
}

result<summary_record> summary_store::summary(person_id who, int64_t session_id) {
    auto st = db_->prepare(std::string("SELECT ") + summary_columns +
                           " FROM summaries m WHERE m.person_id = ?1 AND COALESCE(m.session_id, 0) = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session_id);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? read_summary(*st) : summary_record{};
}

result<std::vector<summary_record>> summary_store::session_summaries(person_id who, int64_t after, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + summary_columns +
                           " FROM summaries m WHERE m.person_id = ?1 AND m.session_id IS NOT NULL AND m.upto_turn_id > ?2 "
                           "ORDER BY m.upto_turn_id DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, after).bind(3, static_cast<int64_t>(limit));
    return collect_summaries(st);
}

result<std::vector<summary_record>> summary_store::summaries_by_id(person_id who, const std::vector<int64_t> & ids) {
    auto st = db_->prepare(std::string("SELECT ") + summary_columns +
                           " FROM summaries m WHERE +m.person_id = ?1 AND m.id IN (SELECT value FROM json_each(?2)) ORDER BY m.id");
    if (!st) return st.error();
    st->bind(1, who).bind(2, json_id_array(ids));
    return collect_summaries(st);
}

result<std::vector<summary_record>> summary_store::collect_summaries(result<sqlite_stmt> & st) {
    std::vector<summary_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(read_summary(*st));
    }
}

status summary_store::put_summary(person_id who, int64_t session_id, const std::string & text, int64_t upto_turn_id) {
    if (text.empty() || text.size() > limits_.max_summary_bytes) {
        return status(status_code::invalid_argument, "a summary is 1 to " + std::to_string(limits_.max_summary_bytes) +
                                                         " bytes, not " + std::to_string(text.size()));
    }
    if (!utf8_is_valid(text)) return status(status_code::invalid_argument, "a summary must be valid UTF-8");
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    if (session_id != 0) {
        auto mine = db_->prepare("SELECT 1 FROM sessions WHERE id = ?2 AND person_id = ?1");
        if (!mine) return mine.error();
        mine->bind(1, who).bind(2, session_id);
        auto row = mine->step();
        if (!row) return row.error();
        if (!*row) return status(status_code::invalid_argument, "a summary's session must be the same person's");
    }
    // Updated in place: a conversation that froze the old text in its profile
    // keeps it (it was true when said); only forgetting clears those (0009).
    const int64_t now = std::time(nullptr);
    auto up = db_->prepare("UPDATE summaries SET text = ?3, upto_turn_id = ?4, updated_at = ?5 "
                           "WHERE person_id = ?1 AND COALESCE(session_id, 0) = ?2");
    if (!up) return up.error();
    up->bind(1, who).bind(2, session_id).bind(3, text).bind(4, upto_turn_id).bind(5, now);
    if (auto s = up->run(); !s) return s;
    if (db_->changes() == 0) {
        auto ins = db_->prepare("INSERT INTO summaries (person_id, session_id, text, upto_turn_id, updated_at) "
                                "VALUES (?1, NULLIF(?2, 0), ?3, ?4, ?5)");
        if (!ins) return ins.error();
        ins->bind(1, who).bind(2, session_id).bind(3, text).bind(4, upto_turn_id).bind(5, now);
        if (auto s = ins->run(); !s) return s;
    }
    return txn.commit();
}

result<std::vector<text_hit>> summary_store::search_summaries(person_id who, const std::vector<std::string> & terms,
                                                                            int limit) {
    return search_short(*db_, "summaries", "AND f.session_id IS NOT NULL", who, terms, limit);
}

}  // namespace os1::memory
