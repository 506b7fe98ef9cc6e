// Internal to src/memory: how the store's files read turns from rows.
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
// "[1,2,3]", for `IN (SELECT value FROM json_each(?))`.
std::string json_id_array(const std::vector<int64_t> & ids);

}  // namespace os1::memory
