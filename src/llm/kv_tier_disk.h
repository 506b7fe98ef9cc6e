// The disk tier: one file per conversation under
//   <dir>/<sha256(person)[:16]>/<sha256(conversation)[:32]>.kv
// where <dir> is already specific to the model (see engine). States survive a
// restart. Writes happen on the tier's own thread, so the engine never waits
// for the disk; a state being written is still found by load(). Within the byte
// budget the least recently used files are deleted first.
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "llm/kv_state.h"

namespace os1::llm {

// The folder (under a tier's dir) that holds every state of PERSON.
std::string kv_person_folder(const std::string & person);
// The file (in that folder) of one conversation's state.
std::string kv_conversation_file(const std::string & conversation);

class kv_tier_disk {
public:
    kv_tier_disk(std::string dir, uint64_t budget_bytes);
    ~kv_tier_disk();  // finishes pending writes
    kv_tier_disk(const kv_tier_disk &) = delete;
    kv_tier_disk & operator=(const kv_tier_disk &) = delete;

    // Creates the folder and indexes the files already there.
    status open();

    void put_async(kv_saved_state s);
    // not_found when there is no state for `key`; a damaged file is deleted and
    // reported as not_found (the conversation is then computed again).
    result<kv_saved_state> load(const conversation_key & key);
    bool contains(const conversation_key & key) const;
    void erase(const conversation_key & key);
    void erase_person(const std::string & person);
    void flush();  // returns when every write queued so far is on disk

    uint64_t bytes() const;
    size_t count() const;
    std::string path_for(const conversation_key & key) const;

private:
    struct entry {
        uint64_t bytes = 0;
        uint64_t last_used = 0;  // a counter, larger = more recent
    };
    void writer_loop();
    void evict_over_budget();  // REQUIRES mu_

    std::string dir_;
    uint64_t budget_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::string, entry> files_;                       // path -> entry, GUARDED_BY(mu_)
    // path -> state being written, GUARDED_BY(mu_); shared so that the writer
    // encodes it and a reader copies it without holding the lock.
    std::unordered_map<std::string, std::shared_ptr<const kv_saved_state>> pending_;
    std::deque<std::string> queue_;                            // paths to write, GUARDED_BY(mu_)
    uint64_t bytes_ = 0;                                       // GUARDED_BY(mu_)
    uint64_t clock_ = 0;                                       // GUARDED_BY(mu_)
    int writing_ = 0;                                          // GUARDED_BY(mu_)
    bool stop_ = false;                                        // GUARDED_BY(mu_)
    std::thread writer_;
};

}  // namespace os1::llm
