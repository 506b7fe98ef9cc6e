#include "server/background_distill.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

namespace os1::server {

background_distill::background_distill(llm::engine & engine, memory::memory_worker & worker, companion::distill_options o)
    : engine_(engine), worker_(worker), opts_(o) {}

void background_distill::after_turn(memory::memory_store & store, memory::person_id who, const std::string & person) {
    if (opts_.min_turns <= 0 || in_flight_.count(who)) return;
    auto progress = store.distill_progress(who);
    if (!progress) return;
    // After each failure in a row, wait for twice as many new turns.
    companion::distill_options o = opts_;
    o.min_turns = opts_.min_turns << std::min<int64_t>(progress->failures, 5);
    auto batch = companion::prepare_distillation(store, who, o);
    if (!batch || batch->turns.empty()) return;
    auto b = std::make_shared<companion::distill_batch>(std::move(*batch));
    auto answer = std::make_shared<std::string>();
    llm::completion_request r;
    r.key = {person, companion::distill_conversation()};
    r.messages = companion::distill_prompt(*b);
    r.gen = companion::distill_generation(opts_);
    r.on_event = [this, b, answer, who, person](const llm::completion_event & ev) {
        if (ev.type == llm::completion_event::kind::text) {
            *answer += ev.text;
            return;
        }
        const status failed = ev.type == llm::completion_event::kind::error ? ev.error
                              : ev.stats.reason == llm::stop_reason::end_of_turn
                                  ? status::ok()
                                  : status(status_code::resource_exhausted, "the model's answer was cut short");
        worker_.post([this, b, answer, who, person, failed](memory::memory_store & s) {
            finish(s, who, person, *b, *answer, failed);
        });
    };
    in_flight_.insert(who);
    if (auto st = engine_.submit(std::move(r)); !st) {
        in_flight_.erase(who);
        if (st.code() != status_code::cancelled) (void)store.note_distill_failure(who, st.message());
    }
}

void background_distill::finish(memory::memory_store & store, memory::person_id who, const std::string & person,
                                const companion::distill_batch & b, const std::string & answer, const status & failed) {
    in_flight_.erase(who);
    // Its prompt held copies of the person's turns: no KV state of it is kept, so
    // forgetting a turn never has to find one (the next batch differs anyway).
    engine_.drop({person, companion::distill_conversation()});
    if (!failed) {
        spdlog::warn("memory: a distillation did not finish: {}", failed.message());
        (void)store.note_distill_failure(who, failed.message());
        return;
    }
    auto n = companion::apply_distillation(store, b, answer);  // logs and counts a refusal itself
    if (n && *n > 0) spdlog::debug("memory: {} fact change(s) distilled", *n);
}

}  // namespace os1::server
