// The prompt, in the order ARCHITECTURE.md sets for the KV cache: what changes
// least comes first, so each turn computes only its new tokens:
//
//   character | relationship + core profile | history | recalled | message
//
// The character is the operator's base character, one system message shared
// by everyone; who the OS is with this person (persona.h) and what it knows of
// them (the core profile) are a second one, so the character's prefix stays
// shared. The recalled block rides in front of the message it was recalled
// for, and stays with that message in later turns (see turn_memory).
#pragma once

#include <string>
#include <vector>

#include "llm/chat_types.h"
#include "memory/memory_types.h"

namespace os1::companion {

struct prompt_parts {
    std::string persona;                     // the base character; "" for none
    std::string relationship;                // persona_text() of this relationship; "" for none
    std::string core_profile;                // "" for none
    std::vector<llm::chat_message> history;  // earlier user and assistant messages, oldest first
    std::string recalled;                    // the block from recalled_block(), "" for none
    std::string message;                     // the person's new message
};

// The messages for the model. With merge_system the second system message
// joins the first, for chat templates that take only one.
std::vector<llm::chat_message> lay_out(const prompt_parts & p, bool merge_system = false);

// A user message with the recalled block in front of it.
std::string with_recalled(const std::string & recalled, const std::string & message);

// Recalled text is bounded in bytes as well as words: one "word" may be 30,000
// characters long, and a prompt must never outgrow its context because of recall.
constexpr size_t default_recall_bytes = 2000;

// The block that introduces recalled items in the prompt: items, best first,
// as fit in MAX_WORDS and MAX_BYTES, the first always (its first MAX_WORDS
// words, marked with "…", when it is longer); "" when there is none or
// MAX_WORDS is 0. An item longer than half of MAX_BYTES is cut there (at a
// character, marked with "…"). CHOSEN
// receives the turn ids of the items used (a fact's: its sources),
// CHOSEN_FACTS the fact ids. The heading explains what the block is unless
// SHOWN (the blocks the prompt already holds) has that explanation; then a
// short one says it.
std::string recalled_block(const std::vector<memory::recalled_item> & items, int max_words,
                           std::vector<int64_t> & chosen, std::vector<int64_t> * chosen_facts = nullptr,
                           size_t max_bytes = default_recall_bytes, const std::string & shown = {});

// Whether BLOCKS (the recalled blocks a prompt already holds) show ITEM, as
// recalled_block() would write it with MAX_BYTES.
bool shown_in(const std::string & blocks, const memory::recalled_item & item, size_t max_bytes = default_recall_bytes);

// The last tone line (emotion.h) in BLOCKS; "" for none.
std::string last_tone_line(const std::string & blocks);

// The core profile: the person's own words, the portrait the model wrote of
// them (their summary) if it fits beside them, then as many whole facts, in
// the order given, as keep it within MAX_BYTES. "" when there is none of them.
std::string core_profile(const std::string & own, const std::string & portrait, const std::vector<memory::fact_record> & facts,
                         size_t max_bytes);

}  // namespace os1::companion
