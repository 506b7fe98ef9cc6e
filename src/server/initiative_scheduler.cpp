#include "server/initiative_scheduler.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "companion/initiative.h"

namespace os1::server {

std::string initiative_event(const memory::initiative_record & r, const std::string & persona_name) {
    const nlohmann::json j = {{"id", r.id},          {"kind", memory::kind_name(r.kind)},       {"text", r.text},
                              {"from", persona_name}, {"reason", r.reason},  {"decision", r.decision},
                              {"sent_at", r.decided_at}};
    return "event: initiative\nid: " + std::to_string(r.id) + "\ndata: " +
           j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

namespace {

std::string name_with(memory::memory_store & store, memory::person_id who, const std::string & default_name) {
    auto p = store.personas().persona(who);
    return p && p->version ? p->name : default_name;
}

}  // namespace

void deliver_waiting(memory::memory_store & store, memory::person_id who, const std::string & person, event_hub & hub,
                     const clock_i & clock, const std::string & default_name) {
    auto waiting = store.initiatives().undelivered_initiatives(who);
    if (!waiting) {
        spdlog::error("initiative: {}", waiting.error().message());
        return;
    }
    if (waiting->empty()) return;
    const std::string from = name_with(store, who, default_name);
    for (const auto & r : *waiting) {
        if (hub.send(person, initiative_event(r, from)) == 0) return;  // the stream went: the rest wait
        if (auto st = store.initiatives().mark_delivered(who, r.id, clock.now()); !st) spdlog::error("initiative: {}", st.message());
    }
}

initiative_scheduler::initiative_scheduler(boost::asio::io_context & ioc, memory::memory_worker & worker, event_hub & hub,
                                           const clock_i & clock, int tick_ms, std::string default_name,
                                           const companion::initiative_policy & policy)
    : strand_(boost::asio::make_strand(ioc)), timer_(strand_), worker_(worker), hub_(hub), clock_(clock), tick_ms_(tick_ms),
      default_name_(std::move(default_name)), policy_(policy) {}

void initiative_scheduler::start() {
    boost::asio::post(strand_, [this] { arm(); });
}

void initiative_scheduler::stop() {
    stopped_ = true;
    boost::asio::post(strand_, [this] { timer_.cancel(); });
}

void initiative_scheduler::arm() {
    if (stopped_ || tick_ms_ <= 0) return;
    timer_.expires_after(std::chrono::milliseconds(tick_ms_));
    timer_.async_wait([this](const boost::system::error_code & ec) {
        if (ec || stopped_) return;
        event_hub * hub = &hub_;
        const clock_i * clock = &clock_;
        worker_.post([hub, clock, name = default_name_, policy = policy_](memory::memory_store & store) {
            auto sent = companion::run_due_initiatives(store, clock->now(), name, 100, policy);
            if (!sent) {
                spdlog::error("initiative: {}", sent.error().message());
                return;
            }
            for (const auto & s : *sent) {
                spdlog::info("initiative {} sent ({}): {}", s.record.id, memory::kind_name(s.record.kind), s.record.decision);
                deliver_waiting(store, s.person, s.name, *hub, *clock, name);
            }
        });
        arm();
    });
}

}  // namespace os1::server
