#include "memory/memory_store.h"

#include <ctime>

#include "base/files.h"
#include "base/utf8.h"
#include "memory/memory_store_rows.h"
#include "memory/migrations.h"
#include "memory/person_tokenizer.h"
#include "memory/sqlite_db.h"
#include "memory/turn_briefs.h"

namespace os1::memory {

memory_store::memory_store(std::unique_ptr<sqlite_db> db, const store_limits & limits)
    : db_(std::move(db)),
      limits_(limits),
      briefs_(std::make_unique<turn_briefs>(*db_, limits.brief_turns)),
      vectors_(std::make_unique<vector_store>(*db_)),
      facts_(std::make_unique<fact_store>(*db_, limits_)),
      turns_(std::make_unique<turn_store>(*db_, limits_, *briefs_, *facts_, *vectors_)),
      profiles_(std::make_unique<profile_store>(*db_, limits_)),
      summaries_(std::make_unique<summary_store>(*db_, limits_)),
      personas_(std::make_unique<persona_store>(*db_, limits_)),
      feelings_(std::make_unique<feeling_store>(*db_, *turns_)),
      initiatives_(std::make_unique<initiative_store>(*db_)) {
    // What the caches learned from undone writes is forgotten; they reload on use.
    db_->on_rollback([this] {
        briefs_->note_rollback();
        turns_->forget_all_cached();
        vectors_->forget_all_cached();
    });
}

memory_store::~memory_store() { db_->on_rollback({}); }

memory_store::transaction::transaction(memory_store & store) : txn_(std::make_unique<sqlite_txn>(*store.db_)) {}
memory_store::transaction::~transaction() = default;
const status & memory_store::transaction::begun() const { return txn_->begun(); }
status memory_store::transaction::commit() { return txn_->commit(); }

void memory_store::before_write(std::function<void()> fn) { db_->before_write(std::move(fn)); }

const std::string & memory_store::path() const { return db_->path(); }

result<std::unique_ptr<memory_store>> memory_store::open(const std::string & path, const store_limits & limits) {
    auto db = sqlite_db::open(path);
    if (!db) return db.error();
    if (auto st = migrate(**db); !st) return st;
    std::unique_ptr<memory_store> store(new memory_store(std::move(*db), limits));
    // Recall's BM25 reads each row's length from the turns held in memory.
    if (auto st = register_bm25(store->db_->raw(), &turn_briefs::row_tokens, store->briefs_.get()); !st) return st;
    return store;
}

result<person_id> memory_store::person(const std::string & name, bool create) {
    if (name.empty() || name.size() > limits_.max_name_bytes || !utf8_is_valid(name)) {
        return status(status_code::invalid_argument, "a person's name must be 1 to " +
                                                         std::to_string(limits_.max_name_bytes) + " bytes of UTF-8");
    }
    auto find = db_->prepare("SELECT id FROM people WHERE name = ?1");
    if (!find) return find.error();
    find->bind(1, name);
    auto row = find->step();
    if (!row) return row.error();
    if (*row) return find->int64(0);
    if (!create) return status(status_code::not_found, "no memories of '" + name + "'");
    // Numbered after every id ever used (0014): an erased person's id is never reused.
    auto ins = db_->prepare("INSERT INTO people (id, name, created_at) VALUES ((SELECT id + 1 FROM person_id_high), ?1, ?2)");
    if (!ins) return ins.error();
    ins->bind(1, name).bind(2, static_cast<int64_t>(std::time(nullptr)));
    if (auto st = ins->run(); !st) return st;
    return db_->last_insert_id();
}

status memory_store::erase_person(person_id who) {
    turns_->forget_cached(who);
    vectors_->forget_cached(who);
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    // Turns first, row by row through the trigger, so the index forgets them too.
    for (const char * sql : {"DELETE FROM turns WHERE person_id = ?1", "DELETE FROM sessions WHERE person_id = ?1",
                             "DELETE FROM people WHERE id = ?1"}) {
        auto st = db_->prepare(sql);
        if (!st) return st.error();
        st->bind(1, who);
        if (auto s = st->run(); !s) return s;
    }
    return txn.commit();
}

status memory_store::compact() {
    // FTS5 keeps deleted words in old segments until they are merged.
    if (auto st = merge_index(); !st) return st;
    if (auto st = db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !st) return st;
    if (auto st = db_->exec("VACUUM"); !st) return st;
    return db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

memory_store::snapshot::snapshot(memory_store & store) : store_(store), txn_(std::make_unique<sqlite_read>(*store.db_)) {
    store_.briefs_->pin();
}

memory_store::snapshot::~snapshot() { store_.briefs_->unpin(); }

// The three full-text indexes recall searches, most searched first.
static const char * const text_indexes[] = {"turns_fts", "facts_fts", "summaries_fts"};

status memory_store::merge_index() {
    for (const char * fts : text_indexes) {
        if (auto st = db_->exec(std::string("INSERT INTO ") + fts + " (" + fts + ") VALUES ('optimize')"); !st) return st;
    }
    return status::ok();
}

result<bool> memory_store::merge_index_step(int pages) {
    // FTS5's incremental merge: a negative page count merges whatever segments
    // there are; whether it did anything shows in the connection's changes.
    for (const char * fts : text_indexes) {
        const int64_t before = db_->total_changes();
        if (auto st = db_->exec(std::string("INSERT INTO ") + fts + " (" + fts + ", rank) VALUES ('merge', -" + std::to_string(pages) + ")");
            !st) {
            return st;
        }
        if (db_->total_changes() - before > 1) return true;  // the command's own row counts one
    }
    return false;
}

status memory_store::check_file(const std::string & path, int & schema) {
    if (!path_exists(path)) return status(status_code::not_found, "no memory database at '" + path + "'");
    sqlite_options ro;
    ro.read_only = true;
    ro.create = false;
    auto db = sqlite_db::open(path, ro);
    if (!db) return db.error();
    auto v = schema_version(**db);
    if (!v) return v.error();
    schema = *v;
    memory_store probe(std::move(*db), store_limits{});
    return probe.check_integrity();
}

status memory_store::check_integrity() {
    auto st = db_->prepare("PRAGMA integrity_check");
    if (!st) return st.error();
    std::string report;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        if (!report.empty()) report += "; ";
        report += st->text(0);
    }
    if (report != "ok") return status(status_code::corrupt, "the memory database '" + path() + "' failed its check: " + report);
    return status::ok();
}

result<std::vector<std::string>> memory_store::people() {
    auto st = db_->prepare("SELECT name FROM people ORDER BY name");
    return collect_texts(st);
}

}  // namespace os1::memory
