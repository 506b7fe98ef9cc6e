// Distils each person's new turns into facts in the background, never on a
// reply's path: the batch is prepared on the memory thread after a turn is
// stored, the model runs it as an engine request of its own (a conversation
// key no client can name), and the answer is applied back on the memory thread
// (companion/fact_distiller.h: all or nothing), and the request's KV state is
// dropped (it holds copies of the turns). One at a time per person;
// after failures it waits for more new turns before trying again.
//
// Threads: after_turn() on the memory thread only; engine events arrive on the
// engine thread and only post work to the memory thread.
#pragma once

#include <set>
#include <string>

#include "companion/fact_distiller.h"
#include "llm/engine.h"
#include "memory/memory_worker.h"

namespace os1::server {

class background_distill {
public:
    background_distill(llm::engine & engine, memory::memory_worker & worker, companion::distill_options o);

    // After a turn of PERSON (store id WHO) is stored.
    void after_turn(memory::memory_store & store, memory::person_id who, const std::string & person);

private:
    void finish(memory::memory_store & store, memory::person_id who, const std::string & person,
                const companion::distill_batch & b, const std::string & answer, const status & failed);
    llm::engine & engine_;
    memory::memory_worker & worker_;
    companion::distill_options opts_;
    std::set<memory::person_id> in_flight_;  // memory thread only
};

}  // namespace os1::server
