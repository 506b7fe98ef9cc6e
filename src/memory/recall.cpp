#include "memory/recall.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "memory/time_expr.h"

namespace os1::memory {
namespace {

// Function words that say nothing about which memory is meant.
const std::unordered_set<std::string> & stopwords() {
    static const std::unordered_set<std::string> s = {
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "from", "by",
        "about", "as", "into", "like", "through", "after", "over", "between", "out", "against", "during",
        "without", "before", "under", "around", "among", "is", "are", "was", "were", "be", "been", "being",
        "am", "do", "does", "did", "doing", "have", "has", "had", "having", "i", "me", "my", "myself", "we",
        "our", "ours", "you", "your", "yours", "he", "him", "his", "she", "her", "hers", "it", "its", "they",
        "them", "their", "theirs", "what", "which", "who", "whom", "whose", "this", "that", "these", "those",
        "there", "here", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most",
        "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "can",
        "will", "just", "should", "now", "would", "could", "s", "t", "d", "ll", "m", "re", "ve", "y", "also",
        "much", "many", "kind", "kinds", "type", "types", "thing", "things", "get", "got", "go", "went"};
    return s;
}

}  // namespace

std::vector<std::string> query_terms(std::string_view text) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    std::string w;
    const auto flush = [&] {
        if (!w.empty() && !stopwords().count(w) && seen.insert(w).second) out.push_back(w);
        w.clear();
    };
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c >= 0x80) {
            w += static_cast<char>(std::tolower(c));
        } else {
            flush();
        }
    }
    flush();
    return out;
}

std::string format_turn(const turn_record & t) {
    int64_t y = 0;
    unsigned m = 0, d = 0;
    const int64_t day = t.ts >= 0 ? t.ts / 86400 : (t.ts - 86399) / 86400;
    civil_from_days(day, y, m, d);
    char date[32];
    std::snprintf(date, sizeof date, "(%04lld-%02u-%02u) ", static_cast<long long>(y), m, d);
    return date + t.speaker + ": " + t.text;
}

result<std::vector<recalled_item>> recall(memory_store & store, person_id who, std::string_view message,
                                          const recall_options & o) {
    std::vector<recalled_item> out;
    const auto terms = query_terms(message);
    auto hits = store.search_turns(who, terms, o.candidates);
    if (!hits) return hits.error();
    if (hits->empty()) return out;

    std::unordered_map<int64_t, double> own;
    for (const auto & h : *hits) own[h.turn_id] = h.score;
    // Neighbour smoothing: each hit lends a share of its score to the turns
    // beside it in the same session, and takes a share of theirs.
    std::unordered_map<int64_t, double> score = own;
    std::unordered_map<int64_t, turn_record> known;
    const size_t spread = std::min<size_t>(hits->size(), 60);
    for (size_t i = 0; i < spread && o.neighbours > 0; ++i) {
        const auto & h = (*hits)[i];
        auto nb = store.neighbours(who, h.turn_id, o.neighbours);
        if (!nb) return nb.error();
        for (auto & t : *nb) {
            score[t.id] += o.neighbour_weight * h.score / 2;
            known.emplace(t.id, std::move(t));
        }
    }
    std::vector<int64_t> ids;
    for (const auto & [id, s] : score) {
        if (!known.count(id)) ids.push_back(id);
    }
    auto rows = store.turns_by_id(who, ids);
    if (!rows) return rows.error();
    for (auto & t : *rows) known.emplace(t.id, std::move(t));

    std::unordered_map<int64_t, double> by_session;
    double best_session = 0;
    for (const auto & [id, s] : own) {
        auto it = known.find(id);
        if (it == known.end()) continue;
        best_session = std::max(best_session, by_session[it->second.session_id] += s);
    }
    const auto ranges = o.as_of ? find_time_ranges(message, o.as_of) : std::vector<time_range>{};
    struct ranked {
        int64_t id;
        double s;
    };
    std::vector<ranked> order;
    for (const auto & [id, s] : score) {
        auto it = known.find(id);
        if (it == known.end()) continue;  // not this person's (cannot happen: every query is scoped)
        double v = s;
        if (best_session > 0) v *= 1 + o.session_weight * by_session[it->second.session_id] / best_session;
        for (const auto & r : ranges) {
            if (it->second.ts >= r.from && it->second.ts < r.to) {
                v *= 1 + o.time_boost;
                break;
            }
        }
        order.push_back({id, v});
    }
    std::sort(order.begin(), order.end(), [](const ranked & a, const ranked & b) { return a.s != b.s ? a.s > b.s : a.id < b.id; });
    if (order.size() > static_cast<size_t>(std::max(o.k, 0))) order.resize(static_cast<size_t>(std::max(o.k, 0)));
    for (const auto & r : order) {
        const turn_record & t = known.at(r.id);
        recalled_item item;
        item.kind = "turn";
        item.text = format_turn(t);
        item.score = r.s;
        item.ts = t.ts;
        item.prov.push_back(t.ext_id.empty() ? "turn:" + std::to_string(t.id) : t.ext_id);
        item.turn_ids.push_back(t.id);
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace os1::memory
