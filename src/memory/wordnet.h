// Related words from WordNet 3.0 (Princeton's lexical database), so that recall
// can find a memory that says "puppy" for a question that says "dog".
// Used when no embedding model is configured; recall works without it.
//
// Backed by libwordnet (Debian wordnet-dev) reading the wordnet-base data files
// ($WNSEARCHDIR, or /usr/share/wordnet). The library keeps global state, so
// there is one database per process: open() initializes it once, and every
// lookup holds one process-wide mutex. Lookups are safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "os1/status.h"

namespace os1::memory {

// How a related word stands to the word asked about.
enum class word_relation {
    synonym,  // same sense ("kid" -> "child")
    derived,  // same root, other part of speech ("paint" -> "painter", "camp" -> "campsite")
    narrower,  // a kind of it ("dog" -> "puppy", "paint" -> "watercolor") (WordNet hyponym)
    broader,  // what it is a kind of ("violin" -> "bowed stringed instrument") (WordNet hypernym)
};

struct related_word {
    std::string word;  // one lower-case word (WordNet's multi-word entries are left out)
    word_relation relation;
};

struct wordnet_options {
    int max_senses = 2;            // senses of each part of speech looked at, most common first
    int max_words = 40;            // related words returned for one word at most
    bool narrower = true;          // include kinds of the word (one level down)
    bool broader = false;          // include what the word is a kind of (one level up)
};

class wordnet {
public:
    // The process's WordNet database. not_found when its data files are missing,
    // unsupported when OS1 was built without libwordnet. Cheap after the first call.
    static result<std::shared_ptr<const wordnet>> open();

    // Words related to WORD (any inflection: "painted", "kids"), closest relations
    // first, without WORD itself and without duplicates. Empty for a word
    // WordNet does not know.
    std::vector<related_word> related(std::string_view word, const wordnet_options & o = {}) const;

private:
    wordnet() = default;
};

}  // namespace os1::memory
