// Everything the store holds of one person, in open formats: JSON (complete,
// for programs: every field of every row) and Markdown (for reading).
#pragma once

#include <string>

#include "memory/memory_store.h"

namespace os1::memory {

struct person_export {
    std::string json;
    std::string markdown;
    size_t turns = 0;
    size_t sessions = 0;
};

// not_found when the store has nothing of NAME.
result<person_export> export_person(memory_store & store, const std::string & name, int64_t now_unix);

// The export as one tar archive: os1-export/memories.json and memories.md.
result<std::string> export_archive(const person_export & e, int64_t now_unix);

// "2026-11-28 15:04 UTC"
std::string utc_text(int64_t unix_s);

}  // namespace os1::memory
