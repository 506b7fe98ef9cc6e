#include "memory/fts_vocab.h"

#include <sqlite3.h>

#include <unordered_map>

namespace os1::memory {

struct fts_vocab::impl {
    struct counted {
        int64_t turns = 0;
        int64_t at_size = 0;  // the index's size when counted
    };
    sqlite_db & db;
    fts5_tokenizer api{};
    Fts5Tokenizer * tok = nullptr;
    std::unordered_map<std::string, counted> counts;  // stem -> count
    explicit impl(sqlite_db & d) : db(d) {}
    ~impl() {
        if (tok) api.xDelete(tok);
    }
};

fts_vocab::fts_vocab(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
fts_vocab::~fts_vocab() = default;

result<std::unique_ptr<fts_vocab>> fts_vocab::create(sqlite_db & db) {
    // The documented way to reach FTS5's C API: SELECT fts5(?) with a bound pointer.
    fts5_api * api = nullptr;
    sqlite3_stmt * st = nullptr;
    if (sqlite3_prepare_v2(db.raw(), "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, static_cast<void *>(&api), "fts5_api_ptr", nullptr);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!api) return status(status_code::unsupported, "this SQLite has no FTS5");
    auto p = std::make_unique<impl>(db);
    void * ctx = nullptr;
    if (api->xFindTokenizer(api, "porter", &ctx, &p->api) != SQLITE_OK) {
        return status(status_code::unsupported, "this SQLite has no porter tokenizer");
    }
    // The index's own settings (migrations/0003): porter over unicode61, diacritics removed.
    const char * args[] = {"unicode61", "remove_diacritics", "2"};
    if (p->api.xCreate(ctx, args, 3, &p->tok) != SQLITE_OK) {
        return status(status_code::unsupported, "cannot create the porter tokenizer");
    }
    return std::unique_ptr<fts_vocab>(new fts_vocab(std::move(p)));
}

std::vector<std::string> fts_vocab::stems(std::string_view text) const {
    std::vector<std::string> out;
    auto on_token = [](void * ctx, int, const char * token, int n, int, int) -> int {
        static_cast<std::vector<std::string> *>(ctx)->emplace_back(token, static_cast<size_t>(n));
        return SQLITE_OK;
    };
    impl_->api.xTokenize(impl_->tok, &out, FTS5_TOKENIZE_QUERY, text.data(), static_cast<int>(text.size()), on_token);
    return out;
}

std::string fts_vocab::stem(std::string_view word) const {
    auto all = stems(word);
    return all.empty() ? std::string() : all.front();
}

std::optional<int64_t> fts_vocab::known_count(const std::string & term, int64_t indexed_turns) const {
    auto it = impl_->counts.find(term);
    if (it == impl_->counts.end() || indexed_turns - it->second.at_size > indexed_turns / 10) return std::nullopt;
    return it->second.turns;
}

std::optional<int64_t> fts_vocab::known_turns_with(int64_t who, std::string_view word, int64_t indexed_turns) const {
    const auto s = stems(word);
    if (s.size() != 1) return std::nullopt;  // not one token: not one term of the index
    return known_count(std::to_string(who) + "_" + s.front(), indexed_turns);
}

result<int64_t> fts_vocab::turns_with(int64_t who, std::string_view word, int64_t indexed_turns) {
    constexpr size_t max_kept = 200000;  // about 10 MB of counts
    const std::string s = stem(word);
    if (s.empty()) return int64_t{0};
    const std::string term = std::to_string(who) + "_" + s;  // as person_tokenizer writes it
    if (auto known = known_count(term, indexed_turns)) return *known;
    auto st = impl_->db.prepare("SELECT doc FROM turns_fts_vocab WHERE term = ?1 AND col = 'text'");
    if (!st) return st.error();
    st->bind(1, term);
    auto row = st->step();
    if (!row) return row.error();
    const int64_t n = *row ? st->int64(0) : 0;
    if (impl_->counts.size() >= max_kept) impl_->counts.clear();
    impl_->counts[term] = {n, indexed_turns};
    return n;
}

}  // namespace os1::memory
