// Feelings: each of the person's messages gets a reading, a label from a
// fixed set with valence (-1 unpleasant .. 1 pleasant) and arousal (0 calm ..
// 1 intense). The model reads them under a grammar where it proves capable
// (emotion_probe_cases); a word list reads them otherwise, and at once for the
// reply being made (a tone line in the prompt), since a model reading would
// cost a call before every reply. Stored with the message (memory_store::
// put_emotion); the mood series is read from the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "companion/fact_distiller.h"
#include "llm/chat_types.h"
#include "memory/memory_store.h"
#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::companion {

// The fixed set, in the grammar's order.
const std::vector<std::string> & emotion_labels();

// The word list's reading of TEXT (source "lexicon"): the matched words'
// mean valence and arousal, negation ("not happy") and intensifiers ("so
// sad") considered; "neutral" (0, 0.3) when no word matches.
memory::emotion_reading lexicon_reading(std::string_view text);

// The model's reading: prompt, generation settings (temperature 0, a grammar
// with the fixed labels and one-decimal numbers) and the answer's parse.
const std::string & emotion_grammar();
std::vector<llm::chat_message> emotion_prompt(const std::string & message);
llm::generation_options emotion_generation();
result<memory::emotion_reading> parse_emotion(std::string_view answer);

// The conversation id the model's readings run under (not printable).
const std::string & emotion_conversation();

// Messages whose feeling any capable model reads the same way; a model whose
// readings get the sign of the valence wrong on any of them reads no one's.
struct emotion_probe_case {
    std::string message;
    int valence_sign;  // -1 or 1
};
const std::vector<emotion_probe_case> & emotion_probe_cases();

// With a model called in place (os1 chat): whether it reads every probe
// case's valence right, and its readings of up to LIMIT of WHO's messages
// from the last 30 days that have none of its own, newest first (how many
// were stored; an answer that does not parse leaves the word list's).
bool model_reads_feelings(const completer & complete);
result<int> read_feelings_now(memory::memory_store & store, memory::person_id who, const completer & complete, int limit,
                              int64_t now);

// The line put in front of the message so that the reading shapes the reply;
// "" for a neutral or calm one (nothing to adjust).
std::string tone_line(const memory::emotion_reading & r);

}  // namespace os1::companion
