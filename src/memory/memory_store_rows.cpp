// The row readers and query builders memory_store's stores share.
#include "memory/memory_store_rows.h"

#include <algorithm>
#include <cctype>

#include "memory/person_tokenizer.h"

namespace os1::memory {

const char * const turn_columns = "t.id, t.session_id, COALESCE(t.ext_id, ''), t.ts, t.speaker, t.role, t.text, "
                                  "COALESCE(t.recalled, ''), (SELECT key FROM sessions WHERE id = t.session_id)";


namespace {

turn_record read_turn(const sqlite_stmt & st) {
    turn_record r;
    r.id = st.int64(0);
    r.session_id = st.int64(1);
    r.ext_id = st.text(2);
    r.ts = st.int64(3);
    r.speaker = st.text(4);
    r.role = role_column(st.text(5));
    r.text = st.text(6);
    r.recalled = st.text(7);
    r.session = st.text(8);
    return r;
}

}  // namespace

result<std::vector<turn_record>> collect_turns(result<sqlite_stmt> & st) {
    std::vector<turn_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(read_turn(*st));
    }
}

result<std::vector<std::string>> collect_texts(result<sqlite_stmt> & st) {
    std::vector<std::string> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(st->text(0));
    }
}

// An FTS5 query that ORs the words as plain strings, each owned by WHO (see
// person_tokenizer.h): a word is reduced to letters and digits, so no FTS5
// operator or quote from the input survives.
std::string fts_query(person_id who, const std::vector<std::string> & terms) {
    std::string q;
    for (const auto & t : terms) {
        std::string w;
        for (unsigned char c : t) {
            if (std::isalnum(c) || c >= 0x80) w += static_cast<char>(c);
        }
        if (w.empty()) continue;
        if (!q.empty()) q += " OR ";
        q += "\"" + owned_text(who, w) + "\"";
    }
    return q;
}

std::string json_id_array(const std::vector<int64_t> & ids) {
    std::string arr = "[";
    for (size_t i = 0; i < ids.size(); ++i) arr += (i ? "," : "") + std::to_string(ids[i]);
    return arr + "]";
}

std::vector<int64_t> parse_id_array(const std::string & json) {
    std::vector<int64_t> out;
    int64_t v = 0;
    bool in = false;
    for (const char c : json) {
        if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            in = true;
        } else if (in) {
            out.push_back(v);
            v = 0;
            in = false;
        }
    }
    return out;
}

result<std::vector<text_hit>> collect_hits(result<sqlite_stmt> & st, size_t n_terms) {
    std::vector<text_hit> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->int64(0), st->real(1), st->real(2) / static_cast<double>(std::max<size_t>(n_terms, 1))});
    }
}

// TABLE's full text (TABLE_fts), coordinated: BM25 times the share of TERMS held.
result<std::vector<text_hit>> search_short(sqlite_db & db, const std::string & table, const char * where, person_id who,
                                           const std::vector<std::string> & terms, int limit) {
    const std::string words = fts_query(who, terms);
    if (words.empty()) return std::vector<text_hit>{};
    const std::string fts = table + "_fts";
    auto st = db.prepare("SELECT h.id, h.s, h.m FROM (SELECT rowid AS id, -bm25(" + fts + ") * os1_matched(" + fts +
                           ") AS s, os1_matched(" + fts + ") AS m FROM " + fts + " WHERE " + fts +
                           " MATCH ?1 ORDER BY s DESC LIMIT ?3) h JOIN " + table +
                           " f ON f.id = h.id WHERE f.person_id = ?2 " + where + " ORDER BY h.s DESC");
    if (!st) return st.error();
    st->bind(1, words).bind(2, who).bind(3, static_cast<int64_t>(limit));
    std::vector<text_hit> out;
    const double n = static_cast<double>(terms.size());
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back({st->int64(0), st->real(1) / n, st->real(2) / n});
    }
}

}  // namespace os1::memory
