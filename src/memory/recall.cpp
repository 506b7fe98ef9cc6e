#include "memory/recall.h"

#include <algorithm>
#include <cmath>
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

namespace {

using score_map = std::unordered_map<int64_t, double>;

// Turns whose speaker's name contains one of NAMED (lower-case words).
bool spoken_by(const turn_record & t, const std::vector<std::string> & named) {
    if (named.empty()) return false;
    for (const auto & w : query_terms(t.speaker)) {
        if (std::find(named.begin(), named.end(), w) != named.end()) return true;
    }
    return false;
}

// The text score of each turn. Each word of the message is a concept, found by
// the word itself or, at a lower weight, by a related word; a turn scores the sum
// over concepts of the best way it matched each (BM25), times the share of the
// concepts it matched (Lucene's classic coordination factor: a turn that matches
// "Melanie's kids like" in two of three words beats one that says "kids" thrice).
// TAKEN holds the words already searched for and receives the related ones.
// BEST_SHARE receives the largest share of the words (concepts) one turn holds.
result<score_map> concept_scores(memory_store & store, person_id who, const std::vector<std::string> & terms,
                                 std::unordered_set<std::string> & taken, const recall_options & o, int64_t min_id,
                                 double & best_share) {
    score_map own;
    best_share = 0;
    if (!o.words && o.coordination && terms.size() > 1) {
        // The same sum and factor from one query: BM25 of an OR of the words is
        // the sum of each word's BM25, and os1_matched counts the words a turn holds.
        const int limit = o.candidates * 2;
        auto hits = store.turns().search_turns(who, terms, limit, min_id, /*coordinated=*/true);
        if (!hits) return hits.error();
        for (const auto & h : *hits) {
            own[h.turn_id] = h.score / static_cast<double>(terms.size());
            best_share = std::max(best_share, h.matched_share);
        }
        return own;
    }
    std::unordered_map<int64_t, int> matched;
    for (const auto & t : terms) {
        std::vector<std::pair<std::vector<std::string>, double>> ways = {{{t}, 1.0}};
        if (o.words) {
            std::vector<std::string> close, narrower;
            for (auto & r : o.words->related(t, o.word_options)) {
                if (stopwords().count(r.word) || !taken.insert(r.word).second) continue;
                (r.relation == word_relation::narrower ? narrower : close).push_back(std::move(r.word));
            }
            if (!close.empty() && o.related_weight > 0) ways.push_back({std::move(close), o.related_weight});
            if (!narrower.empty() && o.narrower_weight > 0) ways.push_back({std::move(narrower), o.narrower_weight});
        }
        score_map best;
        for (const auto & [words, w] : ways) {
            auto hits = store.turns().search_turns(who, words, o.candidates, min_id);
            if (!hits) return hits.error();
            for (const auto & h : *hits) best[h.turn_id] = std::max(best[h.turn_id], w * h.score);
        }
        for (const auto & [id, v] : best) {
            own[id] += v;
            ++matched[id];
        }
    }
    for (const auto & [id, n] : matched) best_share = std::max(best_share, static_cast<double>(n) / static_cast<double>(terms.size()));
    if (o.coordination && terms.size() > 1) {
        for (auto & [id, v] : own) v *= static_cast<double>(matched[id]) / static_cast<double>(terms.size());
    }
    return own;
}

// For a person with many turns recall must still stay far below a token's time
// (B3), and a search costs about one score per turn holding a searched word. There the
// rarest words are kept (they carry the most: the highest IDF) while the turns
// they hold add up to at most a budget, always at least the rarest word; the
// common words left out could add little to any turn's score. A small index is
// searched whole. When even the rarest word alone is over the budget, only the
// newest turns are searched, as many as make its expected hits fit: MIN_ID.
status keep_affordable(memory_store & store, person_id who, std::vector<std::string> & words, const recall_options & o,
                       bool feedback, int64_t & min_id) {
    min_id = 0;
    if (words.empty()) return status::ok();
    auto mine = store.turns().person_turns_estimate(who);
    if (!mine) return mine.error();
    if (*mine < o.large_index_turns) return status::ok();
    auto n = store.turns().indexed_turns_estimate();
    if (!n) return n.error();
    auto df = store.turns().word_frequencies(who, words);
    if (!df) return df.error();
    std::vector<std::pair<double, std::string>> ranked;
    for (size_t i = 0; i < words.size(); ++i) {
        if ((*df)[i] > 0) ranked.push_back({static_cast<double>((*df)[i]), words[i]});  // in no turn: finds nothing
    }
    std::sort(ranked.begin(), ranked.end());
    const double budget = static_cast<double>(feedback ? o.feedback_scored_turns : o.scored_turns);
    std::vector<std::string> kept;
    double spent = 0;
    for (const auto & [cost, w] : ranked) {
        if (!kept.empty() && spent + cost > budget) break;
        kept.push_back(w);
        spent += cost;
    }
    words = std::move(kept);
    if (spent > budget) min_id = *n - static_cast<int64_t>(static_cast<double>(*n) * budget / spent);
    return status::ok();
}

// Pseudo-relevance feedback (Rocchio's idea, as in RM3): the words of the best
// turns, searched as one more query, find turns that say the same thing in other
// words, or the other half of a fact ("moved from my home country" leads to "my
// home country, Sweden"). It adds at most feedback_weight of the best score.
status add_feedback(memory_store & store, person_id who, score_map & own, const std::unordered_set<std::string> & taken,
                    const recall_options & o) {
    if (own.empty() || o.feedback_turns <= 0 || o.feedback_weight <= 0) return status::ok();
    std::vector<std::pair<double, int64_t>> top;
    for (const auto & [id, v] : own) top.push_back({v, id});
    const size_t n = std::min(top.size(), static_cast<size_t>(o.feedback_turns));
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(n), top.end(),
                      [](const auto & a, const auto & b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    const double best_own = top.front().first;
    std::vector<int64_t> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(top[i].second);
    auto rows = store.turns().turns_by_id(who, ids);
    if (!rows) return rows.error();
    std::vector<std::string> words;
    std::unordered_set<std::string> seen = taken;
    for (const auto & t : *rows) {
        for (auto & w : query_terms(t.text)) {
            if (w.size() > 2 && seen.insert(w).second) words.push_back(std::move(w));  // "ok", "mr": noise
        }
    }
    int64_t min_id = 0;
    if (auto st = keep_affordable(store, who, words, o, true, min_id); !st) return st;
    auto more = store.turns().search_turns(who, words, o.candidates, min_id);
    if (!more) return more.error();
    if (more->empty() || more->front().score <= 0) return status::ok();
    const double scale = o.feedback_weight * best_own / more->front().score;
    for (const auto & h : *more) own[h.turn_id] += scale * h.score;
    return status::ok();
}

result<std::vector<recalled_item>> recall_turns(memory_store & store, person_id who, std::string_view message,
                                                const recall_options & o) {
    std::vector<recalled_item> out;
    auto terms = query_terms(message);
    // A speaker's name in the question says whose words are meant, not which
    // words: "What does Melanie paint?" is answered by Melanie's turns, while
    // the turns that contain "Melanie" are mostly the other person greeting her.
    std::vector<std::string> named;
    if (o.speaker_weight > 0) {
        auto n = store.turns().speaker_words(who, terms);
        if (!n) return n.error();
        named = std::move(*n);
        std::vector<std::string> rest;
        for (const auto & t : terms) {
            if (std::find(named.begin(), named.end(), t) == named.end()) rest.push_back(t);
        }
        if (!rest.empty()) terms = std::move(rest);
    }
    std::unordered_set<std::string> taken(terms.begin(), terms.end());
    taken.insert(named.begin(), named.end());
    int64_t min_id = 0;
    if (auto st = keep_affordable(store, who, terms, o, false, min_id); !st) return st;
    double best_share = 0;
    auto own = concept_scores(store, who, terms, taken, o, min_id, best_share);
    if (!own) return own.error();
    if (best_share < o.floor) return out;  // the message matches nothing well
    if (auto st = add_feedback(store, who, *own, taken, o); !st) return st;
    if (own->empty()) return out;

    // Neighbour smoothing: the best candidates lend a share of their score to
    // the turns beside them in the same session, nearer turns more.
    std::vector<text_hit> hits;
    for (const auto & [id, s] : *own) hits.push_back({id, s});
    const size_t spread = std::min<size_t>(hits.size(), 60);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(spread), hits.end(), [](const auto & a, const auto & b) {
        return a.score != b.score ? a.score > b.score : a.turn_id < b.turn_id;
    });
    score_map score = *own;
    std::unordered_map<int64_t, turn_record> known;
    for (size_t i = 0; i < spread && o.neighbours > 0; ++i) {
        const auto & h = hits[i];
        auto nb = store.turns().neighbours(who, h.turn_id, o.neighbours, /*brief=*/true);
        if (!nb) return nb.error();
        // The list is in id order around the hit: a turn's distance is its
        // place counted outwards from the hit.
        const auto mid = std::lower_bound(nb->begin(), nb->end(), h.turn_id,
                                          [](const turn_record & t, int64_t id) { return t.id < id; });
        for (auto it = nb->begin(); it != nb->end(); ++it) {
            const auto d = it < mid ? mid - it : it - mid + 1;
            score[it->id] += o.neighbour_weight * h.score / 2 / static_cast<double>(d);
            known.emplace(it->id, std::move(*it));
        }
    }
    std::vector<int64_t> ids;
    for (const auto & [id, s] : score) {
        if (!known.count(id)) ids.push_back(id);
    }
    auto rows = store.turns().turns_by_id(who, ids, /*brief=*/true);
    if (!rows) return rows.error();
    for (auto & t : *rows) known.emplace(t.id, std::move(t));

    score_map by_session;
    double best_session = 0;
    for (const auto & [id, s] : *own) {
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
        if (spoken_by(it->second, named)) v *= 1 + o.speaker_weight;
        for (const auto & r : ranges) {
            if (it->second.ts >= r.from && it->second.ts < r.to) {
                v *= 1 + o.time_boost;
                break;
            }
        }
        // Recency: what was said lately is more often what is meant, all else equal.
        if (o.as_of > 0 && o.recency_weight > 0 && ranges.empty()) {
            const double age_days = static_cast<double>(std::max<int64_t>(0, o.as_of - it->second.ts)) / 86400.0;
            v *= 1 + o.recency_weight * std::exp2(-age_days / o.recency_half_life_days);
        }
        order.push_back({id, v});
    }
    std::sort(order.begin(), order.end(), [](const ranked & a, const ranked & b) { return a.s != b.s ? a.s > b.s : a.id < b.id; });
    if (order.size() > static_cast<size_t>(std::max(o.k, 0))) order.resize(static_cast<size_t>(std::max(o.k, 0)));
    // Only the turns returned are read whole.
    std::vector<int64_t> chosen;
    for (const auto & r : order) chosen.push_back(r.id);
    auto full = store.turns().turns_by_id(who, chosen);
    if (!full) return full.error();
    std::unordered_map<int64_t, turn_record> read;
    for (auto & t : *full) read.emplace(t.id, std::move(t));
    for (const auto & r : order) {
        auto it = read.find(r.id);
        if (it == read.end()) continue;  // gone since it was ranked
        const turn_record & t = it->second;
        recalled_item item;
        item.kind = recalled_kind::turn;
        item.text = format_turn(t);
        item.body = t.text;
        item.score = r.s;
        item.ts = t.ts;
        item.prov.push_back(t.ext_id.empty() ? "turn:" + std::to_string(t.id) : t.ext_id);
        item.turn_ids.push_back(t.id);
        out.push_back(std::move(item));
    }
    return out;
}

// The message's words for the facts' and summaries' searches: in a large
// index, the rarest ones as for turns (a word common in turns is common there too).
result<std::vector<std::string>> affordable_terms(memory_store & store, person_id who, std::string_view message,
                                                  const recall_options & o) {
    auto terms = query_terms(message);
    int64_t min_id = 0;  // unused: facts and summaries are few beside turns
    if (auto st = keep_affordable(store, who, terms, o, false, min_id); !st) return st;
    return terms;
}

// The facts that hold enough of the message's words, best first.
result<std::vector<recalled_item>> recall_facts(memory_store & store, person_id who, const std::vector<std::string> & terms,
                                                const recall_options & o) {
    std::vector<recalled_item> out;
    auto hits = store.facts().search_facts(who, terms, o.facts * 4);
    if (!hits) return hits.error();
    std::vector<int64_t> all;
    for (const auto & h : *hits) all.push_back(h.turn_id);
    auto rows = store.facts().facts_by_id(who, all);
    if (!rows) return rows.error();
    // Importance: a fact's confidence (which repetition raises) weighs its match.
    for (auto & h : *hits) {
        for (const auto & f : *rows) {
            if (f.id == h.turn_id) h.score *= 0.5 + 0.5 * f.confidence;
        }
    }
    std::stable_sort(hits->begin(), hits->end(), [](const auto & a, const auto & b) { return a.score > b.score; });
    std::vector<fact_record> chosen;
    for (const auto & h : *hits) {
        if (h.matched_share < o.fact_min_share || chosen.size() >= static_cast<size_t>(o.facts)) continue;
        auto f = std::find_if(rows->begin(), rows->end(), [&](const fact_record & r) { return r.id == h.turn_id; });
        if (f != rows->end()) chosen.push_back(*f);
    }
    std::vector<int64_t> sources;
    for (const auto & f : chosen) sources.insert(sources.end(), f.sources.begin(), f.sources.end());
    auto turns = store.turns().turns_by_id(who, sources, /*brief=*/true);
    if (!turns) return turns.error();
    std::unordered_map<int64_t, std::string> ext;
    for (const auto & t : *turns) ext[t.id] = t.ext_id.empty() ? "turn:" + std::to_string(t.id) : t.ext_id;
    for (const auto & f : chosen) {  // best first
        recalled_item item;
        item.kind = recalled_kind::fact;
        item.text = format_fact(f);
        item.body = f.text;
        item.ts = f.ts;
        item.fact_id = f.id;
        for (const auto id : f.sources) {
            if (!ext.count(id)) continue;
            item.prov.push_back(ext[id]);
            item.turn_ids.push_back(id);
        }
        out.push_back(std::move(item));
    }
    return out;
}

// Session summaries that hold enough of the message's words; each stands for
// every turn of its session.
result<std::vector<recalled_item>> recall_summaries(memory_store & store, person_id who, const std::vector<std::string> & terms,
                                                    const recall_options & o) {
    std::vector<recalled_item> out;
    auto hits = store.summaries().search_summaries(who, terms, o.summaries * 4);
    if (!hits) return hits.error();
    std::vector<int64_t> ids;
    for (const auto & h : *hits) {
        if (h.matched_share >= o.fact_min_share && ids.size() < static_cast<size_t>(o.summaries)) ids.push_back(h.turn_id);
    }
    auto rows = store.summaries().summaries_by_id(who, ids);
    if (!rows) return rows.error();
    for (const auto & h : *hits) {
        auto s = std::find_if(rows->begin(), rows->end(), [&](const summary_record & r) { return r.id == h.turn_id; });
        if (s == rows->end()) continue;
        auto turns = store.turns().session_turn_ids(who, s->session_id);
        if (!turns) return turns.error();
        if (turns->empty()) continue;
        recalled_item item;
        item.kind = recalled_kind::summary;
        turn_record last;
        last.ts = turns->back().ts;
        item.text = "(conversation until " + format_turn(last).substr(1, 10) + ") " + s->text;
        item.body = s->text;
        item.score = h.score;
        item.ts = last.ts;
        for (const auto & t : *turns) {
            item.prov.push_back(t.ext_id.empty() ? "turn:" + std::to_string(t.id) : t.ext_id);
            item.turn_ids.push_back(t.id);
        }
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace

std::string format_fact(const fact_record & f) {
    turn_record as_turn;
    as_turn.ts = f.ts;
    const std::string dated = format_turn(as_turn);  // "(YYYY-MM-DD) : "
    return "(as of " + dated.substr(1, 10) + ") " + f.text;
}

namespace {

// The full-text ranking fused with the nearest vectors: each turn's score is
// the sum over the two lists of 1 / (60 + rank).
result<std::vector<recalled_item>> fuse_vectors(memory_store & store, person_id who, std::vector<recalled_item> text,
                                                const recall_options & o) {
    auto near = store.vectors().search_vectors(who, *o.query_vector, o.vector_candidates);
    if (!near) return near.error();
    if (near->empty()) return text;
    std::unordered_map<int64_t, double> score;
    std::unordered_map<int64_t, size_t> in_text;
    for (size_t i = 0; i < text.size(); ++i) {
        score[text[i].turn_ids.front()] += 1.0 / (61.0 + static_cast<double>(i));
        in_text[text[i].turn_ids.front()] = i;
    }
    std::vector<int64_t> missing;
    for (size_t i = 0; i < near->size(); ++i) {
        const int64_t id = (*near)[i].turn_id;
        score[id] += 1.0 / (61.0 + static_cast<double>(i));
        if (!in_text.count(id)) missing.push_back(id);
    }
    auto rows = store.turns().turns_by_id(who, missing);
    if (!rows) return rows.error();
    for (const auto & t : *rows) {
        recalled_item item;
        item.kind = recalled_kind::turn;
        item.text = format_turn(t);
        item.body = t.text;
        item.ts = t.ts;
        item.prov.push_back(t.ext_id.empty() ? "turn:" + std::to_string(t.id) : t.ext_id);
        item.turn_ids.push_back(t.id);
        in_text[t.id] = text.size();
        text.push_back(std::move(item));
    }
    for (auto & item : text) item.score = score[item.turn_ids.front()];
    std::stable_sort(text.begin(), text.end(), [](const recalled_item & a, const recalled_item & b) { return a.score > b.score; });
    if (text.size() > static_cast<size_t>(std::max(o.k, 0))) text.resize(static_cast<size_t>(std::max(o.k, 0)));
    return text;
}

}  // namespace

result<std::vector<recalled_item>> recall(memory_store & store, person_id who, std::string_view message,
                                          const recall_options & o) {
    const auto snapshot = store.read_snapshot();
    const bool dense = o.query_vector && !o.query_vector->empty();
    recall_options wide = o;
    if (dense) wide.k = std::max(o.k, o.vector_candidates);  // a longer text list to fuse with
    auto turns = recall_turns(store, who, message, wide);
    if (!turns) return turns;
    if (dense) {
        turns = fuse_vectors(store, who, std::move(*turns), o);
        if (!turns) return turns;
    }
    if (turns->size() > static_cast<size_t>(std::max(o.k, 0))) turns->resize(static_cast<size_t>(std::max(o.k, 0)));
    std::vector<recalled_item> facts, summaries;
    std::vector<std::string> terms;
    if (o.facts > 0 || o.summaries > 0) {
        auto t = affordable_terms(store, who, message, o);
        if (!t) return t.error();
        terms = std::move(*t);
    }
    if (o.facts > 0) {
        auto f = recall_facts(store, who, terms, o);
        if (!f) return f.error();
        facts = std::move(*f);
    }
    if (o.summaries > 0) {
        auto s = recall_summaries(store, who, terms, o);
        if (!s) return s.error();
        summaries = std::move(*s);
    }
    if (facts.empty() && summaries.empty()) return turns;
    // Reciprocal rank fusion: a fact's BM25 is over other texts than a turn's,
    // so their scores do not compare, their ranks do. On a tie a fact comes
    // first (short, distilled), then a summary, then a turn.
    struct source {
        std::vector<recalled_item> * items;
        double weight;
        size_t next = 0;
    };
    source lists[] = {{&facts, o.fact_weight}, {&summaries, o.fact_weight}, {&*turns, 1.0}};
    const auto fused = [](const source & s) {
        return s.next < s.items->size() ? s.weight / (60.0 + static_cast<double>(s.next) + 1) : -1.0;
    };
    std::vector<recalled_item> out;
    while (out.size() < static_cast<size_t>(std::max(o.k, 0))) {
        source * best = nullptr;
        for (auto & s : lists) {
            if (fused(s) > 0 && (!best || fused(s) > fused(*best))) best = &s;
        }
        if (!best) break;
        const double score = fused(*best);
        out.push_back(std::move((*best->items)[best->next++]));
        out.back().score = score;
    }
    return out;
}

}  // namespace os1::memory
