#include "memory/turn_briefs.h"

#include <algorithm>

#include <sqlite3.h>

#include "memory/memory_store_rows.h"
#include "memory/sqlite_db.h"

namespace os1::memory {
namespace {

constexpr size_t max_followed_changes = 10000;  // more (a bulk load, an erasure): reload instead

void on_update(void * self, int, const char * db, const char * table, sqlite3_int64 rowid) {
    if (std::string_view(db) == "main" && std::string_view(table) == "turns") static_cast<turn_briefs *>(self)->note_change(rowid);
}


// A row of FTS5's docsize table: each column's token count as a varint
// (SQLite's encoding: 7 bits a byte, high bit set on all but the last, the
// ninth byte whole). Their sum; 0 when it does not fit or cannot be read.
uint16_t index_length(const std::string & sz) {
    uint64_t total = 0;
    for (size_t i = 0; i < sz.size();) {
        uint64_t v = 0;
        int n = 0;
        for (;; ++n) {
            if (i >= sz.size()) return 0;
            const auto c = static_cast<unsigned char>(sz[i++]);
            if (n == 8) {
                v = (v << 8) | c;
                break;
            }
            v = (v << 7) | (c & 0x7f);
            if (!(c & 0x80)) break;
        }
        total += v;
    }
    return total > 0xffff ? 0 : static_cast<uint16_t>(total);
}

}  // namespace

turn_briefs::turn_briefs(sqlite_db & db, size_t max_turns) : db_(db), max_turns_(max_turns) {
    sqlite3_update_hook(db_.raw(), &on_update, this);
}

turn_briefs::~turn_briefs() {
    sqlite3_update_hook(db_.raw(), nullptr, nullptr);
}

void turn_briefs::note_change(int64_t id) {
    if (changed_many_) return;
    changed_.push_back(id);
    if (changed_.size() > max_followed_changes) {
        changed_many_ = true;
        changed_.clear();
    }
}

// What was read inside the transaction may be undone: start again.
void turn_briefs::note_rollback() {
    changed_many_ = true;
    changed_.clear();
}

status turn_briefs::focus(person_id who) {
    auto p = of(who);
    if (!p) return p.error();
    focus_ = *p;
    return status::ok();
}

int turn_briefs::row_tokens(const void * ctx, int64_t id) {
    const auto * self = static_cast<const turn_briefs *>(ctx);
    if (!self->focus_) return 0;
    auto it = self->focus_->turns.find(id);
    return it == self->focus_->turns.end() ? 0 : it->second.tokens;
}

void turn_briefs::pin() {
    if (pins_++ == 0) synced_in_pin_ = false;
}

void turn_briefs::unpin() {
    if (pins_ > 0) --pins_;
}

void turn_briefs::drop_all() {
    focus_ = nullptr;
    people_.clear();
    held_ = 0;
}

status turn_briefs::sync() {
    // data_version changes when another connection commits (os1 memory forget
    // while os1 serve runs): what is held may be stale, all of it.
    auto st = db_.prepare("PRAGMA data_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    const int64_t v = *row ? st->int64(0) : -1;
    if (v != data_version_) {
        if (data_version_ != -1) drop_all();
        data_version_ = v;
    }
    return apply_changes();
}

// This connection's own writes: the changed ids are let go wherever held, then
// read again (an insert, an update; a deleted turn is no longer there).
status turn_briefs::apply_changes() {
    if (changed_many_) {
        drop_all();
        changed_many_ = false;
        changed_.clear();
        return status::ok();
    }
    if (changed_.empty()) return status::ok();
    std::vector<int64_t> ids;
    ids.swap(changed_);
    if (people_.empty()) return status::ok();
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (auto & [who, p] : people_) {
        for (const int64_t id : ids) {
            auto it = p.turns.find(id);
            if (it == p.turns.end()) continue;
            auto & in_session = p.sessions[it->second.session_id];
            in_session.erase(std::remove(in_session.begin(), in_session.end(), id), in_session.end());
            if (in_session.empty()) p.sessions.erase(it->second.session_id);
            p.ext_ids.erase(id);
            p.turns.erase(it);
            --held_;
        }
    }
    auto st = db_.prepare("SELECT t.person_id, t.id, t.session_id, COALESCE(t.ext_id, ''), t.ts, t.speaker, t.role, d.sz "
                          "FROM turns t LEFT JOIN turns_fts_docsize d ON d.id = t.id WHERE t.id IN (SELECT value FROM json_each(?1))");
    if (!st) return st.error();
    st->bind(1, json_id_array(ids));
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        auto it = people_.find(st->int64(0));
        if (it != people_.end()) add(it->second, *st, 1, false);
    }
    return status::ok();
}

void turn_briefs::add(person_turns & p, const sqlite_stmt & st, int col, bool loading) {
    const auto name = [&](const std::string & s) {
        auto [it, fresh] = p.names.emplace(s, static_cast<uint32_t>(p.name_list.size()));
        if (fresh) p.name_list.push_back(s);
        return it->second;
    };
    brief b{st.int64(col), st.int64(col + 1), st.int64(col + 3), name(st.text(col + 4)),
            role_column(st.text(col + 5)), index_length(st.blob(col + 6))};
    if (auto ext = st.text(col + 2); !ext.empty()) p.ext_ids[b.id] = std::move(ext);
    if (!p.turns.emplace(b.id, b).second) return;  // changed rows were let go before they are read again
    ++held_;
    if (!loading) {
        auto & in_session = p.sessions[b.session_id];
        in_session.insert(std::upper_bound(in_session.begin(), in_session.end(), b.id), b.id);
    }
}

result<turn_briefs::person_turns *> turn_briefs::of(person_id who) {
    if (pins_ == 0 || !synced_in_pin_) {
        if (auto st = sync(); !st) return st;
        synced_in_pin_ = pins_ > 0;
    } else if (auto st = apply_changes(); !st) {
        return st;
    }
    auto it = people_.find(who);
    if (it == people_.end()) {
        person_turns p;
        auto st = db_.prepare("SELECT t.id, t.session_id, COALESCE(t.ext_id, ''), t.ts, t.speaker, t.role, d.sz "
                              "FROM turns t LEFT JOIN turns_fts_docsize d ON d.id = t.id WHERE t.person_id = ?1");
        if (!st) return st.error();
        st->bind(1, who);
        const size_t before = held_;
        for (;;) {
            auto row = st->step();
            if (!row) {
                held_ = before;
                return row.error();
            }
            if (!*row) break;
            add(p, *st, 0, true);
        }
        // Read in the index's (time, id) order; a session's turns are kept in id order.
        for (const auto & [id, b] : p.turns) p.sessions[b.session_id].push_back(id);
        for (auto & [session, ids] : p.sessions) std::sort(ids.begin(), ids.end());
        it = people_.emplace(who, std::move(p)).first;
        evict(who);
    }
    it->second.used = ++clock_;
    return &it->second;
}

void turn_briefs::evict(person_id keep) {
    while (held_ > max_turns_ && people_.size() > 1) {
        auto oldest = people_.end();
        for (auto it = people_.begin(); it != people_.end(); ++it) {
            if (it->first != keep && (oldest == people_.end() || it->second.used < oldest->second.used)) oldest = it;
        }
        if (oldest == people_.end()) break;
        if (&oldest->second == focus_) focus_ = nullptr;
        held_ -= oldest->second.turns.size();
        people_.erase(oldest);
    }
}

turn_record turn_briefs::record(const person_turns & p, const brief & b) const {
    turn_record r;
    r.id = b.id;
    r.session_id = b.session_id;
    r.ts = b.ts;
    r.speaker = p.name_list[b.speaker];
    r.role = b.role;
    if (auto it = p.ext_ids.find(b.id); it != p.ext_ids.end()) r.ext_id = it->second;
    return r;
}

result<std::vector<turn_record>> turn_briefs::by_id(person_id who, const std::vector<int64_t> & ids) {
    auto p = of(who);
    if (!p) return p.error();
    std::vector<int64_t> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<turn_record> out;
    for (const int64_t id : sorted) {
        if (auto it = (*p)->turns.find(id); it != (*p)->turns.end()) out.push_back(record(**p, it->second));
    }
    return out;
}

result<std::vector<turn_record>> turn_briefs::session(person_id who, int64_t session_id) {
    auto p = of(who);
    if (!p) return p.error();
    std::vector<turn_record> out;
    if (auto s = (*p)->sessions.find(session_id); s != (*p)->sessions.end()) {
        for (const int64_t id : s->second) {
            if (auto b = (*p)->turns.find(id); b != (*p)->turns.end()) out.push_back(record(**p, b->second));
        }
    }
    return out;
}

result<std::vector<bool>> turn_briefs::owned(person_id who, const std::vector<int64_t> & ids) {
    auto p = of(who);
    if (!p) return p.error();
    std::vector<bool> out;
    for (const int64_t id : ids) out.push_back((*p)->turns.count(id) > 0);
    return out;
}

result<std::vector<turn_record>> turn_briefs::neighbours(person_id who, int64_t id, int n) {
    auto p = of(who);
    if (!p) return p.error();
    std::vector<turn_record> out;
    const auto & turns = (*p)->turns;
    const auto at = turns.find(id);
    if (at == turns.end()) return out;
    const auto session = (*p)->sessions.find(at->second.session_id);
    if (session == (*p)->sessions.end()) return out;
    const auto & in_session = session->second;
    const auto mid = std::lower_bound(in_session.begin(), in_session.end(), id);
    const auto from = mid - std::min<ptrdiff_t>(n, mid - in_session.begin());
    const auto to = mid + 1 + std::min<ptrdiff_t>(n, in_session.end() - mid - 1);
    for (auto it = from; it != to; ++it) {
        if (auto b = turns.find(*it); *it != id && b != turns.end()) out.push_back(record(**p, b->second));
    }
    return out;
}

}  // namespace os1::memory
