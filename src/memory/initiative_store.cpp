// The initiative store (0013): what the OS may say first,
// the scheduler's decisions, and the person's own limits. Every statement
// filters on person_id, except due_initiatives, the scheduler's view of everyone.
#include "memory/initiative_store.h"

#include "base/utf8.h"
#include "memory/sqlite_db.h"

namespace os1::memory {
namespace {

const char * const initiative_columns =
    "id, kind, text, reason, importance, due_at, created_at, state, decision, COALESCE(decided_at, 0), "
    "COALESCE(delivered_at, 0), COALESCE(source_turn, 0), dedup";

initiative_record read_initiative(sqlite_stmt & st, int from = 0) {
    initiative_record r;
    r.id = st.int64(from);
    // The schema's CHECKs allow only the names kind_name and state_name give.
    r.kind = parse_initiative_kind(st.text(from + 1)).value_or(initiative_kind::follow_up);
    r.text = st.text(from + 2);
    r.reason = st.text(from + 3);
    r.importance = st.real(from + 4);
    r.due_at = st.int64(from + 5);
    r.created_at = st.int64(from + 6);
    r.state = parse_initiative_state(st.text(from + 7)).value_or(initiative_state::pending);
    r.decision = st.text(from + 8);
    r.decided_at = st.int64(from + 9);
    r.delivered_at = st.int64(from + 10);
    r.source_turn = st.int64(from + 11);
    r.dedup = st.text(from + 12);
    return r;
}

result<std::vector<initiative_record>> collect(result<sqlite_stmt> & st) {
    if (!st) return st.error();
    std::vector<initiative_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(read_initiative(*st));
    }
}

status bad(const std::string & why) { return status(status_code::invalid_argument, why); }

}  // namespace

result<int64_t> initiative_store::add_initiative(person_id who, const initiative_record & r) {
    if (r.text.empty() || r.text.size() > 2000 || !utf8_is_valid(r.text)) return bad("an initiative's text is 1 to 2000 bytes of UTF-8");
    if (r.reason.size() > 2000 || !utf8_is_valid(r.reason) || r.dedup.empty()) {
        return bad("an initiative needs a dedup key and a reason of at most 2000 bytes");
    }
    if (!(r.importance >= 0 && r.importance <= 1)) return bad("an initiative's importance is from 0 to 1");
    auto st = db_->prepare("INSERT OR IGNORE INTO initiatives (person_id, kind, text, reason, importance, due_at, created_at, state, "
                           "source_turn, dedup) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9 "
                           "WHERE ?8 IS NULL OR EXISTS (SELECT 1 FROM turns WHERE id = ?8 AND person_id = ?1)");
    if (!st) return st.error();
    st->bind(1, who).bind(2, kind_name(r.kind)).bind(3, r.text).bind(4, r.reason).bind(5, r.importance).bind(6, r.due_at);
    st->bind(7, r.created_at).bind(9, r.dedup);
    if (r.source_turn) {
        st->bind(8, r.source_turn);
    } else {
        st->bind_null(8);
    }
    if (auto s = st->run(); !s) return s;
    return db_->changes() ? db_->last_insert_id() : int64_t{0};
}

result<std::vector<due_initiative>> initiative_store::due_initiatives(int64_t now, int limit) {
    auto st = db_->prepare(std::string("SELECT person_id, (SELECT name FROM people WHERE people.id = initiatives.person_id), ") +
                           initiative_columns +
                           " FROM initiatives WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, now).bind(2, static_cast<int64_t>(limit));
    std::vector<due_initiative> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->int64(0), st->text(1), read_initiative(*st, 2)});
    }
}

status initiative_store::decide_initiative(person_id who, int64_t id, initiative_state state, const std::string & decision,
                                       int64_t decided_at, int64_t due_at) {
    auto st = db_->prepare("UPDATE initiatives SET state = ?3, decision = ?4, decided_at = ?5, due_at = ?6 "
                           "WHERE id = ?2 AND person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, state_name(state)).bind(4, decision).bind(5, decided_at).bind(6, due_at);
    if (auto s = st->run(); !s) return s;
    if (db_->changes() == 0) return status(status_code::not_found, "no initiative " + std::to_string(id));
    return status::ok();
}

status initiative_store::mark_delivered(person_id who, int64_t id, int64_t ts) {
    auto st = db_->prepare("UPDATE initiatives SET delivered_at = ?3 WHERE id = ?2 AND person_id = ?1 AND delivered_at IS NULL");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, ts);
    return st->run();
}

status initiative_store::note_initiative_said(person_id who, int64_t id, int64_t turn_id) {
    auto st = db_->prepare("UPDATE initiatives SET said_turn = ?3 WHERE id = ?2 AND person_id = ?1 "
                           "AND EXISTS (SELECT 1 FROM turns WHERE id = ?3 AND person_id = ?1)");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, turn_id);
    if (auto s = st->run(); !s) return s;
    if (db_->changes() == 0) return status(status_code::not_found, "no initiative " + std::to_string(id) + " with that turn");
    return status::ok();
}

result<std::vector<initiative_record>> initiative_store::undelivered_initiatives(person_id who) {
    auto st = db_->prepare(std::string("SELECT ") + initiative_columns +
                           " FROM initiatives WHERE person_id = ?1 AND state = 'sent' AND delivered_at IS NULL ORDER BY decided_at, id");
    if (st) st->bind(1, who);
    return collect(st);
}

result<std::vector<initiative_record>> initiative_store::initiatives(person_id who, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + initiative_columns +
                           " FROM initiatives WHERE person_id = ?1 ORDER BY id DESC LIMIT ?2");
    if (st) st->bind(1, who).bind(2, static_cast<int64_t>(limit));
    return collect(st);
}

result<int> initiative_store::initiatives_sent_since(person_id who, int64_t since) {
    auto st = db_->prepare("SELECT COUNT(*) FROM initiatives WHERE person_id = ?1 AND state = 'sent' AND decided_at >= ?2 "
                           "AND kind <> 'reminder'");
    if (!st) return st.error();
    st->bind(1, who).bind(2, since);
    if (auto row = st->step(); !row) return row.error();
    return static_cast<int>(st->int64(0));
}

result<initiative_settings> initiative_store::initiative_limits(person_id who) {
    auto st = db_->prepare("SELECT opted_out, quiet_from, quiet_to, utc_offset, daily_cap, min_importance "
                           "FROM initiative_settings WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    initiative_settings s;
    if (!*row) return s;
    s.opted_out = st->int64(0) != 0;
    s.quiet_from = static_cast<int>(st->int64(1));
    s.quiet_to = static_cast<int>(st->int64(2));
    s.utc_offset = static_cast<int>(st->int64(3));
    s.daily_cap = static_cast<int>(st->int64(4));
    s.min_importance = st->real(5);
    return s;
}

status initiative_store::set_initiative_limits(person_id who, const initiative_settings & s) {
    if (s.quiet_from < 0 || s.quiet_from >= 1440 || s.quiet_to < 0 || s.quiet_to >= 1440) {
        return bad("quiet hours are minutes after midnight, 0 to 1439");
    }
    if (s.utc_offset < -14 * 60 || s.utc_offset > 14 * 60) return bad("the UTC offset is at most 14 hours either way");
    if (s.daily_cap < 0 || s.daily_cap > 50) return bad("the daily cap is from 0 to 50");
    if (!(s.min_importance >= 0 && s.min_importance <= 1)) return bad("the least importance is from 0 to 1");
    auto st = db_->prepare("INSERT INTO initiative_settings (person_id, opted_out, quiet_from, quiet_to, utc_offset, daily_cap, "
                           "min_importance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (person_id) DO UPDATE SET "
                           "opted_out = ?2, quiet_from = ?3, quiet_to = ?4, utc_offset = ?5, daily_cap = ?6, min_importance = ?7");
    if (!st) return st.error();
    st->bind(1, who).bind(2, int64_t{s.opted_out}).bind(3, int64_t{s.quiet_from}).bind(4, int64_t{s.quiet_to});
    st->bind(5, int64_t{s.utc_offset}).bind(6, int64_t{s.daily_cap}).bind(7, s.min_importance);
    return st->run();
}

result<int64_t> initiative_store::last_message_at(person_id who) {
    auto st = db_->prepare("SELECT COALESCE(MAX(ts), 0) FROM turns WHERE person_id = ?1 AND role = 'user'");
    if (!st) return st.error();
    st->bind(1, who);
    if (auto row = st->step(); !row) return row.error();
    return st->int64(0);
}

}  // namespace os1::memory
