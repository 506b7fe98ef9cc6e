// os1-memscale: B3 (BENCHMARKS.md). Builds a memory database of PEOPLE x
// TURNS synthetic turns through the real store, then measures what a turn
// costs: recall latency (p50/p99) for one person's message, the rate of
// synced single-turn writes (as the server acknowledges them), the bulk
// ingest rate and the database size per memory.
//
// Text: words drawn from a Zipf distribution over a vocabulary (the words of
// --vocab FILE, else generated), so posting lists are as skewed as in speech.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <unordered_map>

#include "base/files.h"
#include "memory/memory_store.h"
#include "memory/recall.h"

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Every string value of a JSON document (not its keys), or the whole text when it is not JSON.
void collect_strings(const nlohmann::json & j, std::string & out) {
    if (j.is_string()) {
        out += j.get<std::string>();
        out += ' ';
    } else if (j.is_structured()) {
        for (const auto & v : j) collect_strings(v, out);
    }
}

// The words of PATH, most frequent first (so that, as in speech, the commonest
// ranks are the stopwords recall ignores), padded with made-up words.
std::vector<std::string> load_vocab(const std::string & path, size_t max_words) {
    std::vector<std::string> words;
    if (!path.empty()) {
        auto whole = os1::read_file(path);
        const std::string raw = whole ? *whole : std::string();
        std::string text;
        const auto doc = nlohmann::json::parse(raw, nullptr, false);
        if (doc.is_discarded()) {
            text = raw;
        } else {
            collect_strings(doc, text);
        }
        std::unordered_map<std::string, size_t> count;
        std::string w;
        for (const char c : text + " ") {
            if (std::isalpha(static_cast<unsigned char>(c))) {
                w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            } else {
                if (!w.empty()) ++count[w];
                w.clear();
            }
        }
        std::vector<std::pair<size_t, std::string>> ranked;
        for (auto & [word, n] : count) ranked.push_back({n, word});
        std::sort(ranked.begin(), ranked.end(), [](const auto & a, const auto & b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        for (const auto & [n, word] : ranked) {
            if (words.size() >= max_words) break;
            words.push_back(word);
        }
    }
    // Made-up words fill the rest: a life's vocabulary is larger than any one sample.
    std::mt19937_64 rng(7);
    const char * syll[] = {"ka", "lo", "mi", "ren", "sa", "to", "vel", "qu", "dor", "in", "ash", "pe", "ru", "no", "ti"};
    while (words.size() < max_words) {
        std::string w;
        const int n = 2 + static_cast<int>(rng() % 3);
        for (int i = 0; i < n; ++i) w += syll[rng() % 15];
        words.push_back(w);
    }
    return words;
}

class text_source {
public:
    text_source(std::vector<std::string> vocab, uint64_t seed) : vocab_(std::move(vocab)), rng_(seed) {
        // Zipf (s = 1): P(rank r) ~ 1/r, sampled through the cumulative weights.
        double sum = 0;
        for (size_t r = 1; r <= vocab_.size(); ++r) cdf_.push_back(sum += 1.0 / static_cast<double>(r));
        for (auto & c : cdf_) c /= sum;
    }
    std::string words(int n) {
        std::string out;
        for (int i = 0; i < n; ++i) {
            const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
            const size_t r = static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
            if (i) out += ' ';
            out += vocab_[std::min(r, vocab_.size() - 1)];
        }
        return out;
    }
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

private:
    std::vector<std::string> vocab_;
    std::vector<double> cdf_;
    std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char ** argv) {
    CLI::App app("B3: memory at scale (recall latency, ingest, size per memory)");
    std::string db = "bench/out/memscale.db", vocab;
    int people = 1, turns = 100000, queries = 2000, writes = 500, vocab_size = 30000;
    uint64_t seed = 1;
    app.add_option("--db", db, "database to create (replaced)");
    app.add_option("--people", people, "people")->check(CLI::Range(1, 1000000));
    app.add_option("--turns", turns, "memories (turns) per person")->check(CLI::Range(1, 10000000));
    app.add_option("--queries", queries, "recalls measured");
    app.add_option("--writes", writes, "synced single-turn writes measured");
    app.add_option("--vocab", vocab, "a text file whose words make the vocabulary (else made-up words)");
    app.add_option("--vocab-size", vocab_size, "words in the vocabulary");
    app.add_option("--seed", seed, "random seed");
    int facts_every = 10;
    app.add_option("--facts-every", facts_every, "a fact per this many turns, and a summary per sitting (0: turns only)");
    bool merge = false;
    app.add_flag("--merge", merge, "merge the index's segments after the build (as an idle-time task would)");
    bool reuse = false;
    app.add_flag("--reuse", reuse, "recall from the database a run with the same options left (no build; for profiling)");
    CLI11_PARSE(app, argc, argv);

    if (reuse && !std::filesystem::exists(db)) {
        std::fprintf(stderr, "memscale: --reuse: no database at %s (run once without --reuse)\n", db.c_str());
        return 1;
    }
    if (!reuse) {
        for (const char * ext : {"", "-wal", "-shm"}) std::filesystem::remove(db + ext);
    }
    auto store = os1::memory::memory_store::open(db);
    if (!store) {
        std::fprintf(stderr, "memscale: %s\n", store.error().message().c_str());
        return 1;
    }
    text_source text(load_vocab(vocab, static_cast<size_t>(vocab_size)), seed);
    const int64_t t_start = 1700000000;
    const int turns_per_session = 20;

    // Build: each person's life as sittings of 20 turns, one a day, in batches.
    std::vector<os1::memory::person_id> ids;
    const auto t_build = clock_type::now();
    for (int p = 0; p < people; ++p) {
        auto who = (*store)->person("person" + std::to_string(p), true);
        if (!who) return 1;
        ids.push_back(*who);
        if (reuse) continue;
        std::vector<os1::memory::new_turn> batch;
        for (int i = 0; i < turns; ++i) {
            os1::memory::new_turn t;
            t.session = "s" + std::to_string(i / turns_per_session);
            t.conversation = "c";
            t.ts = t_start + (i / turns_per_session) * 86400 + (i % turns_per_session) * 30;
            t.role = i % 2 ? os1::role::assistant : os1::role::user;
            t.speaker = i % 2 ? "OS1" : "person" + std::to_string(p);
            t.text = text.words(text.uniform(6, 30));
            batch.push_back(std::move(t));
            if (batch.size() == 1000 || i + 1 == turns) {
                if (auto st = (*store)->turns().add_turns(*who, batch); !st) {
                    std::fprintf(stderr, "memscale: %s\n", st.message().c_str());
                    return 1;
                }
                batch.clear();
            }
        }
        // What distillation would have learned: facts citing turns, a summary of each sitting.
        if (facts_every > 0) {
            auto newest = (*store)->turns().list_turns(*who, 0, 1);
            if (!newest || newest->empty()) return 1;
            const int64_t first = newest->front().id - turns + 1;  // this person's turns are one run of ids
            std::vector<os1::memory::fact_change> changes;
            for (int i = 0; i < turns; i += facts_every) {
                os1::memory::fact_change c;
                c.fact.text = text.words(text.uniform(6, 15));
                c.fact.ts = t_start + (i / turns_per_session) * 86400;
                c.fact.confidence = 0.8;
                c.fact.sources = {first + i};
                changes.push_back(std::move(c));
                if (changes.size() == 1000 || i + facts_every >= turns) {
                    if (auto st = (*store)->facts().apply_facts(*who, changes, 0); !st) {
                        std::fprintf(stderr, "memscale: %s\n", st.message().c_str());
                        return 1;
                    }
                    changes.clear();
                }
            }
            auto sessions = (*store)->turns().sessions(*who);
            if (!sessions) return 1;
            for (const auto & s : *sessions) {
                if (auto st = (*store)->summaries().put_summary(*who, s.id, text.words(text.uniform(40, 90)), first); !st) {
                    std::fprintf(stderr, "memscale: %s\n", st.message().c_str());
                    return 1;
                }
            }
        }
        if (people >= 10 && (p + 1) % (people / 10) == 0) std::fprintf(stderr, "built %d of %d people\n", p + 1, people);
    }
    const double build_s = ms_since(t_build) / 1000;
    double merge_s = 0;
    if (merge) {
        const auto t_merge = clock_type::now();
        if (auto st = (*store)->merge_index(); !st) {
            std::fprintf(stderr, "memscale: %s\n", st.message().c_str());
            return 1;
        }
        merge_s = ms_since(t_merge) / 1000;
    }
    const int64_t total = static_cast<int64_t>(people) * turns;
    const int64_t as_of = t_start + (turns / turns_per_session + 1) * 86400;

    // Recall: a message of 5-15 words, a quarter of them naming a time.
    std::vector<double> recall_ms;
    const char * times[] = {"last week", "in May", "two years ago", "yesterday"};
    size_t returned = 0;
    for (int q = 0; q < queries; ++q) {
        std::string msg = text.words(text.uniform(5, 15));
        if (q % 4 == 0) msg += std::string(" ") + times[q / 4 % 4];
        os1::memory::recall_options ro;  // as a turn recalls in os1 serve and os1 chat (companion::memory_settings)
        ro.k = 10;
        ro.as_of = as_of;
        ro.facts = 3;
        ro.summaries = 1;
        const auto who = ids[static_cast<size_t>(text.uniform(0, people - 1))];
        const auto t0 = clock_type::now();
        auto items = os1::memory::recall(**store, who, msg, ro);
        recall_ms.push_back(ms_since(t0));
        if (!items) return 1;
        returned += items->size();
    }

    // Synced writes, one turn per transaction, as the server stores each turn.
    std::vector<double> write_ms;
    for (int w = 0; w < writes; ++w) {
        os1::memory::new_turn t;
        t.session = "live";
        t.ts = as_of + w;
        t.role = os1::role::user;
        t.speaker = "someone";
        t.text = text.words(text.uniform(6, 30));
        const auto t0 = clock_type::now();
        if (!(*store)->turns().add_turn(ids[static_cast<size_t>(w % people)], t)) return 1;
        write_ms.push_back(ms_since(t0));
    }
    uint64_t bytes = 0;
    for (const char * ext : {"", "-wal"}) {
        std::error_code ec;
        const auto n = std::filesystem::file_size(db + ext, ec);
        if (!ec) bytes += n;
    }
    std::printf("memories: %lld (%d people x %d)", static_cast<long long>(total), people, turns);
    if (facts_every > 0) {
        std::printf(", with a fact per %d turns and a summary per sitting of %d turns", facts_every, turns_per_session);
    }
    std::printf("\n");
    std::printf("bulk ingest: %.1f s, %.0f memories/s (batches of 1,000)%s\n", build_s, static_cast<double>(total) / build_s,
                merge ? (", then the index merged in " + std::to_string(static_cast<int>(merge_s + 0.5)) + " s").c_str() : "");
    std::printf("recall (k=10), %d messages: p50 %.2f ms, p99 %.2f ms, max %.2f ms; %.1f items each\n", queries,
                percentile(recall_ms, 0.5), percentile(recall_ms, 0.99), percentile(recall_ms, 1.0),
                static_cast<double>(returned) / queries);
    std::printf("synced single-turn writes, %d: p50 %.2f ms, p99 %.2f ms (%.0f/s)\n", writes, percentile(write_ms, 0.5),
                percentile(write_ms, 0.99), 1000.0 / percentile(write_ms, 0.5));
    std::printf("database: %.1f MiB, %.0f bytes per memory\n", static_cast<double>(bytes) / (1 << 20),
                static_cast<double>(bytes) / static_cast<double>(total));
    return 0;
}
