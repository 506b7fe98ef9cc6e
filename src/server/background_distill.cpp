#include "server/background_distill.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

namespace os1::server {

background_distill::background_distill(llm::llm_i & engine, memory::memory_worker & worker, companion::distill_options o,
                                       companion::summary_options so, int evolve_every, std::string default_name)
    : engine_(engine), worker_(worker), opts_(o), summary_opts_(so), evolve_every_(evolve_every),
      default_name_(std::move(default_name)) {}

void background_distill::after_turn(memory::memory_store & store, memory::person_id who, const std::string & person) {
    if (opts_.min_turns <= 0 || in_flight_.count(who)) return;
    int & wait = evolve_wait_.try_emplace(who, evolve_every_).first->second;
    if (wait > 0) --wait;
    if (start_facts(store, who, person)) return;
    if (start_summary(store, who, person)) return;
    if (evolve_every_ > 0 && wait == 0) start_evolution(store, who, person);
}

void background_distill::start_evolution(memory::memory_store & store, memory::person_id who, const std::string & person) {
    evolve_wait_[who] = evolve_every_;
    auto job = companion::prepare_evolution(store, who, default_name_);
    if (!job || job->turns.empty()) return;
    auto j = std::make_shared<companion::evolution_job>(std::move(*job));
    (void)submit(who, person, companion::evolution_conversation(), companion::evolution_prompt(*j),
                 companion::evolution_generation(),
                 [j](memory::memory_store & s, const std::string & answer, const status & failed) {
                     if (!failed) return;
                     auto v = companion::apply_evolution(s, *j, answer);
                     if (!v) {
                         spdlog::debug("persona: the proposal was refused: {}", v.error().message());
                     } else if (*v > 0) {
                         spdlog::debug("persona: version {} ({})", *v, j->current.name);
                     }
                 });
}

bool background_distill::start_facts(memory::memory_store & store, memory::person_id who, const std::string & person) {
    auto progress = store.facts().distill_progress(who);
    if (!progress) return false;
    // After each failure in a row, wait for twice as many new turns.
    companion::distill_options o = opts_;
    o.min_turns = opts_.min_turns << std::min<int64_t>(progress->failures, 5);
    auto batch = companion::prepare_distillation(store, who, o);
    if (!batch || batch->turns.empty()) return false;
    auto b = std::make_shared<companion::distill_batch>(std::move(*batch));
    auto st = submit(who, person, companion::distill_conversation(), companion::distill_prompt(*b),
                     companion::distill_generation(opts_),
                     [b, who](memory::memory_store & s, const std::string & answer, const status & failed) {
                         if (!failed) {
                             (void)s.facts().note_distill_failure(who, "the distillation did not finish: " + failed.message());
                             return;
                         }
                         auto n = companion::apply_distillation(s, *b, answer);  // logs and counts a refusal itself
                         if (n && *n > 0) spdlog::debug("memory: {} fact change(s) distilled", *n);
                     });
    if (!st && st.code() != status_code::cancelled) (void)store.facts().note_distill_failure(who, st.message());
    return true;
}

bool background_distill::start_summary(memory::memory_store & store, memory::person_id who, const std::string & person) {
    // Looking costs a count per session: done once every few turns, fewer after failures.
    int & wait = summary_wait_[who];
    if (wait > 0) {
        --wait;
        return false;
    }
    wait = opts_.min_turns << std::min(summary_failures_[who], 5);
    auto job = companion::prepare_summary(store, who, summary_opts_);
    if (!job || job->empty()) return false;
    auto j = std::make_shared<companion::summary_job>(std::move(*job));
    return submit(who, person, companion::summary_conversation(), companion::summary_prompt(*j),
                 companion::summary_generation(summary_opts_),
                 [this, j, who](memory::memory_store & s, const std::string & answer, const status & failed) {
                     auto done = failed ? companion::apply_summary(s, *j, answer) : result<bool>(failed);
                     if (!done) {
                         ++summary_failures_[who];
                         return;
                     }
                     summary_failures_[who] = 0;
                     // What it read changed, or more is due (the person's after a session's): look again next turn.
                     summary_wait_[who] = 0;
                 })
        .is_ok();
}

status background_distill::submit(memory::person_id who, const std::string & person, const std::string & conversation,
                                  std::vector<llm::chat_message> messages, llm::generation_options gen, apply_fn apply) {
    auto answer = std::make_shared<std::string>();
    llm::completion_request r;
    r.key = {person, conversation};
    r.messages = std::move(messages);
    r.gen = std::move(gen);
    r.on_event = [this, answer, who, person, conversation, apply = std::move(apply)](const llm::completion_event & ev) {
        if (ev.type == llm::completion_event::kind::text) {
            *answer += ev.text;
            return;
        }
        const status failed = ev.type == llm::completion_event::kind::error ? ev.error
                              : ev.stats.reason == llm::stop_reason::end_of_turn
                                  ? status::ok()
                                  : status(status_code::resource_exhausted, "the model's answer was cut short");
        worker_.post([this, answer, who, person, conversation, apply, failed](memory::memory_store & s) {
            in_flight_.erase(who);
            // Its prompt held copies of the person's turns: no KV state of it is
            // kept, so forgetting a turn never has to find one.
            engine_.drop({person, conversation}, {});
            if (!failed) spdlog::warn("memory: a background job ({}) did not finish: {}", conversation.substr(1), failed.message());
            apply(s, *answer, failed);
        });
    };
    in_flight_.insert(who);
    auto st = engine_.submit(std::move(r));
    if (!st) in_flight_.erase(who);
    return st;
}

}  // namespace os1::server
