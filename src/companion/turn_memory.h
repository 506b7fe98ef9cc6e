// The memory side of one turn, for `os1 chat` and `os1 serve` alike: the new
// message is stored before anything is acknowledged, what matters is recalled
// and laid out with the core profile (prompt_layout.h), and the reply is
// stored when it is complete.
//
// Each stored user turn keeps the recalled block it was sent with; when the
// same message comes back as history in later turns it is sent with that
// block again, so the prompt stays the prefix that is already in the KV cache.
//
// Threads: these run where the store lives (a memory_worker's thread in the server).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "companion/prompt_layout.h"
#include "llm/chat_types.h"
#include "llm/embedder.h"
#include "memory/memory_store.h"
#include "os1/status.h"

namespace os1::companion {

struct memory_settings {
    int recall_items = 6;     // recalled items considered per turn
    int recall_words = 200;   // at most this many words of them in the prompt
    // Once the conversation's history carries recalled items (earlier blocks
    // stay where the model saw them), a turn adds at most this many words:
    // what it recalls is computed anew on every turn, and what matters most
    // is usually there already. See docs/decisions/0009.
    int recall_words_later = 50;
    double recall_floor = 0.25;  // no turn is recalled when none holds this share of the message's words (recall_options::floor)
    int tail_turns = 256;     // a conversation's latest turns read to find their recalled blocks
    int recall_facts = 3;     // of the recalled items, at most this many facts
    int recall_summaries = 1; // and this many session summaries
    int profile_facts = 12;   // facts considered for the core profile
    size_t profile_bytes = 5120;  // the core profile's size (within store_limits::max_session_profile_bytes)
    // Each message of the person gets the word list's reading of its feeling
    // (emotion.h), stored with it, and a tone line in the prompt.
    bool feelings = true;
    // With an embedding model (the store's use_vector_model set to it): each
    // turn gets a vector and recall searches them too. Not owned.
    llm::embedder * embedder = nullptr;
};

struct turn_context {
    std::string person;        // the memory store's name for them
    std::string conversation;  // also the session's key in the store
    std::string speaker;       // how the person appears in their memories
    std::string assistant;     // how the OS appears in them until it has a name with this person
    int64_t now = 0;           // unix seconds
    // Lines the caller puts in front of the message beside the recalled ones
    // (honesty.h's live figures); stored with the turn, like them.
    std::string live_note;
};

struct prepared_turn {
    prompt_parts parts;        // lay_out(parts) gives the messages for the model
    memory::person_id person = 0;
    int64_t user_turn_id = 0;
};

// A turn of this conversation as the store keeps it (the session is the conversation).
memory::new_turn turn_of(const turn_context & c, os1::role role, const std::string & speaker, const std::string & text);

// REQUEST is the conversation as the client sends it: an optional system
// message (the persona; DEFAULT_PERSONA when there is none), earlier messages,
// and the new user message last. A request repeated after a failure (the same
// new message, no reply stored since) is not stored twice.
// invalid_argument when the last message is not the person's or the store refuses it.
result<prepared_turn> prepare_turn(memory::memory_store & store, const turn_context & c,
                                   const std::vector<llm::chat_message> & request, const std::string & default_persona,
                                   const memory_settings & s = {});

// What is stored with one message (the person's, or the reply), in one
// transaction: all of it or none, so that a crash between the writes leaves no
// half-made turn.
struct turn_parts {
    std::optional<memory::new_turn> turn;                 // the message (none: a retried turn's session only)
    std::optional<memory::emotion_reading> feeling;       // its reading
    std::optional<std::string> session_profile;           // the session's frozen core profile, when it has none
    std::optional<std::string> session_persona;           // and its frozen persona
    std::vector<float> vector;                            // its embedding, when one was made
};
// Stores W for WHO in SESSION (the conversation): the turn's id, 0 without
// one. A feeling or vector the store refuses is logged and made later.
result<int64_t> store_turn(memory::memory_store & store, memory::person_id who, const std::string & session,
                           turn_parts & w);

// Stores the complete reply to the turn prepare_turn stored (with its vector,
// given EMBEDDER): its turn id, 0 when the reply was empty.
result<int64_t> remember_reply(memory::memory_store & store, const turn_context & c, memory::person_id who,
                      const std::string & reply, llm::embedder * embedder = nullptr);

// Gives up to LIMIT of WHO's messages that have no reading at all the word
// list's (messages stored without one: the interview's answers, corrected ones).
result<int> read_missing_feelings(memory::memory_store & store, memory::person_id who, int limit);

// Gives up to LIMIT of WHO's turns that have none a vector, newest first (turns
// stored before the model was configured, or corrected): how many were done.
result<int> embed_missing(memory::memory_store & store, memory::person_id who, llm::embedder & embedder, int limit);

}  // namespace os1::companion
