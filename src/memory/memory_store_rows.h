// Internal to src/memory: how the stores read rows and build queries.
#pragma once

#include <string>
#include <vector>

#include "memory/memory_types.h"
#include "memory/sqlite_db.h"

namespace os1::memory {

// The columns read_turn expects, from `turns t`.
extern const char * const turn_columns;
// Every row of ST as a turn.
result<std::vector<turn_record>> collect_turns(result<sqlite_stmt> & st);
// A role column's value (the schema allows only the three names).
inline os1::role role_column(const std::string & name) { return parse_role(name).value_or(os1::role::user); }
// The first column of every row of ST, as text.
result<std::vector<std::string>> collect_texts(result<sqlite_stmt> & st);
// An FTS5 query ORing TERMS as WHO's words (person_tokenizer.h); only letters
// and digits of each survive, so no FTS5 syntax from the input does.
std::string fts_query(person_id who, const std::vector<std::string> & terms);
// "[1,2,3]", for `IN (SELECT value FROM json_each(?))`.
std::string json_id_array(const std::vector<int64_t> & ids);
// The ids of a JSON array of non-negative integers (json_group_array's output).
std::vector<int64_t> parse_id_array(const std::string & json);
// (id, score, words matched) rows, of N_TERMS words searched, as hits.
result<std::vector<text_hit>> collect_hits(result<sqlite_stmt> & st, size_t n_terms);
// TABLE's full text (TABLE_fts, of facts or summaries) for WHO, coordinated:
// BM25 times the share of TERMS held; WHERE adds a condition on TABLE f.
result<std::vector<text_hit>> search_short(sqlite_db & db, const std::string & table, const char * where, person_id who,
                                           const std::vector<std::string> & terms, int limit);

}  // namespace os1::memory
