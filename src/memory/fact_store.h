// What the person's turns taught: facts with their sources, supersession,
// reinforcement and distillation progress, with a full-text index.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <string>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;
class sqlite_stmt;

class fact_store {
public:
    fact_store(sqlite_db & db, const store_limits & limits) : db_(&db), limits_(limits) {}

    // Stores a fact with its sources, superseding the facts it names (kept,
    // marked, in its history). invalid_argument: empty or over max_fact_bytes,
    // not UTF-8, confidence outside 0..1, no source, a source or superseded
    // fact that is not this person's (or already superseded).
    result<int64_t> add_fact(person_id who, const new_fact & f);
    // The fact was said again: its count and confidence rise (noisy-or), its
    // time moves on, SOURCES are added. No second row.
    status reinforce_fact(person_id who, int64_t id, const std::vector<int64_t> & sources, int64_t ts, double confidence);
    // A distillation's changes in one transaction, all or none, and the turns
    // up to UPTO_TURN_ID marked distilled. The same refusals as above.
    status apply_facts(person_id who, const std::vector<fact_change> & changes, int64_t upto_turn_id,
                       const std::vector<int64_t> & redistilled = {});
    result<distill_state> distill_progress(person_id who);
    // A distillation that failed (WHY is kept; the turns stay undistilled).
    status note_distill_failure(person_id who, const std::string & why);
    // This person's facts, newest first; with_superseded keeps the replaced ones.
    result<std::vector<fact_record>> facts(person_id who, bool with_superseded, int limit = 1000);
    // FACT and the facts it replaced, newest first.
    result<std::vector<fact_record>> fact_history(person_id who, int64_t id);
    // Full-text search over this person's current facts, best first: BM25
    // times the share of TERMS the fact holds (in matched_share).
    result<std::vector<text_hit>> search_facts(person_id who, const std::vector<std::string> & terms, int limit);
    // Current facts by id (ids of others or replaced facts are skipped).
    result<std::vector<fact_record>> facts_by_id(person_id who, const std::vector<int64_t> & ids);
    // The facts for the core profile: most often said, then most sure, then newest.
    result<std::vector<fact_record>> core_facts(person_id who, int limit);
    // Turns whose facts went with a forgotten or corrected turn, oldest first:
    // distillation reads them again (apply_facts' REDISTILLED clears them).
    result<std::vector<turn_record>> redistill_turns(person_id who, int limit);
    // Correcting or forgetting a fact (forgetting also forgets the facts it
    // replaced) returns the conversations whose prompts held it, whose KV
    // states the caller must drop; not_found when it is not this person's.
    result<std::vector<std::string>> edit_fact(person_id who, int64_t id, const std::string & text);
    result<std::vector<std::string>> forget_fact(person_id who, int64_t id);
    // The conversations whose prompts held any of FACTS (a turn's are forgotten with it).
    result<std::vector<std::string>> conversations_quoting_facts(person_id who, const std::vector<int64_t> & facts);

private:
    status check_fact_text(const std::string & text) const;
    result<bool> owns(person_id who, const char * table, const std::vector<int64_t> & ids);
    result<std::vector<fact_record>> collect_facts(result<sqlite_stmt> & st);
    result<int64_t> insert_fact(person_id who, const new_fact & f);  // in the caller's transaction
    status reinforce_locked(person_id who, int64_t id, const std::vector<int64_t> & sources, int64_t ts, double confidence);

    sqlite_db * db_;
    const store_limits & limits_;
};

}  // namespace os1::memory
