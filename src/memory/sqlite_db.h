// A small RAII layer over sqlite3: one connection, prepared statements, and
// transactions. Only src/memory/ includes sqlite3.h (ARCHITECTURE.md, 4).
//
// A sqlite_db is used by one thread at a time; the caller serializes access.
// Every failure is a status naming the database file and SQLite's message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "os1/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace os1::memory {

struct sqlite_options {
    bool read_only = false;
    bool create = true;               // create the file when it does not exist
    int busy_timeout_ms = 5000;       // wait this long for another writer
    bool secure_delete = true;        // deleted content is overwritten, not left in free pages
    int cache_mib = 64;               // SQLite's page cache for this connection
    int mmap_mib = 1024;              // the file is read through a mapping of up to this size
};

class sqlite_stmt;

class sqlite_db {
public:
    // Opens PATH with WAL, synchronous=FULL and foreign keys on.
    static result<std::unique_ptr<sqlite_db>> open(const std::string & path, const sqlite_options & o = {});
    ~sqlite_db();
    sqlite_db(const sqlite_db &) = delete;
    sqlite_db & operator=(const sqlite_db &) = delete;

    // Runs one or more statements without results.
    status exec(std::string_view sql);
    // A prepared statement. Statements are kept for reuse when released (recall
    // runs the same few dozen queries many times a turn; compiling them again
    // each time cost more than running them).
    result<sqlite_stmt> prepare(std::string_view sql);
    int64_t last_insert_id() const;
    int changes() const;
    int64_t total_changes() const;
    const std::string & path() const { return path_; }
    sqlite3 * raw() { return db_; }

    // A status from the connection's last error, with CONTEXT in front.
    status last_error(const std::string & context) const;

    // FN runs whenever writes are undone (a transaction or a nested one rolled
    // back), so that what was learned from them is forgotten; one at a time, {} for none.
    void on_rollback(std::function<void()> fn) { on_rollback_ = std::move(fn); }
    void rolled_back() const;
    // Test hook: FN runs before each statement that may write (a test ends the process there).
    void before_write(std::function<void()> fn) { before_write_ = std::move(fn); }

private:
    friend class sqlite_stmt;
    sqlite_db(sqlite3 * db, std::string path) : db_(db), path_(std::move(path)) {}
    std::function<void()> on_rollback_;
    std::function<void()> before_write_;
    void release(std::string sql, sqlite3_stmt * st);  // back into idle_, or finalized
    sqlite3 * db_;
    std::string path_;
    std::unordered_map<std::string, sqlite3_stmt *> idle_;  // SQL -> a reset statement not in use
};

// A prepared statement. bind_* take 1-based indexes; step() is true while a row is
// ready; column_* read the current row (0-based).
class sqlite_stmt {
public:
    sqlite_stmt(sqlite_stmt && o) noexcept : db_(o.db_), st_(o.st_), sql_(std::move(o.sql_)) { o.st_ = nullptr; }
    sqlite_stmt & operator=(sqlite_stmt &&) = delete;
    ~sqlite_stmt();

    sqlite_stmt & bind(int i, int64_t v);
    sqlite_stmt & bind(int i, double v);
    sqlite_stmt & bind(int i, std::string_view v);
    sqlite_stmt & bind_null(int i);
    sqlite_stmt & bind_blob(int i, const void * data, size_t bytes);
    // true: a row is ready; false: done. Errors become a status.
    result<bool> step();
    // Runs to completion, for statements without rows.
    status run();
    void reset();

    int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::string blob(int col) const;
    bool is_null(int col) const;

private:
    friend class sqlite_db;
    sqlite_stmt(sqlite_db * db, sqlite3_stmt * st, std::string sql) : db_(db), st_(st), sql_(std::move(sql)) {}
    sqlite_db * db_;
    sqlite3_stmt * st_;
    std::string sql_;  // its text, under which it goes back to the database's idle statements
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without commit().
// Inside a transaction already, a savepoint: its writes join the outer
// transaction on commit() and only they are undone without it.
class sqlite_txn {
public:
    explicit sqlite_txn(sqlite_db & db);
    ~sqlite_txn();
    sqlite_txn(const sqlite_txn &) = delete;
    sqlite_txn & operator=(const sqlite_txn &) = delete;
    const status & begun() const { return begun_; }
    status commit();

private:
    sqlite_db & db_;
    status begun_;
    bool open_ = false;
    bool nested_ = false;
};

// A read transaction for a run of queries: one snapshot, and the WAL's locks
// taken once rather than per statement. Inside a transaction already, nothing.
class sqlite_read {
public:
    explicit sqlite_read(sqlite_db & db);
    ~sqlite_read();
    sqlite_read(const sqlite_read &) = delete;
    sqlite_read & operator=(const sqlite_read &) = delete;

private:
    sqlite_db & db_;
    bool open_ = false;
};

}  // namespace os1::memory
