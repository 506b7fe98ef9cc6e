#include "memory/wordnet.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <unordered_set>

#ifdef OS1_HAVE_WORDNET
#include <wn.h>
#endif

namespace os1::memory {

#ifdef OS1_HAVE_WORDNET
namespace {

// libwordnet keeps open files and static buffers in globals: every call into it
// holds this lock.
std::mutex & wn_mutex() {
    static std::mutex m;
    return m;
}

// WordNet's "musical_instrument", "de-emphasize" and "Sweden" are left out: the
// full-text index matches single plain words.
bool plain_word(const char * w) {
    if (!w || !*w) return false;
    for (const char * p = w; *p; ++p) {
        if (!std::islower(static_cast<unsigned char>(*p))) return false;
    }
    return true;
}

struct synset_deleter {
    void operator()(Synset * s) const { free_synset(s); }
};
struct index_deleter {
    void operator()(Index * i) const { free_index(i); }
};
using synset_ptr = std::unique_ptr<Synset, synset_deleter>;
using index_ptr = std::unique_ptr<Index, index_deleter>;

// Collects related words in order, once each, up to a limit.
class collector {
public:
    collector(std::string_view self, int limit) : limit_(static_cast<size_t>(limit)) { seen_.insert(std::string(self)); }
    void add(const char * w, word_relation r) {
        if (out.size() >= limit_ || !plain_word(w) || !seen_.insert(w).second) return;
        out.push_back({w, r});
    }
    std::vector<related_word> out;

private:
    size_t limit_;
    std::unordered_set<std::string> seen_;
};

// The lemmas of WORD as part of speech POS: itself when WordNet has it, and the
// base forms morphology finds ("kids" -> "kid", "children" -> "child").
std::vector<std::string> lemmas(const std::string & word, int pos) {
    std::vector<std::string> out;
    std::vector<char> buf(word.begin(), word.end());
    buf.push_back('\0');
    if (is_defined(buf.data(), pos)) out.push_back(word);
    for (char * m = morphstr(buf.data(), pos); m; m = morphstr(nullptr, pos)) {
        if (std::find(out.begin(), out.end(), m) == out.end()) out.emplace_back(m);
    }
    return out;
}

}  // namespace

result<std::shared_ptr<const wordnet>> wordnet::open() {
    std::lock_guard<std::mutex> lock(wn_mutex());
    static std::shared_ptr<const wordnet> db;
    if (!db) {
        if (wninit() != 0) {
            return status(status_code::not_found,
                          "WordNet's data files were not found (install wordnet-base, or set WNSEARCHDIR)");
        }
        db.reset(new wordnet());
    }
    return db;
}

std::vector<related_word> wordnet::related(std::string_view word_in, const wordnet_options & o) const {
    std::string word(word_in);
    for (auto & c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    collector c(word, o.max_words);
    if (word.empty()) return c.out;
    std::lock_guard<std::mutex> lock(wn_mutex());
    // Closest relations first, over every part of speech, so that a limit cuts
    // the loosest ones.
    std::vector<synset_ptr> senses;
    std::vector<int> which;
    for (int pos : {NOUN, VERB, ADJ, ADV}) {
        for (const auto & lemma : lemmas(word, pos)) {
            std::vector<char> buf(lemma.begin(), lemma.end());
            buf.push_back('\0');
            index_ptr idx(index_lookup(buf.data(), pos));
            if (!idx) continue;
            for (int s = 0; s < idx->off_cnt && s < o.max_senses; ++s) {
                synset_ptr ss(read_synset(pos, static_cast<long>(idx->offset[s]), buf.data()));
                if (!ss) continue;
                c.add(lemma.c_str(), word_relation::synonym);  // "kids" -> "kid" is the same word to the index
                for (int i = 0; i < ss->wcount; ++i) c.add(ss->words[i], word_relation::synonym);
                senses.push_back(std::move(ss));
            }
        }
    }
    const auto follow = [&](int type, word_relation r) {
        for (const auto & ss : senses) {
            for (int p = 0; p < ss->ptrcount; ++p) {
                if (ss->ptrtyp[p] != type) continue;
                // A derivation links one word of the synset to one of the other;
                // the others' derivations are not this word's.
                if (type == DERIVATION && ss->pfrm[p] != 0 && ss->pfrm[p] != ss->whichword) continue;
                synset_ptr to(read_synset(ss->ppos[p], ss->ptroff[p], const_cast<char *>("")));
                if (!to) continue;
                if (type == DERIVATION && ss->pto[p] > 0 && ss->pto[p] <= to->wcount) {
                    c.add(to->words[ss->pto[p] - 1], r);
                } else {
                    for (int i = 0; i < to->wcount; ++i) c.add(to->words[i], r);
                }
            }
        }
    };
    follow(DERIVATION, word_relation::derived);
    if (o.narrower) {
        follow(HYPOPTR, word_relation::narrower);
        follow(INSTANCES, word_relation::narrower);
    }
    if (o.broader) follow(HYPERPTR, word_relation::broader);
    return c.out;
}

#else  // built without libwordnet

result<std::shared_ptr<const wordnet>> wordnet::open() {
    return status(status_code::unsupported, "this OS1 was built without WordNet (install wordnet-dev and rebuild)");
}

std::vector<related_word> wordnet::related(std::string_view, const wordnet_options &) const { return {}; }

#endif

}  // namespace os1::memory
