// The fact store: provenance, supersession, reinforcement.
// Every statement filters on person_id.
#include "memory/fact_store.h"

#include <algorithm>
#include <ctime>

#include "base/utf8.h"
#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"

namespace os1::memory {
namespace {

const char * const fact_columns =
    "f.id, f.text, f.ts, f.confidence, f.reinforced, f.created_at, COALESCE(f.superseded_by, 0), "
    "COALESCE(f.superseded_at, 0), (SELECT json_group_array(turn_id) FROM fact_sources WHERE fact_id = f.id)";

}  // namespace

result<std::vector<fact_record>> fact_store::collect_facts(result<sqlite_stmt> & st) {
    std::vector<fact_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        fact_record f;
        f.id = st->int64(0);
        f.text = st->text(1);
        f.ts = st->int64(2);
        f.confidence = st->real(3);
        f.reinforced = st->int64(4);
        f.created_at = st->int64(5);
        f.superseded_by = st->int64(6);
        f.superseded_at = st->int64(7);
        f.sources = parse_id_array(st->text(8));
        out.push_back(std::move(f));
    }
}

status fact_store::check_fact_text(const std::string & text) const {
    if (text.empty() || text.size() > limits_.max_fact_bytes) {
        return status(status_code::invalid_argument,
                      "a fact is 1 to " + std::to_string(limits_.max_fact_bytes) + " bytes, not " + std::to_string(text.size()));
    }
    if (!utf8_is_valid(text)) return status(status_code::invalid_argument, "a fact must be valid UTF-8");
    return status::ok();
}

// Whether every id of IDS is a row of TABLE ("turns" or "current facts") of WHO.
result<bool> fact_store::owns(person_id who, const char * table, const std::vector<int64_t> & ids) {
    if (ids.empty()) return true;
    const std::string t(table);
    const std::string sql = t == "turns"
        ? "SELECT COUNT(*) FROM turns WHERE +person_id = ?1 AND id IN (SELECT DISTINCT value FROM json_each(?2))"
        : "SELECT COUNT(*) FROM facts WHERE +person_id = ?1 AND superseded_by IS NULL AND id IN "
          "(SELECT DISTINCT value FROM json_each(?2))";
    auto st = db_->prepare(sql);
    if (!st) return st.error();
    st->bind(1, who).bind(2, json_id_array(ids));
    auto row = st->step();
    if (!row) return row.error();
    auto distinct = ids;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    return st->int64(0) == static_cast<int64_t>(distinct.size());
}

result<int64_t> fact_store::add_fact(person_id who, const new_fact & f) {
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto id = insert_fact(who, f);
    if (!id) return id.error();
    if (auto st = txn.commit(); !st) return st;
    return id;
}

result<int64_t> fact_store::insert_fact(person_id who, const new_fact & f) {
    if (auto st = check_fact_text(f.text); !st) return st;
    if (!(f.confidence >= 0 && f.confidence <= 1)) return status(status_code::invalid_argument, "a fact's confidence is 0 to 1");
    if (f.sources.empty()) return status(status_code::invalid_argument, "a fact needs the turns it comes from");
    auto mine = owns(who, "turns", f.sources);
    if (!mine) return mine.error();
    if (!*mine) return status(status_code::invalid_argument, "a fact's sources must be turns of the same person");
    auto current = owns(who, "facts", f.supersedes);
    if (!current) return current.error();
    if (!*current) return status(status_code::invalid_argument, "only this person's current facts can be superseded");
    const int64_t now = std::time(nullptr);
    auto ins = db_->prepare("INSERT INTO facts (person_id, text, ts, confidence, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!ins) return ins.error();
    ins->bind(1, who).bind(2, f.text).bind(3, f.ts).bind(4, f.confidence).bind(5, now);
    if (auto st = ins->run(); !st) return st;
    const int64_t id = db_->last_insert_id();
    auto src = db_->prepare("INSERT OR IGNORE INTO fact_sources (fact_id, turn_id, person_id) "
                            "SELECT ?2, value, ?1 FROM json_each(?3)");
    if (!src) return src.error();
    src->bind(1, who).bind(2, id).bind(3, json_id_array(f.sources));
    if (auto st = src->run(); !st) return st;
    if (!f.supersedes.empty()) {
        auto sup = db_->prepare("UPDATE facts SET superseded_by = ?2, superseded_at = ?3 "
                                "WHERE person_id = ?1 AND id IN (SELECT value FROM json_each(?4))");
        if (!sup) return sup.error();
        sup->bind(1, who).bind(2, id).bind(3, now).bind(4, json_id_array(f.supersedes));
        if (auto st = sup->run(); !st) return st;
    }
    return id;
}

status fact_store::reinforce_fact(person_id who, int64_t id, const std::vector<int64_t> & sources, int64_t ts,
                                    double confidence) {
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    if (auto st = reinforce_locked(who, id, sources, ts, confidence); !st) return st;
    return txn.commit();
}

status fact_store::reinforce_locked(person_id who, int64_t id, const std::vector<int64_t> & sources, int64_t ts,
                                      double confidence) {
    if (!(confidence >= 0 && confidence <= 1)) return status(status_code::invalid_argument, "a fact's confidence is 0 to 1");
    auto current = owns(who, "facts", {id});
    if (!current) return current.error();
    if (!*current) return status(status_code::not_found, "no current fact " + std::to_string(id));
    auto mine = owns(who, "turns", sources);
    if (!mine) return mine.error();
    if (!*mine) return status(status_code::invalid_argument, "a fact's sources must be turns of the same person");
    // Noisy-or: two independent sayings at 0.6 make 0.84.
    auto up = db_->prepare("UPDATE facts SET reinforced = reinforced + 1, ts = MAX(ts, ?3), "
                           "confidence = 1 - (1 - confidence) * (1 - ?4) WHERE person_id = ?1 AND id = ?2");
    if (!up) return up.error();
    up->bind(1, who).bind(2, id).bind(3, ts).bind(4, confidence);
    if (auto st = up->run(); !st) return st;
    auto src = db_->prepare("INSERT OR IGNORE INTO fact_sources (fact_id, turn_id, person_id) "
                            "SELECT ?2, value, ?1 FROM json_each(?3)");
    if (!src) return src.error();
    src->bind(1, who).bind(2, id).bind(3, json_id_array(sources));
    return src->run();
}

status fact_store::apply_facts(person_id who, const std::vector<fact_change> & changes, int64_t upto_turn_id,
                                 const std::vector<int64_t> & redistilled) {
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    for (const auto & c : changes) {
        if (c.reinforce_id != 0) {
            if (auto st = reinforce_locked(who, c.reinforce_id, c.fact.sources, c.fact.ts, c.fact.confidence); !st) return st;
        } else if (auto id = insert_fact(who, c.fact); !id) {
            return id.error();
        }
    }
    auto st = db_->prepare("INSERT INTO distill_progress (person_id, upto_turn_id, failures, last_error, updated_at) "
                           "VALUES (?1, ?2, 0, NULL, ?3) ON CONFLICT (person_id) DO UPDATE SET "
                           "upto_turn_id = MAX(upto_turn_id, ?2), failures = 0, last_error = NULL, updated_at = ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, upto_turn_id).bind(3, static_cast<int64_t>(std::time(nullptr)));
    if (auto s2 = st->run(); !s2) return s2;
    if (!redistilled.empty()) {
        auto done = db_->prepare("DELETE FROM redistill WHERE person_id = ?1 AND turn_id IN (SELECT value FROM json_each(?2))");
        if (!done) return done.error();
        done->bind(1, who).bind(2, json_id_array(redistilled));
        if (auto s3 = done->run(); !s3) return s3;
    }
    return txn.commit();
}

result<distill_state> fact_store::distill_progress(person_id who) {
    auto st = db_->prepare("SELECT upto_turn_id, failures, COALESCE(last_error, '') FROM distill_progress WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    distill_state out;
    if (*row) out = {st->int64(0), st->int64(1), st->text(2)};
    return out;
}

status fact_store::note_distill_failure(person_id who, const std::string & why) {
    auto st = db_->prepare("INSERT INTO distill_progress (person_id, upto_turn_id, failures, last_error, updated_at) "
                           "VALUES (?1, 0, 1, ?2, ?3) ON CONFLICT (person_id) DO UPDATE SET "
                           "failures = failures + 1, last_error = ?2, updated_at = ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, why.substr(0, 1000)).bind(3, static_cast<int64_t>(std::time(nullptr)));
    return st->run();
}

result<std::vector<fact_record>> fact_store::facts(person_id who, bool with_superseded, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + fact_columns + " FROM facts f WHERE f.person_id = ?1 AND (?2 OR "
                           "f.superseded_by IS NULL) ORDER BY f.id DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(with_superseded)).bind(3, static_cast<int64_t>(limit));
    return collect_facts(st);
}

result<std::vector<fact_record>> fact_store::fact_history(person_id who, int64_t id) {
    auto st = db_->prepare(std::string("WITH RECURSIVE chain(id) AS (SELECT id FROM facts WHERE person_id = ?1 AND id = ?2 "
                                       "UNION SELECT f.id FROM facts f JOIN chain c ON f.superseded_by = c.id "
                                       "WHERE f.person_id = ?1) SELECT ") +
                           fact_columns + " FROM facts f WHERE f.id IN (SELECT id FROM chain) ORDER BY f.id DESC");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id);
    auto out = collect_facts(st);
    if (out && out->empty()) return status(status_code::not_found, "no fact " + std::to_string(id));
    return out;
}

result<std::vector<text_hit>> fact_store::search_facts(person_id who, const std::vector<std::string> & terms,
                                                                        int limit) {
    return search_short(*db_, "facts", "AND f.superseded_by IS NULL", who, terms, limit);
}

result<std::vector<fact_record>> fact_store::facts_by_id(person_id who, const std::vector<int64_t> & ids) {
    if (ids.empty()) return std::vector<fact_record>{};
    auto st = db_->prepare(std::string("SELECT ") + fact_columns +
                           " FROM facts f WHERE f.person_id = ?1 AND f.superseded_by IS NULL AND f.id IN "
                           "(SELECT value FROM json_each(?2)) ORDER BY f.id");
    if (!st) return st.error();
    st->bind(1, who).bind(2, json_id_array(ids));
    return collect_facts(st);
}

result<std::vector<fact_record>> fact_store::core_facts(person_id who, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + fact_columns +
                           " FROM facts f WHERE f.person_id = ?1 AND f.superseded_by IS NULL "
                           "ORDER BY f.reinforced DESC, f.confidence DESC, f.ts DESC, f.id DESC LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(limit));
    return collect_facts(st);
}

result<std::vector<turn_record>> fact_store::redistill_turns(person_id who, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + turn_columns +
                           " FROM redistill r JOIN turns t ON t.id = r.turn_id "
                           "WHERE r.person_id = ?1 AND t.person_id = ?1 ORDER BY t.id LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(limit));
    return collect_turns(st);
}

// The conversations whose prompts held one of FACTS: through a recalled block
// that quoted it, or the core profile a session froze with it.
result<std::vector<std::string>> fact_store::conversations_quoting_facts(person_id who, const std::vector<int64_t> & facts) {
    auto st = db_->prepare(
        "SELECT DISTINCT s.conversation FROM sessions s WHERE s.person_id = ?1 AND s.conversation <> '' AND ("
        "s.id IN (SELECT t.session_id FROM fact_citations c JOIN turns t ON t.id = c.turn_id "
        "         WHERE c.person_id = ?1 AND c.fact_id IN (SELECT value FROM json_each(?2))) "
        "OR EXISTS (SELECT 1 FROM facts f WHERE f.person_id = ?1 AND f.id IN (SELECT value FROM json_each(?2)) "
        "           AND instr(s.profile, f.text) > 0)) ORDER BY 1");
    if (!st) return st.error();
    st->bind(1, who).bind(2, json_id_array(facts));
    return collect_texts(st);
}

result<std::vector<std::string>> fact_store::edit_fact(person_id who, int64_t id, const std::string & text) {
    if (auto st = check_fact_text(text); !st) return st;
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto affected = conversations_quoting_facts(who, {id});
    if (!affected) return affected.error();
    // The triggers clear the blocks and profiles that held the old text.
    auto st = db_->prepare("UPDATE facts SET text = ?3 WHERE person_id = ?1 AND id = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, id).bind(3, text);
    if (auto s = st->run(); !s) return s;
    if (db_->changes() == 0) return status(status_code::not_found, "no fact " + std::to_string(id));
    if (auto s = txn.commit(); !s) return s;
    return affected;
}

result<std::vector<std::string>> fact_store::forget_fact(person_id who, int64_t id) {
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto chain = fact_history(who, id);
    if (!chain) return chain.error();
    std::vector<int64_t> ids;
    for (const auto & f : *chain) ids.push_back(f.id);
    auto affected = conversations_quoting_facts(who, ids);
    if (!affected) return affected.error();
    // With the facts it replaced: forgetting where someone lives should not
    // bring back where they lived before.
    auto st = db_->prepare("DELETE FROM facts WHERE person_id = ?1 AND id IN (SELECT value FROM json_each(?2))");
    if (!st) return st.error();
    st->bind(1, who).bind(2, json_id_array(ids));
    if (auto s = st->run(); !s) return s;
    if (auto s = txn.commit(); !s) return s;
    return affected;
}

}  // namespace os1::memory
