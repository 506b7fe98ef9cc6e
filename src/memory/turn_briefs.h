#pragma once

// What recall's ranking needs of a person's turns (id, session, time, speaker,
// role, the caller's id, length in index tokens: no text), held in memory so that scoring hundreds of
// candidates and their neighbours reads no rows (B3: one person's recall over
// 100,000 memories within 5 ms). Filled from SQL for a person on first use,
// kept current through the connection's update hook, emptied when another
// connection has written. What recall finally returns is read again from SQL.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;
class sqlite_stmt;

class turn_briefs {
public:
    // MAX_TURNS: about how many turns are held in all (about 64 bytes each); the
    // people used longest ago are let go first, the one in use never.
    turn_briefs(sqlite_db & db, size_t max_turns);
    ~turn_briefs();
    turn_briefs(const turn_briefs &) = delete;
    turn_briefs & operator=(const turn_briefs &) = delete;

    // Within a read transaction another connection's writes cannot appear:
    // checked once when it begins (pin) rather than at each use.
    void pin();
    void unpin();

    // WHO's turns among IDS, in id order (text, recalled block and session key empty).
    result<std::vector<turn_record>> by_id(person_id who, const std::vector<int64_t> & ids);
    // Up to N turns of the same session either side of turn ID, in id order
    // (without ID); empty when ID is not WHO's.
    result<std::vector<turn_record>> neighbours(person_id who, int64_t id, int n);
    // The turns of WHO's session SESSION_ID, in id order.
    result<std::vector<turn_record>> session(person_id who, int64_t session_id);
    // Whether each of IDS is one of WHO's turns.
    result<std::vector<bool>> owned(person_id who, const std::vector<int64_t> & ids);

    // While a search of WHO's turns runs: WHO's turns held (loaded now when
    // not), and row_tokens answers for them.
    status focus(person_id who);
    void unfocus() { focus_ = nullptr; }
    // A turn's length in the index's tokens (text and speaker), 0 when not
    // known here; for os1_bm25 (person_tokenizer.h), CTX being a turn_briefs.
    static int row_tokens(const void * ctx, int64_t id);

    size_t held_turns() const { return held_; }

    // From the connection's hooks: a row of turns changed; a transaction was undone.
    void note_change(int64_t id);
    void note_rollback();

private:
    struct brief {
        int64_t id;
        int64_t session_id;
        int64_t ts;
        uint32_t speaker;  // index into person_turns::name_list
        os1::role role;
        uint16_t tokens;   // its length in the index (0: not known)
    };
    struct person_turns {
        std::unordered_map<int64_t, brief> turns;  // by id
        std::vector<std::string> name_list;  // speakers, each once
        std::unordered_map<std::string, uint32_t> names;  // index into name_list
        std::unordered_map<int64_t, std::string> ext_ids;  // only turns that have one
        std::unordered_map<int64_t, std::vector<int64_t>> sessions;  // session id -> its turns' ids, in order
        uint64_t used = 0;
    };

    status sync();
    result<person_turns *> of(person_id who);
    status apply_changes();
    // The row at columns COL.. (id, session_id, ext_id, ts, speaker, role, docsize);
    // LOADING: appended in any order, put in order and into sessions after.
    void add(person_turns & p, const sqlite_stmt & st, int col, bool loading);
    void evict(person_id keep);
    void drop_all();
    turn_record record(const person_turns & p, const brief & b) const;

    sqlite_db & db_;
    size_t max_turns_;
    size_t held_ = 0;
    uint64_t clock_ = 0;
    int pins_ = 0;
    bool synced_in_pin_ = false;
    int64_t data_version_ = -1;
    std::unordered_map<person_id, person_turns> people_;
    const person_turns * focus_ = nullptr;
    std::vector<int64_t> changed_;  // turn ids this connection inserted, updated or deleted since the last sync
    bool changed_many_ = false;     // too many to follow: drop everything
};

}  // namespace os1::memory
