// The feelings read from the person's messages (0012). Every statement filters on person_id.
#include "memory/feeling_store.h"

#include <algorithm>

#include "memory/sqlite_db.h"
#include "memory/turn_store.h"

namespace os1::memory {
namespace {

status bad(const std::string & why) { return status(status_code::invalid_argument, why); }

}  // namespace

status feeling_store::put_emotion(person_id who, const emotion_reading & r) {
    if (!(r.valence >= -1 && r.valence <= 1) || !(r.arousal >= 0 && r.arousal <= 1)) {
        return bad("a reading's valence is from -1 to 1 and its arousal from 0 to 1");
    }
    if (r.label.empty() || r.label.size() > 32 || r.source.empty() || r.source.size() > 32) {
        return bad("a reading needs a label and a source of at most 32 bytes");
    }
    auto st = db_->prepare("INSERT INTO turn_emotions (turn_id, person_id, label, valence, arousal, source, ts) "
                           "SELECT id, person_id, ?3, ?4, ?5, ?6, ts FROM turns WHERE id = ?2 AND person_id = ?1 AND role = 'user' "
                           "ON CONFLICT (turn_id) DO UPDATE SET label = ?3, valence = ?4, arousal = ?5, source = ?6");
    if (!st) return st.error();
    st->bind(1, who).bind(2, r.turn_id).bind(3, r.label).bind(4, r.valence).bind(5, r.arousal).bind(6, r.source);
    if (auto s = st->run(); !s) return s;
    if (db_->changes() == 0) return bad("no message " + std::to_string(r.turn_id) + " of this person to read");
    return status::ok();
}

result<std::vector<emotion_reading>> feeling_store::emotions_between(person_id who, int64_t from, int64_t to, int limit) {
    auto st = db_->prepare("SELECT turn_id, ts, label, valence, arousal, source FROM turn_emotions "
                           "WHERE person_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts, turn_id LIMIT ?4");
    if (!st) return st.error();
    st->bind(1, who).bind(2, from).bind(3, to).bind(4, static_cast<int64_t>(limit));
    std::vector<emotion_reading> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->int64(0), st->int64(1), st->text(2), st->real(3), st->real(4), st->text(5)});
    }
}

result<std::vector<turn_record>> feeling_store::turns_without_emotion(person_id who, const std::string & source, int limit) {
    auto st = db_->prepare("SELECT t.id FROM turns t LEFT JOIN turn_emotions e ON e.turn_id = t.id "
                           "WHERE t.person_id = ?1 AND t.role = 'user' AND (e.turn_id IS NULL OR (?2 <> '' AND e.source <> ?2)) "
                           "ORDER BY t.id DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, source).bind(3, static_cast<int64_t>(limit));
    std::vector<int64_t> ids;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        ids.push_back(st->int64(0));
    }
    auto turns = turns_.turns_by_id(who, ids);
    if (!turns) return turns.error();
    std::reverse(turns->begin(), turns->end());  // newest first, as asked
    return turns;
}

}  // namespace os1::memory
