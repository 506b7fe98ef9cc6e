// How many turns contain a word, as the full-text index counts it: the word is
// stemmed by the index's own tokenizer (SQLite's porter over unicode61) and
// looked up in the index's vocabulary (fts5vocab), in O(log n). Recall uses it
// to leave out words so common that searching them costs much and tells little.
// Internal to src/memory. One thread at a time (the store's).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/sqlite_db.h"

namespace os1::memory {

class fts_vocab {
public:
    // unsupported when this SQLite has no FTS5 porter tokenizer.
    static result<std::unique_ptr<fts_vocab>> create(sqlite_db & db);
    ~fts_vocab();
    fts_vocab(const fts_vocab &) = delete;
    fts_vocab & operator=(const fts_vocab &) = delete;

    // WORD as the index stems it ("dancing" -> "danc"); "" when it has no token.
    std::string stem(std::string_view word) const;
    // Turns of WHO whose text contains WORD. fts5vocab counts by walking the
    // word's postings, so counts are kept and counted again only once the
    // index has grown by a tenth (INDEXED_TURNS: its size now).
    result<int64_t> turns_with(int64_t who, std::string_view word, int64_t indexed_turns);
    // The same when it is known (counted, and the index has not grown by a tenth since), without counting.
    std::optional<int64_t> known_turns_with(int64_t who, std::string_view word, int64_t indexed_turns) const;
    // The stems of every word of TEXT.
    std::vector<std::string> stems(std::string_view text) const;

private:
    struct impl;
    explicit fts_vocab(std::unique_ptr<impl> p);
    std::optional<int64_t> known_count(const std::string & term, int64_t indexed_turns) const;
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::memory
