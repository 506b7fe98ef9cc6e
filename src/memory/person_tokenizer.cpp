#include "memory/person_tokenizer.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace os1::memory {
namespace {

struct person_tokenizer {
    fts5_tokenizer porter{};
    Fts5Tokenizer * inner = nullptr;
};

// What a token callback needs: the owner's prefix and where to send tokens.
struct emit_state {
    std::string buf;  // "<who>_" then the token
    size_t prefix = 0;
    int offset = 0;   // bytes before the text in the original value
    void * ctx = nullptr;
    int (*x_token)(void *, int, const char *, int, int, int) = nullptr;
};

int on_token(void * p, int tflags, const char * token, int n, int start, int end) {
    auto * st = static_cast<emit_state *>(p);
    st->buf.resize(st->prefix);
    st->buf.append(token, static_cast<size_t>(n));
    return st->x_token(st->ctx, tflags, st->buf.data(), static_cast<int>(st->buf.size()), start + st->offset, end + st->offset);
}

int x_create(void * api_ptr, const char **, int, Fts5Tokenizer ** out) {
    auto * api = static_cast<fts5_api *>(api_ptr);
    auto * t = new (std::nothrow) person_tokenizer;
    if (!t) return SQLITE_NOMEM;
    void * porter_ctx = nullptr;
    int rc = api->xFindTokenizer(api, "porter", &porter_ctx, &t->porter);
    // Porter over unicode61 with diacritics removed, as the index was before (0001).
    const char * args[] = {"unicode61", "remove_diacritics", "2"};
    if (rc == SQLITE_OK) rc = t->porter.xCreate(porter_ctx, args, 3, &t->inner);
    if (rc != SQLITE_OK) {
        delete t;
        return rc;
    }
    *out = reinterpret_cast<Fts5Tokenizer *>(t);
    return SQLITE_OK;
}

void x_delete(Fts5Tokenizer * p) {
    auto * t = reinterpret_cast<person_tokenizer *>(p);
    if (t->inner) t->porter.xDelete(t->inner);
    delete t;
}

int x_tokenize(Fts5Tokenizer * p, void * ctx, int flags, const char * text, int n,
               int (*x_token)(void *, int, const char *, int, int, int)) {
    auto * t = reinterpret_cast<person_tokenizer *>(p);
    const std::string_view all(text ? text : "", static_cast<size_t>(n > 0 ? n : 0));
    const size_t sep = all.find(owner_separator);
    emit_state st;
    st.ctx = ctx;
    st.x_token = x_token;
    // No owner: a prefix no query can write, so the tokens are never found.
    st.buf = sep == std::string_view::npos ? std::string("\x1f_") : std::string(all.substr(0, sep)) + "_";
    st.prefix = st.buf.size();
    const size_t from = sep == std::string_view::npos ? 0 : sep + 1;
    st.offset = static_cast<int>(from);
    return t->porter.xTokenize(t->inner, &st, flags, all.data() + from, static_cast<int>(all.size() - from), on_token);
}

// os1_matched(turns_fts): how many of the query's phrases (words) the row
// holds, for Lucene's coordination factor in one query (recall.cpp).
void matched_phrases(const Fts5ExtensionApi * api, Fts5Context * fts, sqlite3_context * ctx, int, sqlite3_value **) {
    int matched = 0;
    const int n = api->xPhraseCount(fts);
    for (int i = 0; i < n; ++i) {
        Fts5PhraseIter iter;
        int col = -1, off = -1;
        if (api->xPhraseFirst(fts, i, &iter, &col, &off) == SQLITE_OK && col >= 0) ++matched;
    }
    sqlite3_result_int(ctx, matched);
}

// os1_bm25(fts, hits, weight, ...): FTS5's own bm25() (k1 1.2, b 0.75, the
// same IDF and column weights), positive. HITS, "n1,n2,...", gives each
// phrase's number of matching rows when the caller knows them: FTS5 counts
// them by reading every phrase's postings again for each query, which was
// a fifth of a recall's time over a long life (B3). "" or NULL: counted here.
// A row's length comes from the function's row_tokens when it knows it: FTS5
// reads it from the docsize table, a b-tree lookup per row scored, which was
// another third.
struct row_lengths {
    row_tokens_fn fn = nullptr;
    const void * ctx = nullptr;
};

struct bm25_query {
    double avgdl = 0;
    std::vector<double> idf;
};

int count_row(const Fts5ExtensionApi *, Fts5Context *, void * n) {
    ++*static_cast<int64_t *>(n);
    return SQLITE_OK;
}

bm25_query * bm25_data(const Fts5ExtensionApi * api, Fts5Context * fts, sqlite3_value * known, int & rc) {
    if (auto * q = static_cast<bm25_query *>(api->xGetAuxdata(fts, 0))) return q;
    auto * q = new (std::nothrow) bm25_query;
    if (!q) {
        rc = SQLITE_NOMEM;
        return nullptr;
    }
    sqlite3_int64 rows = 0, tokens = 0;
    rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    q->avgdl = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 0;
    const int n = api->xPhraseCount(fts);
    std::vector<int64_t> given;
    if (const auto * text = known ? reinterpret_cast<const char *>(sqlite3_value_text(known)) : nullptr) {
        for (const char * p = text; *p;) {
            char * end = nullptr;
            given.push_back(std::strtoll(p, &end, 10));
            if (end == p) break;
            p = *end == ',' ? end + 1 : end;
        }
    }
    if (given.size() != static_cast<size_t>(n)) given.clear();  // not these phrases: count them
    for (int i = 0; rc == SQLITE_OK && i < n; ++i) {
        int64_t hits = 0;
        if (!given.empty()) {
            hits = std::min<int64_t>(given[static_cast<size_t>(i)], rows);
        } else {
            rc = api->xQueryPhrase(fts, i, &hits, count_row);
        }
        double idf = std::log((0.5 + static_cast<double>(rows - hits)) / (0.5 + static_cast<double>(hits)));
        if (idf <= 0.0) idf = 1e-6;
        q->idf.push_back(idf);
    }
    if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, q, [](void * p) { delete static_cast<bm25_query *>(p); });
    if (rc != SQLITE_OK) {
        delete q;
        return nullptr;
    }
    return q;
}

void bm25(const Fts5ExtensionApi * api, Fts5Context * fts, sqlite3_context * ctx, int nval, sqlite3_value ** vals) {
    constexpr double k1 = 1.2, b = 0.75;
    int rc = SQLITE_OK;
    if (nval < 1) {
        sqlite3_result_error(ctx, "os1_bm25(fts, hits, weight...): hits missing", -1);
        return;
    }
    const bm25_query * q = bm25_data(api, fts, vals[0], rc);
    const auto * lengths = static_cast<const row_lengths *>(api->xUserData(fts));
    int row_tokens = lengths && lengths->fn ? lengths->fn(lengths->ctx, api->xRowid(fts)) : 0;
    if (rc == SQLITE_OK && row_tokens <= 0) rc = api->xColumnSize(fts, -1, &row_tokens);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    const double norm = k1 * (1 - b + b * static_cast<double>(row_tokens) / q->avgdl);
    double score = 0;
    for (size_t i = 0; i < q->idf.size(); ++i) {
        double freq = 0;
        Fts5PhraseIter iter;
        int col = -1, off = -1;
        for (api->xPhraseFirst(fts, static_cast<int>(i), &iter, &col, &off); col >= 0;
             api->xPhraseNext(fts, &iter, &col, &off)) {
            freq += col + 1 < nval ? sqlite3_value_double(vals[col + 1]) : 1.0;
        }
        score += q->idf[i] * (freq * (k1 + 1.0)) / (freq + norm);
    }
    sqlite3_result_double(ctx, score);
}

}  // namespace

std::string owned_text(int64_t who, std::string_view text) {
    std::string out = std::to_string(who);
    out += owner_separator;
    out += text;
    return out;
}

namespace {

fts5_api * fts5_of(sqlite3 * db) {
    fts5_api * api = nullptr;
    sqlite3_stmt * st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, static_cast<void *>(&api), "fts5_api_ptr", nullptr);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

}  // namespace

status register_bm25(sqlite3 * db, row_tokens_fn row_tokens, const void * ctx) {
    fts5_api * api = fts5_of(db);
    if (!api) return status(status_code::unsupported, "this SQLite has no FTS5");
    auto lengths = std::make_unique<row_lengths>(row_lengths{row_tokens, ctx});
    if (api->xCreateFunction(api, "os1_bm25", lengths.get(), bm25, [](void * p) { delete static_cast<row_lengths *>(p); }) != SQLITE_OK) {
        return status(status_code::internal, "cannot register os1_bm25");  // FTS5 did not take it: freed here
    }
    lengths.release();  // FTS5's now: freed when the connection closes
    return status::ok();
}

status register_person_tokenizer(sqlite3 * db) {
    fts5_api * api = fts5_of(db);
    if (!api) return status(status_code::unsupported, "this SQLite has no FTS5");
    static fts5_tokenizer methods = {x_create, x_delete, x_tokenize};
    if (api->xCreateTokenizer(api, "os1_person", api, &methods, nullptr) != SQLITE_OK) {
        return status(status_code::internal, "cannot register the os1_person tokenizer");
    }
    if (api->xCreateFunction(api, "os1_matched", nullptr, matched_phrases, nullptr) != SQLITE_OK) {
        return status(status_code::internal, "cannot register os1_matched");
    }
    return status::ok();
}

}  // namespace os1::memory
