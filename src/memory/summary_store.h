// Summaries of sessions and of the person (0009), with a full-text index.
// Part of memory_store (memory_store.h), over its connection and transaction.
#pragma once

#include <string>
#include <vector>

#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::memory {

class sqlite_db;
class sqlite_stmt;

class summary_store {
public:
    summary_store(sqlite_db & db, const store_limits & limits) : db_(&db), limits_(limits) {}

    // The session most in need of a summary: the oldest with at least MIN_NEW
    // turns its summary does not cover, or with at least 2 when it is over (ended,
    // or a newer session began). SESSION_ID 0: none. PREVIOUS: its summary, if any.
    struct summary_due {
        int64_t session_id = 0;
        summary_record previous;  // id 0 when there is none
    };
    result<summary_due> session_summary_due(person_id who, int min_new);
    // The session's summary (session_id != 0) or the person's (0); id 0 when there is none.
    result<summary_record> summary(person_id who, int64_t session_id);
    // Session summaries covering turns after AFTER (the person's summary reads
    // them), newest first, up to LIMIT; with AFTER 0, every one.
    result<std::vector<summary_record>> session_summaries(person_id who, int64_t after, int limit);
    // Stores (or replaces) a summary. invalid_argument: empty, over
    // max_summary_bytes, not UTF-8, or a session that is not this person's.
    status put_summary(person_id who, int64_t session_id, const std::string & text, int64_t upto_turn_id);
    // Full-text search over this person's summaries, as fact_store::search_facts.
    result<std::vector<text_hit>> search_summaries(person_id who, const std::vector<std::string> & terms, int limit);
    // Session summaries by id (ids of others are skipped).
    result<std::vector<summary_record>> summaries_by_id(person_id who, const std::vector<int64_t> & ids);

private:
    static result<std::vector<summary_record>> collect_summaries(result<sqlite_stmt> & st);

    sqlite_db * db_;
    const store_limits & limits_;
};

}  // namespace os1::memory
