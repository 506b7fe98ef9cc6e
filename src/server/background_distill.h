// Learns from each person's turns in the background, never on a reply's path:
// facts first (companion/fact_distiller.h), then summaries of sessions and of
// the person (companion/summarizer.h), then, every EVOLVE_EVERY turns, the
// persona's growth (companion/persona_evolution.h). A job is prepared on the memory thread
// after a turn is stored, the model runs it as an engine request of its own (a
// conversation key no client can name), the answer is applied back on the
// memory thread (all or nothing), and the request's KV state is dropped (it
// holds copies of the turns). One job at a time per person; after failures it
// waits for more new turns before trying again.
//
// Threads: after_turn() on the memory thread only; engine events arrive on the
// engine thread and only post work to the memory thread.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "companion/fact_distiller.h"
#include "companion/persona_evolution.h"
#include "companion/summarizer.h"
#include "llm/llm_i.h"
#include "memory/memory_worker.h"

namespace os1::server {

class background_distill {
public:
    // EVOLVE_EVERY 0: the persona does not evolve.
    background_distill(llm::llm_i & engine, memory::memory_worker & worker, companion::distill_options o,
                       companion::summary_options so = {}, int evolve_every = 0, std::string default_name = "OS1");

    // After a turn of PERSON (store id WHO) is stored.
    void after_turn(memory::memory_store & store, memory::person_id who, const std::string & person);

private:
    // What to do with the model's answer on the memory thread (FAILED: it did not finish).
    using apply_fn = std::function<void(memory::memory_store &, const std::string & answer, const status & failed)>;
    bool start_facts(memory::memory_store & store, memory::person_id who, const std::string & person);
    bool start_summary(memory::memory_store & store, memory::person_id who, const std::string & person);
    void start_evolution(memory::memory_store & store, memory::person_id who, const std::string & person);
    status submit(memory::person_id who, const std::string & person, const std::string & conversation,
                  std::vector<llm::chat_message> messages, llm::generation_options gen, apply_fn apply);
    llm::llm_i & engine_;
    memory::memory_worker & worker_;
    companion::distill_options opts_;
    companion::summary_options summary_opts_;
    std::set<memory::person_id> in_flight_;                  // memory thread only
    std::map<memory::person_id, int> summary_wait_;          // turns before summaries are looked at again
    std::map<memory::person_id, int> summary_failures_;      // in a row
    int evolve_every_;
    std::string default_name_;
    std::map<memory::person_id, int> evolve_wait_;           // turns before the persona is looked at again
};

}  // namespace os1::server
