#include "server/background_feelings.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <mutex>
#include <vector>

#include "companion/emotion.h"
#include "companion/turn_memory.h"

namespace os1::server {
namespace {

constexpr int64_t recent_s = 30 * 86400;  // older messages keep the word list's reading
constexpr int max_chain = 20;             // readings one stored message may set going
const std::string probe_person = "\x01os1";  // no client can be this person

}  // namespace

result<feelings_mode> parse_feelings_mode(const std::string & text) {
    if (text == "off") return feelings_mode::off;
    if (text == "lexicon") return feelings_mode::lexicon;
    if (text == "model") return feelings_mode::model;
    if (text == "auto") return feelings_mode::auto_probe;
    return status(status_code::invalid_argument, "feelings must be auto, model, lexicon or off, not '" + text + "'");
}

background_feelings::background_feelings(llm::llm_i & engine, memory::memory_worker & worker, feelings_mode mode)
    : engine_(engine), worker_(worker), mode_(mode) {
    if (mode == feelings_mode::model) capable_ = 1;
    if (mode == feelings_mode::lexicon || mode == feelings_mode::off) capable_ = -1;
}

void background_feelings::start() {
    if (mode_ != feelings_mode::auto_probe) return;
    struct probe {
        std::mutex mu;
        size_t left = 0;
        int right = 0;
    };
    const auto & cases = companion::emotion_probe_cases();
    auto p = std::make_shared<probe>();
    p->left = cases.size();
    for (size_t i = 0; i < cases.size(); ++i) {
        auto answer = std::make_shared<std::string>();
        llm::completion_request r;
        r.key = {probe_person, companion::emotion_conversation() + std::to_string(i)};
        r.messages = companion::emotion_prompt(cases[i].message);
        r.gen = companion::emotion_generation();
        const int sign = cases[i].valence_sign;
        r.on_event = [this, p, answer, sign, key = r.key, total = cases.size()](const llm::completion_event & ev) {
            if (ev.type == llm::completion_event::kind::text) {
                *answer += ev.text;
                return;
            }
            auto reading = ev.type == llm::completion_event::kind::done ? companion::parse_emotion(*answer)
                                                                        : result<memory::emotion_reading>(ev.error);
            std::lock_guard lock(p->mu);
            if (reading && reading->valence * sign > 0) ++p->right;
            if (--p->left > 0) return;
            capable_ = p->right == static_cast<int>(total) ? 1 : -1;
            spdlog::info("feelings: read by {} (the model read {} of {} test messages right)",
                         capable_ > 0 ? "the model" : "the word list", p->right, total);
            for (size_t k = 0; k < total; ++k) engine_.drop({probe_person, companion::emotion_conversation() + std::to_string(k)}, {});
        };
        if (auto st = engine_.submit(std::move(r)); !st) {
            std::lock_guard lock(p->mu);
            if (--p->left == 0) capable_ = -1;
            spdlog::warn("feelings: the model could not be asked ({}); the word list reads them", st.message());
        }
    }
}

void background_feelings::after_turn(memory::memory_store & store, memory::person_id who, const std::string & person, int chain) {
    if (mode_ == feelings_mode::off) return;
    if (chain == 0) {  // messages stored without any reading (the interview's answers, corrected ones)
        if (auto n = companion::read_missing_feelings(store, who, 8); !n) spdlog::warn("feelings: {}", n.error().message());
    }
    if (!model_reads() || in_flight_.count(who) || chain >= max_chain) return;
    auto waiting = store.feelings().turns_without_emotion(who, "model", 1);
    if (!waiting || waiting->empty()) return;
    const memory::turn_record t = waiting->front();
    if (t.ts < static_cast<int64_t>(std::time(nullptr)) - recent_s) return;
    auto answer = std::make_shared<std::string>();
    llm::completion_request r;
    r.key = {person, companion::emotion_conversation()};
    r.messages = companion::emotion_prompt(t.text);
    r.gen = companion::emotion_generation();
    r.on_event = [this, answer, who, person, id = t.id, chain](const llm::completion_event & ev) {
        if (ev.type == llm::completion_event::kind::text) {
            *answer += ev.text;
            return;
        }
        auto reading = ev.type == llm::completion_event::kind::done ? companion::parse_emotion(*answer)
                                                                    : result<memory::emotion_reading>(ev.error);
        worker_.post([this, reading, who, person, id, chain](memory::memory_store & s) {
            in_flight_.erase(who);
            engine_.drop({person, companion::emotion_conversation()}, {});  // it held the message
            if (!reading) {
                spdlog::debug("feelings: the model gave no reading ({})", reading.error().message());
                return;  // the word list's stays; not tried again until another message comes
            }
            memory::emotion_reading rr = *reading;
            rr.turn_id = id;
            if (auto st = s.feelings().put_emotion(who, rr); !st) return;  // forgotten meanwhile
            after_turn(s, who, person, chain + 1);
        });
    };
    in_flight_.insert(who);
    if (auto st = engine_.submit(std::move(r)); !st) in_flight_.erase(who);
}

}  // namespace os1::server
