// The full-text index's tokenizer, "os1_person": SQLite's porter over
// unicode61, with every token prefixed by its owner, so that each person has
// their own postings. A column value is "<person id>\x1f<text>" and gives the
// tokens "<person id>_<stem>"; a query word is written the same way
// ("\"17\x1fsister\"" finds "17_sister"). A search then walks only that
// person's postings (B3: with 1,000 people it costs what one person's
// memories cost), and a word's document frequency is that person's own.
// A value without an owner gives tokens no query can name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "os1/status.h"

struct sqlite3;

namespace os1::memory {

constexpr char owner_separator = '\x1f';

// Registers "os1_person" and the auxiliary function os1_matched(turns_fts)
// (how many of the query's words a row holds) on DB: each connection, before
// the index is used.
status register_person_tokenizer(sqlite3 * db);

// Registers os1_bm25(fts, hits, weight...) on DB (see person_tokenizer.cpp).
// ROW_TOKENS(CTX, rowid), when given, says a row's length in tokens as the
// index counts it (0: not known, then FTS5 reads it).
using row_tokens_fn = int (*)(const void * ctx, int64_t rowid);
status register_bm25(sqlite3 * db, row_tokens_fn row_tokens, const void * ctx);

// "<who>\x1f<text>": a value as the index takes it, or a query word.
std::string owned_text(int64_t who, std::string_view text);

}  // namespace os1::memory
