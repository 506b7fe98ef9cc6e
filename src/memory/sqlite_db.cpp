#include "memory/sqlite_db.h"

#include "memory/person_tokenizer.h"

#include <sqlite3.h>
#include <sys/stat.h>

namespace os1::memory {

result<std::unique_ptr<sqlite_db>> sqlite_db::open(const std::string & path, const sqlite_options & o) {
    sqlite3 * raw = nullptr;
    int flags = o.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (o.create && !o.read_only) flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;  // one thread at a time, by contract
    struct stat before {};
    const bool is_new = ::stat(path.c_str(), &before) != 0;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // The database holds people's private lives: its owner's only. SQLite gives
    // the WAL and shared-memory files the database's mode, so they follow.
    if (rc == SQLITE_OK && is_new && !o.read_only) ::chmod(path.c_str(), 0600);
    std::unique_ptr<sqlite_db> db(new sqlite_db(raw, path));
    if (rc != SQLITE_OK) {
        return status(rc == SQLITE_CANTOPEN ? status_code::not_found : status_code::io_error,
                      "cannot open the memory database '" + path + "': " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(raw, o.busy_timeout_ms);
    sqlite3_extended_result_codes(raw, 1);
    // Recall reads the same index pages many times a turn: a page cache of
    // cache_mib and reads through mmap rather than a read() per page miss.
    std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA cache_size=-" + std::to_string(o.cache_mib * 1024) +
                          "; PRAGMA mmap_size=" + std::to_string(static_cast<uint64_t>(o.mmap_mib) << 20) + ";";
    if (!o.read_only) {
        // WAL lets readers go on while a turn is written; FULL syncs the WAL on every
        // commit so that an acknowledged turn survives a power cut.
        pragmas += "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
        if (o.secure_delete) pragmas += "PRAGMA secure_delete=ON;";
    }
    if (auto st = db->exec(pragmas); !st) return st;
    // The full-text index cannot be read or written without its tokenizer.
    if (auto st = register_person_tokenizer(raw); !st) return st;
    sqlite3_rollback_hook(
        raw, [](void * self) { static_cast<const sqlite_db *>(self)->rolled_back(); }, db.get());
    return db;
}

void sqlite_db::rolled_back() const {
    if (on_rollback_) on_rollback_();
}

sqlite_db::~sqlite_db() {
    sqlite3_rollback_hook(db_, nullptr, nullptr);
    for (auto & [sql, st] : idle_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
}

void sqlite_db::release(std::string sql, sqlite3_stmt * st) {
    constexpr size_t max_idle = 128;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (idle_.size() >= max_idle || idle_.count(sql)) {
        sqlite3_finalize(st);  // a second copy (the first was in use when this one was made)
        return;
    }
    idle_.emplace(std::move(sql), st);
}

status sqlite_db::last_error(const std::string & context) const {
    const int rc = sqlite3_extended_errcode(db_);
    status_code code = status_code::io_error;
    switch (rc & 0xff) {
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: code = status_code::corrupt; break;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE: code = status_code::invalid_argument; break;
        case SQLITE_FULL:
        case SQLITE_NOMEM:
        case SQLITE_BUSY:
        case SQLITE_LOCKED: code = status_code::resource_exhausted; break;
        case SQLITE_ERROR: code = status_code::internal; break;
        default: break;
    }
    return status(code, context + " (" + path_ + "): " + sqlite3_errmsg(db_));
}

status sqlite_db::exec(std::string_view sql) {
    if (before_write_) before_write_();
    const std::string s(sql);
    char * msg = nullptr;
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string m = msg ? msg : "unknown error";
        sqlite3_free(msg);
        auto st = last_error("memory database");
        return status(st.code(), "memory database (" + path_ + "): " + m);
    }
    return status::ok();
}

result<sqlite_stmt> sqlite_db::prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = idle_.find(key); it != idle_.end()) {
        sqlite3_stmt * st = it->second;
        idle_.erase(it);
        return sqlite_stmt(this, st, std::move(key));
    }
    sqlite3_stmt * st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
        return last_error("preparing a query");
    }
    return sqlite_stmt(this, st, std::move(key));
}

int64_t sqlite_db::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int sqlite_db::changes() const { return sqlite3_changes(db_); }
int64_t sqlite_db::total_changes() const { return sqlite3_total_changes64(db_); }

sqlite_stmt::~sqlite_stmt() {
    if (st_) db_->release(std::move(sql_), st_);
}

sqlite_stmt & sqlite_stmt::bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
}
sqlite_stmt & sqlite_stmt::bind(int i, double v) {
    sqlite3_bind_double(st_, i, v);
    return *this;
}
sqlite_stmt & sqlite_stmt::bind(int i, std::string_view v) {
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}
sqlite_stmt & sqlite_stmt::bind_null(int i) {
    sqlite3_bind_null(st_, i);
    return *this;
}
sqlite_stmt & sqlite_stmt::bind_blob(int i, const void * data, size_t bytes) {
    sqlite3_bind_blob(st_, i, data, static_cast<int>(bytes), SQLITE_TRANSIENT);
    return *this;
}

result<bool> sqlite_stmt::step() {
    if (db_->before_write_ && !sqlite3_stmt_busy(st_) && !sqlite3_stmt_readonly(st_)) db_->before_write_();
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return db_->last_error("running a query");
}

status sqlite_stmt::run() {
    for (;;) {
        auto r = step();
        if (!r) return r.error();
        if (!*r) return status::ok();
    }
}

void sqlite_stmt::reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
}

int64_t sqlite_stmt::int64(int col) const { return sqlite3_column_int64(st_, col); }
double sqlite_stmt::real(int col) const { return sqlite3_column_double(st_, col); }
bool sqlite_stmt::is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
std::string sqlite_stmt::blob(int col) const {
    const auto * p = static_cast<const char *>(sqlite3_column_blob(st_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}

std::string sqlite_stmt::text(int col) const {
    const auto * p = reinterpret_cast<const char *>(sqlite3_column_text(st_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}

sqlite_txn::sqlite_txn(sqlite_db & db) : db_(db), nested_(sqlite3_get_autocommit(db.raw()) == 0) {
    begun_ = db_.exec(nested_ ? "SAVEPOINT os1_nested" : "BEGIN IMMEDIATE");
    open_ = begun_.is_ok();
}

sqlite_txn::~sqlite_txn() {
    if (!open_) return;
    if (!nested_) {
        (void)db_.exec("ROLLBACK");  // the rollback hook tells the caches
        return;
    }
    (void)db_.exec("ROLLBACK TO os1_nested; RELEASE os1_nested");
    db_.rolled_back();  // SQLite calls its hook for whole transactions only
}

status sqlite_txn::commit() {
    if (!open_) return begun_.is_ok() ? status(status_code::internal, "transaction already ended") : begun_;
    if (auto st = db_.exec(nested_ ? "RELEASE os1_nested" : "COMMIT"); !st) {
        if (nested_) return st;  // still open: the destructor undoes it
        open_ = false;
        (void)db_.exec("ROLLBACK");
        return st;
    }
    open_ = false;
    return status::ok();
}

sqlite_read::sqlite_read(sqlite_db & db) : db_(db) {
    // A failed BEGIN leaves each statement its own transaction, as without this.
    open_ = sqlite3_get_autocommit(db_.raw()) != 0 && db_.exec("BEGIN").is_ok();
}

sqlite_read::~sqlite_read() {
    if (open_) (void)db_.exec("COMMIT");
}

}  // namespace os1::memory
