#include "memory/memory_store.h"

#include <cctype>
#include <ctime>

#include "base/files.h"
#include "base/utf8.h"
#include "memory/fts_vocab.h"
#include "memory/memory_store_rows.h"
#include "memory/migrations.h"
#include "memory/person_tokenizer.h"
#include "memory/sqlite_db.h"
#include "memory/turn_briefs.h"

namespace os1::memory {

const char * const turn_columns = "t.id, t.session_id, COALESCE(t.ext_id, ''), t.ts, t.speaker, t.role, t.text, "
                           "COALESCE(t.recalled, ''), (SELECT key FROM sessions WHERE id = t.session_id)";


static turn_record read_turn(const sqlite_stmt & st) {
    turn_record r;
    r.id = st.int64(0);
    r.session_id = st.int64(1);
    r.ext_id = st.text(2);
    r.ts = st.int64(3);
    r.speaker = st.text(4);
    r.role = role_column(st.text(5));
    r.text = st.text(6);
    r.recalled = st.text(7);
    r.session = st.text(8);
    return r;
}

result<std::vector<turn_record>> collect_turns(result<sqlite_stmt> & st) {
    std::vector<turn_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(read_turn(*st));
    }
}

result<std::vector<std::string>> collect_texts(result<sqlite_stmt> & st) {
    std::vector<std::string> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(st->text(0));
    }
}

// An FTS5 query that ORs the words as plain strings, each owned by WHO (see
// person_tokenizer.h): a word is reduced to letters and digits, so no FTS5
// operator or quote from the input survives.
std::string fts_query(person_id who, const std::vector<std::string> & terms) {
    std::string q;
    for (const auto & t : terms) {
        std::string w;
        for (unsigned char c : t) {
            if (std::isalnum(c) || c >= 0x80) w += static_cast<char>(c);
        }
        if (w.empty()) continue;
        if (!q.empty()) q += " OR ";
        q += "\"" + owned_text(who, w) + "\"";
    }
    return q;
}

std::string json_id_array(const std::vector<int64_t> & ids) {
    std::string arr = "[";
    for (size_t i = 0; i < ids.size(); ++i) arr += (i ? "," : "") + std::to_string(ids[i]);
    return arr + "]";
}

std::vector<int64_t> parse_id_array(const std::string & json) {
    std::vector<int64_t> out;
    int64_t v = 0;
    bool in = false;
    for (const char c : json) {
        if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            in = true;
        } else if (in) {
            out.push_back(v);
            v = 0;
            in = false;
        }
    }
    return out;
}

memory_store::memory_store(std::unique_ptr<sqlite_db> db, const store_limits & limits)
    : db_(std::move(db)), limits_(limits), briefs_(std::make_unique<turn_briefs>(*db_, limits.brief_turns)) {
    // What the caches learned from undone writes is forgotten; they reload on use.
    db_->on_rollback([this] {
        briefs_->note_rollback();
        turn_counts_.clear();
        speaker_stems_.clear();
        vectors_.clear();
    });
}

memory_store::~memory_store() { db_->on_rollback({}); }

memory_store::transaction::transaction(memory_store & store) : txn_(std::make_unique<sqlite_txn>(*store.db_)) {}
memory_store::transaction::~transaction() = default;
const status & memory_store::transaction::begun() const { return txn_->begun(); }
status memory_store::transaction::commit() { return txn_->commit(); }

void memory_store::before_write(std::function<void()> fn) { db_->before_write(std::move(fn)); }

const std::string & memory_store::path() const { return db_->path(); }

result<std::unique_ptr<memory_store>> memory_store::open(const std::string & path, const store_limits & limits) {
    auto db = sqlite_db::open(path);
    if (!db) return db.error();
    if (auto st = migrate(**db); !st) return st;
    std::unique_ptr<memory_store> store(new memory_store(std::move(*db), limits));
    // Recall's BM25 reads each row's length from the turns held in memory.
    if (auto st = register_bm25(store->db_->raw(), &turn_briefs::row_tokens, store->briefs_.get()); !st) return st;
    return store;
}

result<person_id> memory_store::person(const std::string & name, bool create) {
    if (name.empty() || name.size() > limits_.max_name_bytes || !utf8_is_valid(name)) {
        return status(status_code::invalid_argument, "a person's name must be 1 to " +
                                                         std::to_string(limits_.max_name_bytes) + " bytes of UTF-8");
    }
    auto find = db_->prepare("SELECT id FROM people WHERE name = ?1");
    if (!find) return find.error();
    find->bind(1, name);
    auto row = find->step();
    if (!row) return row.error();
    if (*row) return find->int64(0);
    if (!create) return status(status_code::not_found, "no memories of '" + name + "'");
    // Numbered after every id ever used (0014): an erased person's id is never reused.
    auto ins = db_->prepare("INSERT INTO people (id, name, created_at) VALUES ((SELECT id + 1 FROM person_id_high), ?1, ?2)");
    if (!ins) return ins.error();
    ins->bind(1, name).bind(2, static_cast<int64_t>(std::time(nullptr)));
    if (auto st = ins->run(); !st) return st;
    return db_->last_insert_id();
}

result<int64_t> memory_store::session_id(person_id who, const new_turn & t) {
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

status memory_store::check_text(const std::string & text) const {
    if (text.empty()) return status(status_code::invalid_argument, "a turn needs some text");
    if (text.size() > limits_.max_turn_bytes) {
        return status(status_code::invalid_argument, "a turn of " + std::to_string(text.size()) +
                                                         " bytes is over the limit of " +
                                                         std::to_string(limits_.max_turn_bytes));
    }
    if (!utf8_is_valid(text)) return status(status_code::invalid_argument, "a turn must be valid UTF-8");
    return status::ok();
}

status memory_store::check_turn(const new_turn & t) const {
    if (auto st = check_text(t.text); !st) return st;
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

result<int64_t> memory_store::add_turn(person_id who, const new_turn & t) {
    if (auto st = check_turn(t); !st) return st;
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto id = insert_turn(who, t);
    if (!id) return id.error();  // rolled back: the caches forget it
    if (auto st = txn.commit(); !st) return st;
    return id;
}

status memory_store::add_turns(person_id who, const std::vector<new_turn> & turns) {
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
result<int64_t> memory_store::insert_turn(person_id who, const new_turn & t) {
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

status memory_store::end_session(person_id who, const std::string & session, int64_t ts) {
    auto st = db_->prepare("UPDATE sessions SET ended_at = ?3 WHERE person_id = ?1 AND key = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, session).bind(3, ts);
    return st->run();
}

// Each searched word's number of turns, "n1,n2,...", when recall has just
// counted them all (keep_affordable, a long life): os1_bm25 need not count
// them again. The counts are the text's (fts5vocab), up to a tenth of the index
// old; FTS5 would count text and speaker, as of now: a near IDF. Else "".
std::string memory_store::known_hits(person_id who, const std::vector<std::string> & terms) {
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

result<std::vector<memory_store::text_hit>> memory_store::search_turns(person_id who, const std::vector<std::string> & terms,
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

result<std::vector<memory_store::text_hit>> memory_store::collect_hits(result<sqlite_stmt> & st, size_t n_terms) {
    std::vector<text_hit> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->int64(0), st->real(1), st->real(2) / static_cast<double>(std::max<size_t>(n_terms, 1))});
    }
}

result<std::vector<std::string>> memory_store::speaker_words(person_id who, const std::vector<std::string> & words) {
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

result<std::vector<turn_record>> memory_store::turns_by_id(person_id who, const std::vector<int64_t> & ids, bool brief) {
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

result<std::vector<turn_record>> memory_store::neighbours(person_id who, int64_t id, int n, bool brief) {
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

result<std::vector<turn_record>> memory_store::turns_between(person_id who, int64_t from, int64_t to, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM turns t WHERE t.person_id = ?1 AND t.ts >= ?2 AND t.ts < ?3 ORDER BY t.ts, t.id LIMIT ?4");
    if (!st) return st.error();
    st->bind(1, who).bind(2, from).bind(3, to).bind(4, static_cast<int64_t>(limit));
    return collect_turns(st);
}

result<int64_t> memory_store::count_turns(person_id who) {
    auto st = db_->prepare("SELECT COUNT(*) FROM turns WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    return st->int64(0);
}

status memory_store::erase_person(person_id who) {
    speaker_stems_.erase(who);
    turn_counts_.erase(who);
    vectors_.erase(who);
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    // Turns first, row by row through the trigger, so the index forgets them too.
    for (const char * sql : {"DELETE FROM turns WHERE person_id = ?1", "DELETE FROM sessions WHERE person_id = ?1",
                             "DELETE FROM people WHERE id = ?1"}) {
        auto st = db_->prepare(sql);
        if (!st) return st.error();
        st->bind(1, who);
        if (auto s = st->run(); !s) return s;
    }
    return txn.commit();
}

status memory_store::compact() {
    // FTS5 keeps deleted words in old segments until they are merged.
    if (auto st = merge_index(); !st) return st;
    if (auto st = db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !st) return st;
    if (auto st = db_->exec("VACUUM"); !st) return st;
    return db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

memory_store::snapshot::snapshot(memory_store & store) : store_(store), txn_(std::make_unique<sqlite_read>(*store.db_)) {
    store_.briefs_->pin();
}

memory_store::snapshot::~snapshot() { store_.briefs_->unpin(); }

// The three full-text indexes recall searches, most searched first.
static const char * const text_indexes[] = {"turns_fts", "facts_fts", "summaries_fts"};

status memory_store::merge_index() {
    for (const char * fts : text_indexes) {
        if (auto st = db_->exec(std::string("INSERT INTO ") + fts + " (" + fts + ") VALUES ('optimize')"); !st) return st;
    }
    return status::ok();
}

result<bool> memory_store::merge_index_step(int pages) {
    // FTS5's incremental merge: a negative page count merges whatever segments
    // there are; whether it did anything shows in the connection's changes.
    for (const char * fts : text_indexes) {
        const int64_t before = db_->total_changes();
        if (auto st = db_->exec(std::string("INSERT INTO ") + fts + " (" + fts + ", rank) VALUES ('merge', -" + std::to_string(pages) + ")");
            !st) {
            return st;
        }
        if (db_->total_changes() - before > 1) return true;  // the command's own row counts one
    }
    return false;
}

status memory_store::check_file(const std::string & path, int & schema) {
    if (!path_exists(path)) return status(status_code::not_found, "no memory database at '" + path + "'");
    sqlite_options ro;
    ro.read_only = true;
    ro.create = false;
    auto db = sqlite_db::open(path, ro);
    if (!db) return db.error();
    auto v = schema_version(**db);
    if (!v) return v.error();
    schema = *v;
    memory_store probe(std::move(*db), store_limits{});
    return probe.check_integrity();
}

status memory_store::check_integrity() {
    auto st = db_->prepare("PRAGMA integrity_check");
    if (!st) return st.error();
    std::string report;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        if (!report.empty()) report += "; ";
        report += st->text(0);
    }
    if (report != "ok") return status(status_code::corrupt, "the memory database '" + path() + "' failed its check: " + report);
    return status::ok();
}

}  // namespace os1::memory
