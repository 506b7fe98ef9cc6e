// Versioned schema migrations, kept as files in src/memory/migrations/ and built
// into the binary. The database's PRAGMA user_version is the number of the last
// migration applied.
#pragma once

#include <string_view>
#include <vector>

#include "memory/sqlite_db.h"

namespace os1::memory {

struct migration {
    int version;            // 1, 2, ...: the file's number
    std::string_view name;  // the file's name
    std::string_view sql;
};

// Every migration, in order (generated from the .sql files at build time).
const std::vector<migration> & all_migrations();

// Brings DB up to the newest schema, each migration in its own transaction.
// A database newer than this program is refused (unsupported), not touched.
status migrate(sqlite_db & db);

// The schema version of DB (0 for an empty file).
result<int> schema_version(sqlite_db & db);

}  // namespace os1::memory
