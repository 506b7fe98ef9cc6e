// A person's turns and sessions: stored, searched, read, corrected, forgotten.
// Every statement filters on person_id.
#include "memory/turn_store.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>
#include <unordered_map>

#include "base/utf8.h"
#include "memory/fact_store.h"
#include "memory/fts_vocab.h"
#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"
#include "memory/turn_briefs.h"
#include "memory/vector_store.h"

namespace os1::memory {

turn_store::turn_store(sqlite_db & db, const store_limits & limits, turn_briefs & briefs, fact_store & facts, vector_store & vectors)
    : db_(&db), limits_(limits), briefs_(&briefs), facts_(facts), vectors_(vectors) {}

turn_store::~turn_store() = default;

void turn_store::forget_cached(person_id who) {
    turn_counts_.erase(who);
    speaker_stems_.erase(who);
}

void turn_store::forget_all_cached() {
    turn_counts_.clear();
    speaker_stems_.clear();
}

result<std::vector<turn_record>> turn_store::list_turns(person_id who, int64_t before, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND (?2 = 0 OR t.id < ?2) ORDER BY t.id DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, before).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<std::vector<turn_record>> turn_store::turns_after(person_id who, int64_t after, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND t.id > ?2 ORDER BY t.id LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, after).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<turn_record> turn_store::turn(person_id who, int64_t id) {
    auto rows = turns_by_id(who, {id});
    if (!rows) return rows.error();
    if (rows->empty()) return status(status_code::not_found, "no memory " + std::to_string(id));
    return std::move(rows->front());
}

result<std::vector<turn_record>> turn_store::session_tail(person_id who, const std::string & session, int limit) {
    auto st = db_->prepare(std::string("SELECT * FROM (SELECT ") + turn_columns +
                           " FROM turns t JOIN sessions s ON s.id = t.session_id "
                           "WHERE t.person_id = ?1 AND s.person_id = ?1 AND s.key = ?2 ORDER BY t.id DESC LIMIT ?3) ORDER BY 1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<std::vector<session_record>> turn_store::sessions(person_id who) {
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

result<std::vector<conversation_brief>> turn_store::conversations(person_id who, int limit) {
    auto st = db_->prepare(
        "SELECT s.conversation, COUNT(t.id), MIN(t.ts), MAX(t.ts), "
        "(SELECT t2.text FROM turns t2 JOIN sessions s2 ON s2.id = t2.session_id WHERE t2.person_id = ?1 "
        "AND s2.person_id = ?1 AND s2.conversation = s.conversation ORDER BY t2.id DESC LIMIT 1) "
        "FROM sessions s JOIN turns t ON t.session_id = s.id WHERE s.person_id = ?1 AND t.person_id = ?1 "
        "AND s.conversation <> '' GROUP BY s.conversation ORDER BY MAX(t.id) DESC LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(limit));
    std::vector<conversation_brief> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->text(0), st->int64(1), st->int64(2), st->int64(3), st->text(4)});
    }
}

result<std::vector<turn_record>> turn_store::conversation_tail(person_id who, const std::string & id, int limit) {
    auto st = db_->prepare(std::string("SELECT * FROM (SELECT ") + turn_columns +
                           " FROM turns t JOIN sessions s ON s.id = t.session_id "
                           "WHERE t.person_id = ?1 AND s.person_id = ?1 AND s.conversation = ?2 ORDER BY t.id DESC LIMIT ?3) "
                           "ORDER BY 1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, static_cast<int64_t>(limit));
    return collect_turns(st);
}

// The conversations whose prompts held turn ID: its own, and those of the turns
// whose recalled blocks quoted it.
result<std::vector<std::string>> turn_store::conversations_quoting(person_id who, int64_t id) {
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
    auto more = facts_.conversations_quoting_facts(who, parse_id_array(facts->front()));
    if (!more) return more.error();
    out->insert(out->end(), more->begin(), more->end());
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
    return out;
}

result<std::vector<std::string>> turn_store::edit_turn(person_id who, int64_t id, const std::string & text) {
    if (auto st = check_turn_text(text); !st) return st;
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
    vectors_.forget_cached(who);  // the old words' vector was removed (0010)
    return affected;
}

result<std::vector<std::string>> turn_store::forget_turn(person_id who, int64_t id) {
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
    vectors_.forget_cached(who);
    return affected;
}

status turn_store::open_vocab() {
    if (vocab_) return status::ok();
    auto v = fts_vocab::create(*db_);
    if (!v) return v.error();
    vocab_ = std::move(*v);
    return status::ok();
}

result<std::vector<int64_t>> turn_store::word_frequencies(person_id who, const std::vector<std::string> & words) {
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
result<int64_t> turn_store::indexed_turns_estimate() {
    auto st = db_->prepare("SELECT COALESCE(MAX(id), 0) FROM turns");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->int64(0);
}

result<int64_t> turn_store::person_turns_estimate(person_id who) {
    if (auto it = turn_counts_.find(who); it != turn_counts_.end()) return it->second;
    auto n = count_turns(who);
    if (!n) return n.error();
    turn_counts_[who] = *n;
    return *n;
}

result<bool> turn_store::turns_unchanged(person_id who, const std::vector<turn_record> & seen) {
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

result<int64_t> turn_store::session_id(person_id who, const new_turn & t) {
    auto find = db_->prepare("SELECT id FROM sessions WHERE person_id = ?1 AND key = ?2");
    if (!find) return find.error();
    find->bind(1, who).bind(2, t.session);
    auto row = find->step();
    if (!row) return row.error();
    if (*row) return find->int64(0);
    auto ins = db_->prepare("INSERT INTO sessions (person_id, key, conversation, started_at) VALUES (?1, ?2, ?3, ?4)");
    if (!ins) return ins.error();
    ins->bind(1, who).bind(2, t.session).bind(3, t.conversation).bind(4, t.ts);
    if (auto st = ins->run(); !st) return st;
    return db_->last_insert_id();
}

status turn_store::check_turn_text(const std::string & text) const {
    if (text.empty()) return status(status_code::invalid_argument, "a turn needs some text");
    if (text.size() > limits_.max_turn_bytes) {
        return status(status_code::invalid_argument, "a turn of " + std::to_string(text.size()) +
                                                         " bytes is over the limit of " +
                                                         std::to_string(limits_.max_turn_bytes));
    }
    if (!utf8_is_valid(text)) return status(status_code::invalid_argument, "a turn must be valid UTF-8");
    return status::ok();
}

status turn_store::check_turn(const new_turn & t) const {
    if (auto st = check_turn_text(t.text); !st) return st;
    if (t.recalled.size() > limits_.max_turn_bytes) {
        return status(status_code::invalid_argument, "a recalled block over " + std::to_string(limits_.max_turn_bytes) + " bytes");
    }
    for (const std::string * s : {&t.speaker, &t.session, &t.ext_id, &t.conversation, &t.recalled}) {
        if (!utf8_is_valid(*s)) return status(status_code::invalid_argument, "a turn must be valid UTF-8");
    }
    if (t.speaker.size() > limits_.max_name_bytes || t.session.size() > limits_.max_name_bytes ||
        t.ext_id.size() > limits_.max_name_bytes) {
        return status(status_code::invalid_argument, "a turn's speaker, session and id must each be at most " +
                                                         std::to_string(limits_.max_name_bytes) + " bytes");
    }
    return status::ok();
}

result<int64_t> turn_store::add_turn(person_id who, const new_turn & t) {
    if (auto st = check_turn(t); !st) return st;
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto id = insert_turn(who, t);
    if (!id) return id.error();  // rolled back: the caches forget it
    if (auto st = txn.commit(); !st) return st;
    return id;
}

status turn_store::add_turns(person_id who, const std::vector<new_turn> & turns) {
    for (const auto & t : turns) {
        if (auto st = check_turn(t); !st) return st;
    }
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    for (const auto & t : turns) {
        if (auto id = insert_turn(who, t); !id) return id.error();
    }
    return txn.commit();
}

// Inside the caller's transaction.
result<int64_t> turn_store::insert_turn(person_id who, const new_turn & t) {
    if (auto it = turn_counts_.find(who); it != turn_counts_.end()) ++it->second;
    if (auto it = speaker_stems_.find(who); it != speaker_stems_.end() && vocab_) {
        for (auto & s : vocab_->stems(t.speaker)) it->second.insert(std::move(s));
    }
    auto sid = session_id(who, t);
    if (!sid) return sid.error();
    auto ins = db_->prepare("INSERT INTO turns (person_id, session_id, ext_id, ts, speaker, role, text, recalled) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!ins) return ins.error();
    ins->bind(1, who).bind(2, *sid).bind(4, t.ts).bind(5, t.speaker).bind(6, role_name(t.role)).bind(7, t.text);
    if (t.recalled.empty()) {
        ins->bind_null(8);
    } else {
        ins->bind(8, t.recalled);
    }
    if (t.ext_id.empty()) {
        ins->bind_null(3);
    } else {
        ins->bind(3, t.ext_id);
    }
    if (auto st = ins->run(); !st) {
        if (st.code() == status_code::invalid_argument) {
            return status(status_code::invalid_argument, "turn id '" + t.ext_id + "' is already stored");
        }
        return st;
    }
    const int64_t id = db_->last_insert_id();
    if (!t.cited.empty()) {
        // Only this person's turns can be cited: the ids are checked against person_id.
        auto cite = db_->prepare("INSERT OR IGNORE INTO turn_citations (person_id, turn_id, cited_id) "
                                 "SELECT ?1, ?2, id FROM turns WHERE person_id = ?1 AND id IN (SELECT value FROM json_each(?3))");
        if (!cite) return cite.error();
        cite->bind(1, who).bind(2, id).bind(3, json_id_array(t.cited));
        if (auto st = cite->run(); !st) return st;
    }
    if (!t.cited_facts.empty()) {
        auto cite = db_->prepare("INSERT OR IGNORE INTO fact_citations (person_id, turn_id, fact_id) "
                                 "SELECT ?1, ?2, id FROM facts WHERE person_id = ?1 AND id IN (SELECT value FROM json_each(?3))");
        if (!cite) return cite.error();
        cite->bind(1, who).bind(2, id).bind(3, json_id_array(t.cited_facts));
        if (auto st = cite->run(); !st) return st;
    }
    return id;
}

status turn_store::end_session(person_id who, const std::string & session, int64_t ts) {
    auto st = db_->prepare("UPDATE sessions SET ended_at = ?3 WHERE person_id = ?1 AND key = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session).bind(3, ts);
    return st->run();
}

// Each searched word's number of turns, "n1,n2,...", when recall has just
// counted them all (keep_affordable, a long life): os1_bm25 need not count
// them again. The counts are the text's (fts5vocab), up to a tenth of the index
// old; FTS5 would count text and speaker, as of now: a near IDF. Else "".
std::string turn_store::known_hits(person_id who, const std::vector<std::string> & terms) {
    if (!vocab_) return "";
    auto size = indexed_turns_estimate();
    if (!size) return "";
    std::string out;
    for (const auto & t : terms) {
        if (fts_query(who, {t}).empty()) continue;  // not a phrase of the query
        auto n = vocab_->known_turns_with(who, t, *size);
        if (!n) return "";
        out += (out.empty() ? "" : ",") + std::to_string(*n);
    }
    return out;
}

result<std::vector<text_hit>> turn_store::search_turns(person_id who, const std::vector<std::string> & terms,
                                                                        int limit, int64_t min_turn_id, bool coordinated) {
    const std::string words = fts_query(who, terms);
    if (words.empty()) return std::vector<text_hit>{};
    // The words are this person's own postings (person_tokenizer.h); each hit's
    // owner is checked again against the person's turns held in memory, which
    // costs no row reads. The speaker weighs less than the words.
    const std::string q = "{text speaker} : (" + words + ")";
    auto st = db_->prepare(std::string("SELECT rowid, os1_bm25(turns_fts, ?4, 1.0, 0.3)") + (coordinated ? " * os1_matched(turns_fts)" : "") +
                           " AS s, os1_matched(turns_fts) FROM turns_fts WHERE turns_fts MATCH ?1 AND rowid >= ?3 ORDER BY s DESC LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, q).bind(2, static_cast<int64_t>(limit)).bind(3, min_turn_id).bind(4, known_hits(who, terms));
    if (auto f = briefs_->focus(who); !f) return f;
    auto hits = collect_hits(st, terms.size());
    briefs_->unfocus();
    if (!hits) return hits;
    std::vector<int64_t> ids;
    for (const auto & h : *hits) ids.push_back(h.turn_id);
    auto mine = briefs_->owned(who, ids);
    if (!mine) return mine.error();
    std::vector<text_hit> out;
    for (size_t i = 0; i < hits->size(); ++i) {
        if ((*mine)[i]) out.push_back((*hits)[i]);
    }
    return out;
}

result<std::vector<std::string>> turn_store::speaker_words(person_id who, const std::vector<std::string> & words) {
    if (auto st = open_vocab(); !st) return st;
    // The words of this person's speakers' names, as the index stems them: read
    // once, then kept up to date by insert_turn.
    auto it = speaker_stems_.find(who);
    if (it == speaker_stems_.end()) {
        auto st = db_->prepare("SELECT DISTINCT speaker FROM turns WHERE person_id = ?1");
        if (!st) return st.error();
        st->bind(1, who);
        std::unordered_set<std::string> stems;
        for (;;) {
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) break;
            for (auto & s : vocab_->stems(st->text(0))) stems.insert(std::move(s));
        }
        it = speaker_stems_.emplace(who, std::move(stems)).first;
    }
    std::vector<std::string> out;
    for (const auto & w : words) {
        const std::string s = vocab_->stem(w);
        if (!s.empty() && it->second.count(s)) out.push_back(w);
    }
    return out;
}

result<std::vector<turn_record>> turn_store::turns_by_id(person_id who, const std::vector<int64_t> & ids, bool brief) {
    std::vector<turn_record> out;
    if (ids.empty()) return out;
    if (brief) return briefs_->by_id(who, ids);
    // One statement through a JSON array keeps this to a single query whatever the count.
    const std::string arr = json_id_array(ids);
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE +t.person_id = ?1 AND t.id IN (SELECT value FROM json_each(?2)) ORDER BY t.id");
    if (!st) return st.error();
    st->bind(1, who).bind(2, arr);
    return collect_turns(st);
}

result<std::vector<turn_record>> turn_store::neighbours(person_id who, int64_t id, int n, bool brief) {
    if (brief) return briefs_->neighbours(who, id, n);
    // Walks the (session_id, id) index from the turn both ways. "+t.person_id"
    // keeps the planner on the ids found rather than scanning the person's turns.
    auto st = db_->prepare(std::string("SELECT ") + turn_columns + " FROM turns t WHERE t.id IN ("
                           "SELECT id FROM (SELECT id FROM turns WHERE session_id = "
                           "(SELECT session_id FROM turns WHERE id = ?2 AND person_id = ?1) AND id < ?2 ORDER BY id DESC LIMIT ?3) "
                           "UNION ALL SELECT id FROM (SELECT id FROM turns WHERE session_id = "
                           "(SELECT session_id FROM turns WHERE id = ?2 AND person_id = ?1) AND id > ?2 ORDER BY id LIMIT ?3)) "
                           "AND +t.person_id = ?1 ORDER BY t.id");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, static_cast<int64_t>(n));
    return collect_turns(st);
}

result<std::vector<turn_record>> turn_store::turns_between(person_id who, int64_t from, int64_t to, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND t.ts >= ?2 AND t.ts < ?3 ORDER BY t.ts, t.id LIMIT ?4");
    if (!st) return st.error();
    st->bind(1, who).bind(2, from).bind(3, to).bind(4, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<int64_t> turn_store::count_turns(person_id who) {
    auto st = db_->prepare("SELECT COUNT(*) FROM turns WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    return st->int64(0);
}

result<std::vector<turn_record>> turn_store::session_turns_after(person_id who, int64_t session_id, int64_t after, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.session_id = ?2 AND t.id > ?3 AND t.person_id = ?1 ORDER BY t.id LIMIT ?4");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session_id).bind(3, after).bind(4, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<std::vector<turn_record>> turn_store::session_turn_ids(person_id who, int64_t session_id) {
    return briefs_->session(who, session_id);
}

}  // namespace os1::memory
