// Recall: from a new message and the time, the person's memories that matter
// now, best first. Never reads another person's rows (every store call is scoped).
//
// Method (no neural model needed): BM25 over the turns' words (FTS5, stemmed),
// each turn's score smoothed with its neighbours in the conversation (an answer
// often shares no word with the question that found its neighbour), and a boost
// for turns inside a time the message names ("last week", "in May"), and one for
// turns of the sittings that match the message best as a whole (a topic talked
// over for a while outranks a word mentioned once in passing).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "os1/status.h"
#include "memory/memory_store.h"

namespace os1::memory {

struct recall_options {
    int k = 10;                      // items returned
    int64_t as_of = 0;               // unix seconds: "now" for time expressions (0: no times)
    int candidates = 200;            // full-text hits considered
    int neighbours = 1;              // turns either side that share a hit's score
    double neighbour_weight = 0.35;  // share of a neighbour's score a turn receives
    double time_boost = 0.5;         // extra score, relative, inside a named time
    double session_weight = 0.5;     // extra score, relative, for turns of the sessions that matched most
};

result<std::vector<recalled_item>> recall(memory_store & store, person_id who, std::string_view message,
                                          const recall_options & o = {});

// The words of TEXT worth searching for: lower-cased, without stopwords.
std::vector<std::string> query_terms(std::string_view text);

// "(2023-05-08) Caroline: text": how a recalled turn reads in a prompt.
std::string format_turn(const turn_record & t);

}  // namespace os1::memory
