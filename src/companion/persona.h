// The OS's persona in one relationship (name, self-description, traits,
// interests, notes on the relationship), as the prompt carries it and as its
// versions differ. Stored in the memory store, one version per change
// (memory_store::add_persona); this file has no SQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "llm/chat_types.h"
#include "memory/memory_store.h"
#include "memory/memory_types.h"
#include "os1/status.h"

namespace os1::companion {

// The persona as the second system message begins ("" for version 0): who the
// OS is with this person. The operator's base character comes before it.
std::string persona_text(const memory::persona_record & p);

// What changed from BEFORE to AFTER, one "field: old -> new" line each (items
// as "+x" and "-x"); "" when nothing did.
std::string persona_diff(const memory::persona_record & before, const memory::persona_record & after);

// A name the person gives the OS: trimmed, 1 to 40 characters, no line break,
// no control character, not only punctuation. invalid_argument naming the problem.
result<std::string> checked_name(std::string_view name);

// The person renames the OS: a new version (source "rename") that every
// conversation uses at once; an unfinished interview ends with it (its
// answers stay). Without a persona yet, the others fields start empty.
result<memory::persona_record> rename_persona(memory::memory_store & store, memory::person_id who, std::string_view name);
// VERSION's persona again, as a new version (source "rollback") used at once.
// not_found when there is no such version.
result<memory::persona_record> rollback_persona(memory::memory_store & store, memory::person_id who, int64_t version);

// Naming: the model chooses its own name and a short self-description under
// a grammar (a capitalized name of 2 to 15 letters, or two such words; a
// description of 10 to 240 characters).
const std::string & naming_grammar();
std::vector<llm::chat_message> naming_prompt(const std::string & profile);
llm::generation_options naming_generation();
struct chosen_name {
    std::string name;
    std::string about;
};
// invalid_argument when the answer is not such JSON or the name is not valid.
result<chosen_name> parse_naming(std::string_view answer);

}  // namespace os1::companion
