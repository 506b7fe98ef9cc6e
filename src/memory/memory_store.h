// The per-person memory store on SQLite: people, sessions and every turn
// (episodic memory), with a full-text index. Only this module speaks SQL.
//
// Isolation: every method takes a person_id and every statement filters on it;
// no method returns rows of another person.
// Durability: a method that writes returns only after SQLite has committed and
// synced (WAL, synchronous=FULL), so an acknowledged turn survives a crash.
// Threads: one thread at a time per memory_store (the caller serializes).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "os1/status.h"
#include "memory/memory_types.h"

namespace os1::memory {

class sqlite_db;
class sqlite_read;
class turn_briefs;
class sqlite_stmt;
class fts_vocab;
class sqlite_txn;

class memory_store {
public:
    // Opens (creating when missing) the database at PATH and migrates it.
    static result<std::unique_ptr<memory_store>> open(const std::string & path, const store_limits & limits = {});
    ~memory_store();
    memory_store(const memory_store &) = delete;
    memory_store & operator=(const memory_store &) = delete;

    // The id of the person NAME; with create, added when missing (not_found otherwise).
    result<person_id> person(const std::string & name, bool create);

    // Several writes as one: the methods called while it lives join it, and
    // none of their writes is stored unless commit() succeeds. Undone writes
    // are forgotten by the caches too. (Inside another: a nested one.)
    class transaction {
    public:
        explicit transaction(memory_store & store);
        ~transaction();
        transaction(const transaction &) = delete;
        transaction & operator=(const transaction &) = delete;
        const status & begun() const;
        status commit();

    private:
        std::unique_ptr<sqlite_txn> txn_;
    };
    // Test hook: FN runs before each statement that may write.
    void before_write(std::function<void()> fn);

    // Stores a turn (its session is created on first use). invalid_argument for
    // empty or oversized text, invalid UTF-8, a bad role, or an ext_id used before.
    result<int64_t> add_turn(person_id who, const new_turn & t);
    // Stores TURNS in one transaction: all of them or, on any error, none (imports, benchmarks).
    status add_turns(person_id who, const std::vector<new_turn> & turns);
    // Marks a session as ended at TS (summaries may be made from it later).
    status end_session(person_id who, const std::string & session, int64_t ts);

    // Full-text search over this person's turns: up to LIMIT (turn id, score),
    // best first; score is BM25, higher is better. TERMS are plain words (stemmed
    // by the index); they are OR-ed.
    struct text_hit {
        int64_t turn_id;  // or fact id
        double score;
        double matched_share = 1;  // the share of the searched words it holds
    };
    // With MIN_TURN_ID, only turns from that id on (the newest part of a long life).
    // With COORDINATED, a turn's score is its BM25 times how many of TERMS it holds
    // (one query where a search per word would cost a query setup each).
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

    // Removes everything of this person (turns, index entries, sessions, the person).
    status erase_person(person_id who);
    // Leaves no deleted byte in any file: merges the full-text index, checkpoints
    // and truncates the WAL, and vacuums. Slow on a large database; run after erase.
    status compact();
    // Merges each full-text index's segments (turns, facts, summaries) into one,
    // so that a search probes one b-tree per word instead of one per segment
    // (bulk loads and one-at-a-time writes leave many).
    status merge_index();
    // One bounded step of the same (about PAGES pages written): true when it
    // did some work, false when the index is already merged. For idle time.
    result<bool> merge_index_step(int pages);
    // One read transaction while it lives: the queries of a recall see one
    // state of the store and take the WAL's locks once.
    class snapshot {
    public:
        explicit snapshot(memory_store & store);
        ~snapshot();
        snapshot(const snapshot &) = delete;
        snapshot & operator=(const snapshot &) = delete;

    private:
        memory_store & store_;
        std::unique_ptr<sqlite_read> txn_;
    };
    snapshot read_snapshot() { return snapshot(*this); }

    // --- What a person can read and correct (memory_store_items.cpp) ---
    // This person's turns, newest first, with id < BEFORE (0: from the newest), up to LIMIT.
    result<std::vector<turn_record>> list_turns(person_id who, int64_t before, int limit);
    // One turn; not_found when there is none of this person with that id.
    result<turn_record> turn(person_id who, int64_t id);
    // The last LIMIT turns of one session, oldest first.
    result<std::vector<turn_record>> session_tail(person_id who, const std::string & session, int limit);
    result<std::vector<session_record>> sessions(person_id who);
    // This person's turns with id > AFTER, oldest first, up to LIMIT.
    result<std::vector<turn_record>> turns_after(person_id who, int64_t after, int limit);
    // Corrects a turn's text; the index follows and recalled blocks that quoted
    // it are cleared. Returns the conversations whose prompts held the old text,
    // whose KV states the caller must drop. not_found / invalid_argument as add_turn.
    result<std::vector<std::string>> edit_turn(person_id who, int64_t id, const std::string & text);
    // Forgets a turn everywhere in the database; returns the same as edit_turn.
    result<std::vector<std::string>> forget_turn(person_id who, int64_t id);
    // The core profile, always in the person's prompt ("" when none); setting it
    // to "" removes it; invalid_argument over store_limits::max_profile_bytes.
    result<std::string> profile(person_id who);
    // Setting it also clears the profiles sessions froze (see session_profile).
    status set_profile(person_id who, const std::string & text);
    // The core profile a session's prompts carry, set when the session began
    // (set_session_profile) so that its KV state stays reusable; nullopt when
    // the session does not exist or its profile was cleared (a fact in it forgotten).
    result<std::optional<std::string>> session_profile(person_id who, const std::string & session);
    status set_session_profile(person_id who, const std::string & session, const std::string & text);
    // --- Facts (memory_store_facts.cpp) ---
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

    // --- Summaries (memory_store_summaries.cpp) ---
    // The session most in need of a summary: the oldest with at least MIN_NEW
    // turns its summary does not cover, or with at least 2 when it is over (ended,
    // or a newer session began). SESSION_ID 0: none. PREVIOUS: its summary, if any.
    struct summary_due {
        int64_t session_id = 0;
        summary_record previous;  // id 0 when there is none
    };
    result<summary_due> session_summary_due(person_id who, int min_new);
    // A session's turns after AFTER, oldest first, up to LIMIT.
    result<std::vector<turn_record>> session_turns_after(person_id who, int64_t session_id, int64_t after, int limit);
    // The session's summary (session_id != 0) or the person's (0); id 0 when there is none.
    result<summary_record> summary(person_id who, int64_t session_id);
    // Session summaries covering turns after AFTER (the person's summary reads
    // them), newest first, up to LIMIT; with AFTER 0, every one.
    result<std::vector<summary_record>> session_summaries(person_id who, int64_t after, int limit);
    // Stores (or replaces) a summary. invalid_argument: empty, over
    // max_summary_bytes, not UTF-8, or a session that is not this person's.
    status put_summary(person_id who, int64_t session_id, const std::string & text, int64_t upto_turn_id);
    // Full-text search over this person's summaries, as search_facts.
    result<std::vector<text_hit>> search_summaries(person_id who, const std::vector<std::string> & terms, int limit);
    // Session summaries by id (ids of others are skipped).
    result<std::vector<summary_record>> summaries_by_id(person_id who, const std::vector<int64_t> & ids);
    // A session's turns, brief (turns_by_id): a summary's provenance, oldest first.
    result<std::vector<turn_record>> session_turn_ids(person_id who, int64_t session_id);

    // --- The OS's persona and the first-run interview (memory_store_persona.cpp) ---
    // The current persona (version 0 when there is none).
    result<persona_record> persona(person_id who);
    // Up to LIMIT versions, newest first.
    result<std::vector<persona_record>> persona_history(person_id who, int limit);
    // One version; not_found when this person has no such version (or it was let go).
    result<persona_record> persona_version(person_id who, int64_t version);
    // Stores P (its version, source and created_at are set here) as the next
    // version; versions beyond max_persona_versions go, oldest first. With
    // AT_ONCE, conversations stop using the persona they froze. invalid_argument:
    // an empty or over-long name or field, a line break in the name, a trait or
    // interest, too many of them, not UTF-8. Returns the new version.
    result<int64_t> add_persona(person_id who, const persona_record & p, bool at_once);
    result<onboarding_state> onboarding(person_id who);
    status set_onboarding(person_id who, const onboarding_state & s);
    // The persona text a session's prompts carry (as session_profile).
    result<std::optional<std::string>> session_persona(person_id who, const std::string & session);
    status set_session_persona(person_id who, const std::string & session, const std::string & text);

    // --- Feelings (memory_store_persona.cpp) ---
    // Stores (or replaces) the reading of one of the person's own messages
    // (role user); its turn_id names it, ts is taken from the turn.
    // invalid_argument: not this person's message, valence outside -1..1,
    // arousal outside 0..1, an empty or over-long label or source.
    status put_emotion(person_id who, const emotion_reading & r);
    // Readings of messages with FROM <= ts < TO, oldest first, up to LIMIT.
    result<std::vector<emotion_reading>> emotions_between(person_id who, int64_t from, int64_t to, int limit);
    // The person's messages with no reading from SOURCE (none at all, or only
    // another source's; SOURCE "": none at all), newest first, up to LIMIT.
    result<std::vector<turn_record>> turns_without_emotion(person_id who, const std::string & source, int limit);

    // --- Initiative (memory_store_initiative.cpp) ---
    // Stores a pending initiative; its id, or 0 when one with its dedup exists.
    // invalid_argument: an empty or over-long text, kind or reason, importance outside 0..1.
    result<int64_t> add_initiative(person_id who, const initiative_record & r);
    // Pending initiatives due by NOW, of everyone (for the scheduler; each with
    // its person), earliest first, up to LIMIT.
    result<std::vector<due_initiative>> due_initiatives(int64_t now, int limit);
    // The scheduler's decision: STATE (pending to hold it until DUE_AT, sent or dropped) and why.
    status decide_initiative(person_id who, int64_t id, initiative_state state, const std::string & decision,
                             int64_t decided_at, int64_t due_at);
    status mark_delivered(person_id who, int64_t id, int64_t ts);
    // The OS's stored turn TURN_ID said initiative ID: forgetting its source forgets that turn too (it may quote it).
    status note_initiative_said(person_id who, int64_t id, int64_t turn_id);
    // Sent and not yet received by any client, oldest first.
    result<std::vector<initiative_record>> undelivered_initiatives(person_id who);
    // Every initiative of the person, newest first, up to LIMIT: the log.
    result<std::vector<initiative_record>> initiatives(person_id who, int limit);
    // How many the OS sent with decided_at >= SINCE, reminders asked for not counted.
    result<int> initiatives_sent_since(person_id who, int64_t since);
    result<initiative_settings> initiative_limits(person_id who);
    // invalid_argument: minutes outside 0..1439, an offset beyond ±14 h, a cap outside 0..50, importance outside 0..1.
    status set_initiative_limits(person_id who, const initiative_settings & s);
    // The time of the person's newest message (0: none).
    result<int64_t> last_message_at(person_id who);

    // --- Dense vectors (memory_store_vectors.cpp) ---
    // The embedding model in use, by KEY (llm::embedder::key); with REPLACE,
    // vectors of any other model are removed (they do not compare), else
    // such vectors are an invalid_argument naming the problem.
    status use_vector_model(const std::string & key, int dims, bool replace = true);
    // Stores turn ID's vector (DIMS floats, L2-normalized). invalid_argument:
    // no model in use, wrong size, or not this person's turn.
    status put_vector(person_id who, int64_t turn_id, const std::vector<float> & v);
    // This person's turns that have no vector yet, newest first, up to LIMIT.
    result<std::vector<turn_record>> turns_without_vector(person_id who, int limit);
    // The LIMIT turns whose vectors are nearest Q (dot product), best first.
    // The person's vectors are read once and kept in memory.
    result<std::vector<text_hit>> search_vectors(person_id who, const std::vector<float> & q, int limit);

    // Every person's name, for the operator.
    result<std::vector<std::string>> people();

    // PRAGMA integrity_check: ok, or corrupt with SQLite's report.
    status check_integrity();
    // The same for the database file at PATH, opened read-only and left as it is;
    // SCHEMA receives its schema version. not_found when there is no such file.
    static status check_file(const std::string & path, int & schema);
    const std::string & path() const;

private:
    explicit memory_store(std::unique_ptr<sqlite_db> db, const store_limits & limits);
    result<int64_t> session_id(person_id who, const new_turn & t);
    status check_text(const std::string & text) const;
    status open_vocab();
    status check_turn(const new_turn & t) const;
    status check_fact_text(const std::string & text) const;
    status check_persona(const persona_record & p) const;
    result<std::optional<std::string>> session_text(person_id who, const std::string & session, const char * column);
    status set_session_text(person_id who, const std::string & session, const char * column, const std::string & text);
    result<bool> owns(person_id who, const char * table, const std::vector<int64_t> & ids);
    result<std::vector<fact_record>> collect_facts(result<sqlite_stmt> & st);
    static result<std::vector<summary_record>> collect_summaries(result<sqlite_stmt> & st);
    // (id, score, words matched) rows, of N_TERMS words searched
    static result<std::vector<text_hit>> collect_hits(result<sqlite_stmt> & st, size_t n_terms);
    result<std::vector<text_hit>> search_short(const std::string & table, const char * where, person_id who,
                                               const std::vector<std::string> & terms, int limit);
    result<int64_t> insert_fact(person_id who, const new_fact & f);  // in the caller's transaction
    status reinforce_locked(person_id who, int64_t id, const std::vector<int64_t> & sources, int64_t ts, double confidence);
    result<int64_t> insert_turn(person_id who, const new_turn & t);
    std::string known_hits(person_id who, const std::vector<std::string> & terms);
    result<std::vector<std::string>> conversations_quoting(person_id who, int64_t id);
    result<std::vector<std::string>> conversations_quoting_facts(person_id who, const std::vector<int64_t> & facts);
    std::unique_ptr<sqlite_db> db_;
    store_limits limits_;
    std::unique_ptr<turn_briefs> briefs_;  // ranking's view of the turns, in memory
    std::unique_ptr<fts_vocab> vocab_;  // made on first use
    std::unordered_map<person_id, std::unordered_set<std::string>> speaker_stems_;  // see speaker_words
    std::unordered_map<person_id, int64_t> turn_counts_;  // see person_turns_estimate
    struct vector_set {
        std::vector<int64_t> ids;
        std::vector<float> data;  // ids.size() rows of vector_dims_
    };
    std::unordered_map<person_id, vector_set> vectors_;   // see search_vectors
    int vector_dims_ = 0;                                 // 0 until use_vector_model
};

}  // namespace os1::memory
