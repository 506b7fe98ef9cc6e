// What the CLI's data commands share: who "--user" means, the memory database
// and the KV files under the data folder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/options.h"
#include "llm/embedder.h"
#include "memory/memory_store.h"

namespace os1::cli {

// --user, or $USER, or "me".
std::string local_user(const options & o);

// <data>/memory.db, created when missing.
result<std::unique_ptr<memory::memory_store>> open_memory(const options & o);

// The store and --user's person in it, or the exit code of the failure
// (reported already; not_found when the store has no such person).
struct opened_person {
    std::unique_ptr<memory::memory_store> store;
    memory::person_id who = 0;
    std::string name;
    int failed = -1;
};
opened_person open_person(const options & o);

// The embedding model of --embed-model, made the one STORE's vectors come
// from (null when none is configured). Without REPLACE, a store whose vectors
// come from another model is an error rather than emptied (for searches).
result<std::unique_ptr<llm::embedder>> open_embedder(const options & o, memory::memory_store & store, bool replace = true);

// Deletes PERSON's KV state files under <data>/kv for every model: of the
// CONVERSATIONS named, or all of them (and their prefixes) when none is named.
// Returns how many files went. For use while no server runs on this folder.
size_t remove_kv_files(const options & o, const std::string & person, const std::vector<std::string> & conversations);

// <data>/history/<person folder>: what `os1 chat` remembers of the lines PERSON typed.
std::string chat_history_path(const options & o, const std::string & person);

}  // namespace os1::cli
