// Recall: from a new message and the time, the person's memories that matter
// now, best first. Never reads another person's rows (every store call is scoped).
//
// Method (no neural model needed): BM25 over the turns' words (FTS5, stemmed),
// one search per word of the message, summed and scaled by the share of the words
// a turn matched (coordination); a second search with the words of the best turns
// (pseudo-relevance feedback); each turn's score smoothed with its neighbours in
// the conversation (an answer often shares no word with the question that found
// its neighbour); a boost for turns inside a time the message names ("last
// week", "in May"), one for turns of the sittings that match the message best as
// a whole (a topic talked over for a while outranks a word mentioned once in
// passing), one for turns by a speaker the message names, and a small one for
// recent turns (when no time is named). Optionally, related
// words from WordNet are searched at a lower weight.
//
// Cost: about 2 + (words in the message) full-text searches, plus one small
// lookup per candidate's neighbours (at most 60).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "os1/status.h"
#include "memory/memory_store.h"
#include "memory/wordnet.h"

namespace os1::memory {

struct recall_options {
    int k = 10;                      // items returned
    int64_t as_of = 0;               // unix seconds: "now" for time expressions (0: no times)
    int candidates = 200;            // full-text hits considered per search
    bool coordination = true;        // scale a turn's text score by the share of the message's words it matched
    int feedback_turns = 3;          // best turns whose words are searched again (0: no feedback)
    // Cost bounds for a large index (see keep_affordable in recall.cpp):
    int64_t large_index_turns = 5000;    // a person with fewer turns has every word searched
    int64_t scored_turns = 1000;         // above it, the rarest words holding at most this many turns
    int64_t feedback_scored_turns = 250; // the same for the feedback search
    double feedback_weight = 0.1;    // what that second search adds at most, relative to the best score
    int neighbours = 2;              // turns either side that share a hit's score
    double neighbour_weight = 0.5;   // share a turn at distance d receives: weight / 2 / d
    // When no turn holds at least this share of the message's words (those
    // searched: not stopwords, not a named speaker), no turn is recalled: a
    // message that matches nothing well brings nothing. Above it the ranking is
    // as without it (an answer beside a good hit still comes). A share, not a
    // BM25 score: for a person with a handful of turns every word's IDF is near
    // 0, yet what they said last week is what they mean. 0: off.
    double floor = 0;
    double time_boost = 0.5;         // extra score, relative, inside a named time
    double session_weight = 0.5;     // extra score, relative, for turns of the sessions that matched most
    double speaker_weight = 0.5;     // extra score, relative, for turns by a speaker the message names (0: off)
    // Recency, when the message names no time: extra score, relative, halving
    // every RECENCY_HALF_LIFE_DAYS of a turn's age (as_of set; 0: off).
    double recency_weight = 0.1;
    double recency_half_life_days = 30;
    // Facts (distilled from the turns) that hold at least FACT_MIN_SHARE of the
    // message's words, up to FACTS of them, fused with the turns by reciprocal
    // rank; then every item's score is its fused score. 0: turns only.
    int facts = 0;
    double fact_min_share = 0.5;
    double fact_weight = 1.0;
    // The same for session summaries (each stands for all its session's turns).
    int summaries = 0;
    // The message's vector (embedding model, L2-normalized): the turns nearest
    // it (up to VECTOR_CANDIDATES) are fused with the full-text ranking by
    // reciprocal rank. Null: full text only.
    const std::vector<float> * query_vector = nullptr;  // not owned; outlives the call
    int vector_candidates = 50;
    // Related words (synonyms, derived forms, narrower kinds) are searched too,
    // their BM25 scaled by these weights; null: only the message's own words.
    // Off by default: on the B2 dev split it did not help (bench/results/memory.md).
    const wordnet * words = nullptr;  // not owned; outlives the call
    wordnet_options word_options;
    double related_weight = 0.1;      // synonyms and derived forms
    double narrower_weight = 0.1;     // kinds of a word in the message ("dog" -> "puppy")
};

result<std::vector<recalled_item>> recall(memory_store & store, person_id who, std::string_view message,
                                          const recall_options & o = {});

// The words of TEXT worth searching for: lower-cased, without stopwords.
std::vector<std::string> query_terms(std::string_view text);

// "(2023-05-08) Caroline: text": how a recalled turn reads in a prompt.
std::string format_turn(const turn_record & t);
// "(as of 2023-05-08) text": how a recalled fact reads.
std::string format_fact(const fact_record & f);

}  // namespace os1::memory
