#include "memory/migrations.h"

#include <string>

namespace os1::memory {

result<int> schema_version(sqlite_db & db) {
    auto st = db.prepare("PRAGMA user_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return static_cast<int>(st->int64(0));
}

status migrate(sqlite_db & db) {
    auto v = schema_version(db);
    if (!v) return v.error();
    const auto & all = all_migrations();
    const int newest = all.empty() ? 0 : all.back().version;
    if (*v > newest) {
        return status(status_code::unsupported, "the memory database '" + db.path() + "' has schema version " +
                                                    std::to_string(*v) + ", newer than this os1 (" +
                                                    std::to_string(newest) + "); upgrade os1");
    }
    for (const auto & m : all) {
        if (m.version <= *v) continue;
        sqlite_txn txn(db);
        if (!txn.begun()) return txn.begun();
        if (auto st = db.exec(m.sql); !st) return st.with_context("migration " + std::string(m.name));
        if (auto st = db.exec("PRAGMA user_version = " + std::to_string(m.version)); !st) return st;
        if (auto st = txn.commit(); !st) return st;
    }
    return status::ok();
}

}  // namespace os1::memory
