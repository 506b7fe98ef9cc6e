// A person's turns (episodic memory) and sessions, with the full-text index
// over them: what recall searches and what the person reads and corrects.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class fact_store;
class fts_vocab;
class sqlite_db;
class turn_briefs;
class vector_store;

class turn_store {
public:
    turn_store(sqlite_db & db, const store_limits & limits, turn_briefs & briefs, fact_store & facts, vector_store & vectors);
    ~turn_store();
    turn_store(const turn_store &) = delete;
    turn_store & operator=(const turn_store &) = delete;

    // Stores a turn (its session is created on first use). invalid_argument for
    // empty or oversized text, invalid UTF-8, a bad role, or an ext_id used before.
    result<int64_t> add_turn(person_id who, const new_turn & t);
    // Stores TURNS in one transaction: all of them or, on any error, none (imports, benchmarks).
    status add_turns(person_id who, const std::vector<new_turn> & turns);
    // Marks a session as ended at TS (summaries may be made from it later).
    status end_session(person_id who, const std::string & session, int64_t ts);

    // Full-text search over this person's turns: up to LIMIT (turn id, score),
    // best first; score is BM25, higher is better. TERMS are plain words (stemmed
    // by the index); they are OR-ed. With MIN_TURN_ID, only turns from that id
    // on (the newest part of a long life). With COORDINATED, a turn's score is
    // its BM25 times how many of TERMS it holds (one query where a search per
    // word would cost a query setup each).
    result<std::vector<text_hit>> search_turns(person_id who, const std::vector<std::string> & terms, int limit,
                                               int64_t min_turn_id = 0, bool coordinated = false);
    // Those of WORDS (plain lower-case words) that are a word of the speaker's
    // name in at least one of this person's turns ("melanie" for "Melanie"), in
    // the order given. The names are read once per person and kept up to date.
    result<std::vector<std::string>> speaker_words(person_id who, const std::vector<std::string> & words);
    // For each word, how many of this person's turns hold it, as the index
    // stems it; and about how many turns the index holds. Recall uses them to
    // leave out words too common to search (cost bound).
    result<std::vector<int64_t>> word_frequencies(person_id who, const std::vector<std::string> & words);
    result<int64_t> indexed_turns_estimate();
    // About how many turns this person has (counted once, then kept up to date).
    result<int64_t> person_turns_estimate(person_id who);

    // Turns of this person by id (ids of others are skipped), in id order.
    // BRIEF leaves out text, recalled and session (ranking needs only the rest)
    // and is answered from the turns held in memory (turn_briefs.h), reading no rows.
    result<std::vector<turn_record>> turns_by_id(person_id who, const std::vector<int64_t> & ids, bool brief = false);
    // Whether every one of SEEN is still WHO's, with the same text: a
    // distillation checks what it showed the model before storing the answer.
    result<bool> turns_unchanged(person_id who, const std::vector<turn_record> & seen);
    // The turns just before and after turn ID in its session (up to N each side);
    // BRIEF as for turns_by_id.
    result<std::vector<turn_record>> neighbours(person_id who, int64_t id, int n, bool brief = false);
    // This person's turns with FROM <= ts < TO, oldest first, up to LIMIT.
    result<std::vector<turn_record>> turns_between(person_id who, int64_t from, int64_t to, int limit);
    result<int64_t> count_turns(person_id who);
    // This person's turns, newest first, with id < BEFORE (0: from the newest), up to LIMIT.
    result<std::vector<turn_record>> list_turns(person_id who, int64_t before, int limit);
    // One turn; not_found when there is none of this person with that id.
    result<turn_record> turn(person_id who, int64_t id);
    // The last LIMIT turns of one session, oldest first.
    result<std::vector<turn_record>> session_tail(person_id who, const std::string & session, int limit);
    result<std::vector<session_record>> sessions(person_id who);
    // The person's conversations, the most recently active first.
    result<std::vector<conversation_brief>> conversations(person_id who, int limit);
    // The latest `limit` turns of conversation `id` (every session of it), oldest first.
    result<std::vector<turn_record>> conversation_tail(person_id who, const std::string & id, int limit);
    // This person's turns with id > AFTER, oldest first, up to LIMIT.
    result<std::vector<turn_record>> turns_after(person_id who, int64_t after, int limit);
    // A session's turns after AFTER, oldest first, up to LIMIT.
    result<std::vector<turn_record>> session_turns_after(person_id who, int64_t session_id, int64_t after, int limit);
    // A session's turns, brief (turns_by_id): a summary's provenance, oldest first.
    result<std::vector<turn_record>> session_turn_ids(person_id who, int64_t session_id);

    // Corrects a turn's text; the index follows and recalled blocks that quoted
    // it are cleared. Returns the conversations whose prompts held the old text,
    // whose KV states the caller must drop. not_found / invalid_argument as add_turn.
    result<std::vector<std::string>> edit_turn(person_id who, int64_t id, const std::string & text);
    // Forgets a turn everywhere in the database; returns the same as edit_turn.
    result<std::vector<std::string>> forget_turn(person_id who, int64_t id);

    // What the caches hold of WHO (or of everyone) is forgotten; it reloads on use.
    void forget_cached(person_id who);
    void forget_all_cached();

private:
    result<int64_t> session_id(person_id who, const new_turn & t);
    status check_turn_text(const std::string & text) const;
    status check_turn(const new_turn & t) const;
    status open_vocab();
    result<int64_t> insert_turn(person_id who, const new_turn & t);
    std::string known_hits(person_id who, const std::vector<std::string> & terms);
    result<std::vector<std::string>> conversations_quoting(person_id who, int64_t id);

    sqlite_db * db_;
    const store_limits & limits_;
    turn_briefs * briefs_;    // ranking's view of the turns, in memory
    fact_store & facts_;      // the facts made from a turn go with it
    vector_store & vectors_;  // a changed turn's vector goes
    std::unique_ptr<fts_vocab> vocab_;  // made on first use
    std::unordered_map<person_id, std::unordered_set<std::string>> speaker_stems_;  // see speaker_words
    std::unordered_map<person_id, int64_t> turn_counts_;  // see person_turns_estimate
};

}  // namespace os1::memory
