#include "memory/person_tokenizer.h"

#include <sqlite3.h>

#include <new>

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

}  // namespace

std::string owned_text(int64_t who, std::string_view text) {
    std::string out = std::to_string(who);
    out += owner_separator;
    out += text;
    return out;
}

status register_person_tokenizer(sqlite3 * db) {
    fts5_api * api = nullptr;
    sqlite3_stmt * st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, static_cast<void *>(&api), "fts5_api_ptr", nullptr);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
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
