// The OS's persona and the first-run interview (0011). Every statement filters on person_id.
#include "memory/persona_store.h"

#include <algorithm>
#include <ctime>

#include "base/utf8.h"
#include "memory/sqlite_db.h"

namespace os1::memory {
namespace {

constexpr size_t max_persona_name_bytes = 64;
constexpr size_t max_persona_about_bytes = 600;
constexpr size_t max_persona_item_bytes = 80;
constexpr size_t max_persona_items = 12;
constexpr size_t max_persona_notes_bytes = 1500;

const char * const persona_columns =
    "version, name, about, traits, interests, notes, source, reason, diff, created_at";

std::vector<std::string> split_lines(const std::string & s) {
    std::vector<std::string> out;
    size_t from = 0;
    while (from < s.size()) {
        const size_t nl = s.find('\n', from);
        const size_t to = nl == std::string::npos ? s.size() : nl;
        if (to > from) out.push_back(s.substr(from, to - from));
        from = to + 1;
    }
    return out;
}

std::string join_lines(const std::vector<std::string> & items) {
    std::string out;
    for (const auto & i : items) out += (out.empty() ? "" : "\n") + i;
    return out;
}

persona_record read_persona(sqlite_stmt & st) {
    persona_record p;
    p.version = st.int64(0);
    p.name = st.text(1);
    p.about = st.text(2);
    p.traits = split_lines(st.text(3));
    p.interests = split_lines(st.text(4));
    p.notes = st.text(5);
    p.source = st.text(6);
    p.reason = st.text(7);
    p.diff = st.text(8);
    p.created_at = st.int64(9);
    return p;
}

status bad(const std::string & why) { return status(status_code::invalid_argument, why); }

status check_field(const std::string & what, const std::string & text, size_t max_bytes, bool one_line) {
    if (text.size() > max_bytes) {
        return bad("the persona's " + what + " is " + std::to_string(text.size()) + " bytes; at most " +
                   std::to_string(max_bytes));
    }
    if (!utf8_is_valid(text)) return bad("the persona's " + what + " is not valid UTF-8");
    if (one_line && text.find_first_of("\r\n") != std::string::npos) return bad("the persona's " + what + " must be one line");
    return status::ok();
}

status check_items(const std::string & what, const std::vector<std::string> & items) {
    if (items.size() > max_persona_items) {
        return bad("the persona has " + std::to_string(items.size()) + " " + what + "; at most " +
                   std::to_string(max_persona_items));
    }
    for (const auto & i : items) {
        if (i.empty()) return bad("the persona's " + what + " must not be empty");
        if (auto st = check_field(what, i, max_persona_item_bytes, true); !st) return st;
    }
    return status::ok();
}

}  // namespace

status persona_store::check_persona(const persona_record & p) const {
    if (p.name.find_first_not_of(" \t") == std::string::npos) return bad("the persona's name must not be empty");
    if (auto st = check_field("name", p.name, max_persona_name_bytes, true); !st) return st;
    if (auto st = check_field("self-description", p.about, max_persona_about_bytes, false); !st) return st;
    if (auto st = check_items("traits", p.traits); !st) return st;
    if (auto st = check_items("interests", p.interests); !st) return st;
    if (auto st = check_field("notes", p.notes, max_persona_notes_bytes, false); !st) return st;
    if (auto st = check_field("reason", p.reason, max_persona_about_bytes, false); !st) return st;
    return check_field("diff", p.diff, 4 * (max_persona_about_bytes + max_persona_notes_bytes), false);
}

result<persona_record> persona_store::persona(person_id who) {
    auto st = db_->prepare(std::string("SELECT ") + persona_columns +
                           " FROM persona_versions WHERE person_id = ?1 ORDER BY version DESC LIMIT 1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? read_persona(*st) : persona_record{};
}

result<std::vector<persona_record>> persona_store::persona_history(person_id who, int limit) {
    auto st = db_->prepare(std::string("SELECT ") + persona_columns +
                           " FROM persona_versions WHERE person_id = ?1 ORDER BY version DESC LIMIT ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, static_cast<int64_t>(limit));
    std::vector<persona_record> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(read_persona(*st));
    }
}

result<persona_record> persona_store::persona_version(person_id who, int64_t version) {
    auto st = db_->prepare(std::string("SELECT ") + persona_columns +
                           " FROM persona_versions WHERE person_id = ?1 AND version = ?2");
    if (!st) return st.error();
    st->bind(1, who).bind(2, version);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return status(status_code::not_found, "no persona version " + std::to_string(version));
    return read_persona(*st);
}

result<int64_t> persona_store::add_persona(person_id who, const persona_record & p, bool at_once) {
    if (auto st = check_persona(p); !st) return st;
    sqlite_txn txn(*db_);
    if (!txn.begun()) return txn.begun();
    auto last = db_->prepare("SELECT COALESCE(MAX(version), 0) FROM persona_versions WHERE person_id = ?1");
    if (!last) return last.error();
    last->bind(1, who);
    if (auto row = last->step(); !row) return row.error();
    const int64_t version = last->int64(0) + 1;
    auto ins = db_->prepare(
        "INSERT INTO persona_versions (person_id, version, name, about, traits, interests, notes, source, reason, diff, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!ins) return ins.error();
    ins->bind(1, who).bind(2, version).bind(3, p.name).bind(4, p.about).bind(5, join_lines(p.traits));
    ins->bind(6, join_lines(p.interests)).bind(7, p.notes).bind(8, p.source.empty() ? "default" : p.source);
    ins->bind(9, p.reason).bind(10, p.diff).bind(11, static_cast<int64_t>(std::time(nullptr)));
    if (auto s = ins->run(); !s) return s;
    // Bounded: the oldest versions go (the history says how far back it reaches).
    auto prune = db_->prepare("DELETE FROM persona_versions WHERE person_id = ?1 AND version <= ?2");
    if (!prune) return prune.error();
    prune->bind(1, who).bind(2, version - static_cast<int64_t>(limits_.max_persona_versions));
    if (auto s = prune->run(); !s) return s;
    if (at_once) {
        auto clear = db_->prepare("UPDATE sessions SET persona = NULL WHERE person_id = ?1");
        if (!clear) return clear.error();
        clear->bind(1, who);
        if (auto s = clear->run(); !s) return s;
    }
    if (auto s = txn.commit(); !s) return s;
    return version;
}

result<onboarding_state> persona_store::onboarding(person_id who) {
    auto st = db_->prepare("SELECT stage, question FROM onboarding WHERE person_id = ?1");
    if (!st) return st.error();
    st->bind(1, who);
    auto row = st->step();
    if (!row) return row.error();
    onboarding_state out;
    if (*row) out = {parse_onboarding_stage(st->text(0)).value_or(onboarding_stage::not_begun), static_cast<int>(st->int64(1))};
    return out;
}

status persona_store::set_onboarding(person_id who, const onboarding_state & s) {
    if (s.stage == onboarding_stage::not_begun) return bad("an interview cannot be set back to not begun");
    auto st = db_->prepare("INSERT INTO onboarding (person_id, stage, question, updated_at) VALUES (?1, ?2, ?3, ?4) "
                           "ON CONFLICT (person_id) DO UPDATE SET stage = ?2, question = ?3, updated_at = ?4");
    if (!st) return st.error();
    st->bind(1, who).bind(2, stage_name(s.stage)).bind(3, static_cast<int64_t>(s.question)).bind(4, static_cast<int64_t>(std::time(nullptr)));
    return st->run();
}

}  // namespace os1::memory
