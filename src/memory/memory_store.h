// The per-person memory store on SQLite: people, and one store per concept
// (turns, profiles, facts, summaries, persona, feelings, initiative, vectors)
// over one connection, so that one transaction spans them. Only this module
// speaks SQL.
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
#include <vector>

#include "memory/fact_store.h"
#include "memory/feeling_store.h"
#include "memory/initiative_store.h"
#include "memory/memory_types.h"
#include "memory/persona_store.h"
#include "memory/profile_store.h"
#include "memory/summary_store.h"
#include "memory/turn_store.h"
#include "memory/vector_store.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;
class sqlite_read;
class turn_briefs;
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

    // One store per concept, over this connection and its transaction.
    turn_store & turns() { return *turns_; }
    profile_store & profiles() { return *profiles_; }
    fact_store & facts() { return *facts_; }
    summary_store & summaries() { return *summaries_; }
    persona_store & personas() { return *personas_; }
    feeling_store & feelings() { return *feelings_; }
    initiative_store & initiatives() { return *initiatives_; }
    vector_store & vectors() { return *vectors_; }

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
    std::unique_ptr<sqlite_db> db_;
    store_limits limits_;
    std::unique_ptr<turn_briefs> briefs_;  // ranking's view of the turns, in memory
    std::unique_ptr<vector_store> vectors_;
    std::unique_ptr<fact_store> facts_;
    std::unique_ptr<turn_store> turns_;
    std::unique_ptr<profile_store> profiles_;
    std::unique_ptr<summary_store> summaries_;
    std::unique_ptr<persona_store> personas_;
    std::unique_ptr<feeling_store> feelings_;
    std::unique_ptr<initiative_store> initiatives_;
};

}  // namespace os1::memory
