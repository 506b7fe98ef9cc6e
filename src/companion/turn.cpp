#include "companion/turn.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>

#include "companion/honesty.h"
#include "companion/initiative.h"

namespace os1::companion {

// What one turn carries between the threads it passes through.
struct turn_runner::turn {
    turn_request req;
    std::optional<prepared_turn> prepared;  // with memory, once the message is stored
    std::string reply;                      // the engine's thread only, until done

    // The sink hears one call at a time, `started` first.
    void emit(const turn_event & ev) {
        std::lock_guard<std::mutex> lock(mu);
        if (ev.type != turn_event::kind::failed && !started) {
            started = true;
            if (ev.type != turn_event::kind::started) sink({turn_event::kind::started, {}, {}, {}});
        } else if (ev.type == turn_event::kind::started) {
            return;  // the engine's first event came before submit() returned
        }
        sink(ev);
    }
    void fail(status st) { emit({turn_event::kind::failed, {}, {}, std::move(st)}); }
    bool current() const { return !req.still_current || req.still_current(); }

    turn_sink sink;
    std::mutex mu;
    bool started = false;  // GUARDED_BY(mu)
};

namespace {

status erased() {
    return {status_code::permission_denied, "this person was erased or removed while the request waited"};
}

}  // namespace

turn_runner::turn_runner(llm::llm_i & llm, memory::memory_worker * memory, const clock_i & clock, prompt_executor prompts,
                         turn_settings settings)
    : llm_(llm), memory_(memory), clock_(clock), prompts_(std::move(prompts)), settings_(std::move(settings)) {}

void turn_runner::run(turn_request request, turn_sink sink) {
    auto t = std::make_shared<turn>();
    t->req = std::move(request);
    t->sink = std::move(sink);
    if (t->req.messages.empty()) return t->fail({status_code::invalid_argument, "a turn needs a message"});
    if (!memory_) return submit(t);
    t->req.context.now = clock_.now();
    if (t->req.messages.back().role == role::user && asks_about_others(t->req.messages.back().content)) {
        // The true figures, never the model's guess.
        const auto e = llm_.stats();
        t->req.context.live_note = live_figures_note(settings_.talking_now(),
                                                     e.conversations_resident + e.conversations_ram + e.conversations_disk);
    }
    memory_->post([this, t](memory::memory_store & store) {
        try {
            prepare(store, t);
        } catch (const std::exception & e) {
            t->fail({status_code::internal, e.what()});
        }
    });
}

// On the memory thread: the message is stored and the turn prepared, or the interview goes on.
void turn_runner::prepare(memory::memory_store & store, const std::shared_ptr<turn> & t) {
    if (!t->current()) return t->fail(erased());  // nothing of theirs is written
    const turn_context & tc = t->req.context;
    const std::string & message = t->req.messages.back().content;
    if (t->req.messages.back().role == role::user) {
        // A new person's first conversation is the interview (onboarding.h).
        auto step = onboarding_turn(store, tc, message, settings_.onboarding);
        if (!step) return t->fail(step.error());
        if (step->type == onboarding_step::kind::reply) {
            t->emit({turn_event::kind::text, step->reply, {}, {}});
            return t->emit({turn_event::kind::done, {}, llm::reply_stats{}, {}});
        }
        if (step->type == onboarding_step::kind::naming) return name_itself(t, std::move(*step));
    }
    auto prepared = prepare_turn(store, tc, t->req.messages, settings_.default_persona, settings_.memory);
    if (!prepared) return t->fail(prepared.error());
    if (settings_.initiative) {
        // What the message asks the OS to say later (a reminder, a follow-up, a check-in).
        auto noticed = notice_after_message(store, prepared->person, message, prepared->user_turn_id, tc.now, settings_.initiative_policy);
        if (!noticed) spdlog::error("initiative: {}", noticed.error().message());
    }
    t->prepared = std::move(*prepared);
    submit(t);
}

// The OS chooses its name (a model call under a grammar), the persona is stored
// and the reply introducing it is said. The person waits as for any reply.
void turn_runner::name_itself(const std::shared_ptr<turn> & t, onboarding_step step) {
    const memory::person_id who = step.person;
    auto answer = std::make_shared<std::string>();
    llm::completion_request r;
    r.key = {t->req.context.person, naming_conversation()};
    r.messages = std::move(step.prompt);
    r.gen = std::move(step.gen);
    r.on_event = [this, t, who, answer](const llm::completion_event & ev) {
        if (ev.type == llm::completion_event::kind::text) {
            *answer += ev.text;
            return;
        }
        finish_naming_with(t, who, ev.type == llm::completion_event::kind::error ? result<std::string>(ev.error) : *answer);
    };
    auto job = [this, t, who, r = std::move(r)]() mutable {
        // Refused: the default name, so that the person is never left without a reply.
        if (auto st = llm_.submit(std::move(r)); !st) finish_naming_with(t, who, result<std::string>(st));
    };
    if (!prompts_(std::move(job))) {
        finish_naming_with(t, who, result<std::string>(status(status_code::resource_exhausted, "busy")));
    }
}

void turn_runner::finish_naming_with(const std::shared_ptr<turn> & t, memory::person_id who, result<std::string> answer) {
    memory_->post([this, t, who, answer = std::move(answer)](memory::memory_store & store) {
        llm_.drop({t->req.context.person, naming_conversation()}, {});  // it held the person's answers
        if (!t->current()) return t->fail(erased());  // erased while the model chose: nothing is written
        auto reply = finish_naming(store, t->req.context, who, answer, settings_.onboarding);
        if (!reply) return t->fail(reply.error());
        t->emit({turn_event::kind::text, *reply, {}, {}});
        t->emit({turn_event::kind::done, {}, llm::reply_stats{}, {}});
    });
}

// Rendering and tokenizing cost time in proportion to the request: on the prompts executor.
void turn_runner::submit(const std::shared_ptr<turn> & t) {
    const bool queued = prompts_([this, t] {
        const status st = submit_with_retries(t);
        if (st) return t->emit({turn_event::kind::started, {}, {}, {}});
        if (t->prepared && st.code() == status_code::invalid_argument) {
            // Refused (too long for the context): not answered, so not remembered either.
            return memory_->post([t, st](memory::memory_store & store) {
                if (auto gone = store.turns().forget_turn(t->prepared->person, t->prepared->user_turn_id); !gone) {
                    spdlog::warn("memory: a refused message was not forgotten: {}", gone.error().message());
                }
                t->fail(st);
            });
        }
        t->fail(st);
    });
    if (!queued) t->fail({status_code::resource_exhausted, "too many prompts are being prepared; try again shortly"});
}

llm::completion_request turn_runner::request_for(const std::shared_ptr<turn> & t, std::vector<llm::chat_message> messages) {
    llm::completion_request r;
    r.key = {t->req.context.person, t->req.context.conversation};
    r.messages = std::move(messages);
    r.gen = t->req.gen;
    r.stop = t->req.stop;
    r.cancelled = t->req.cancelled;
    r.on_event = [this, t](const llm::completion_event & ev) { on_event(t, ev); };
    return r;
}

// A remembered turn gets more tries when the engine refuses it: a chat
// template that takes one system message only gets the two merged, and a
// prompt too long for the context with recalled memories gets none (recall
// must never make a valid message fail).
status turn_runner::submit_with_retries(const std::shared_ptr<turn> & t) {
    if (!t->prepared) return llm_.submit(request_for(t, t->req.messages));
    const prompt_parts & parts = t->prepared->parts;
    auto laid = lay_out(parts);
    const size_t plain_size = laid.size();
    status st = llm_.submit(request_for(t, std::move(laid)));
    if (st || st.code() != status_code::invalid_argument) return st;
    if (auto merged = lay_out(parts, /*merge_system=*/true); merged.size() != plain_size) {
        st = llm_.submit(request_for(t, std::move(merged)));
        if (st || st.code() != status_code::invalid_argument) return st;
    }
    if (parts.recalled.empty()) return st;
    prompt_parts bare = parts;
    bare.recalled.clear();
    for (const bool merge : {false, true}) {
        st = llm_.submit(request_for(t, lay_out(bare, merge)));
        if (st || st.code() != status_code::invalid_argument) return st;
    }
    return st;
}

// On the engine's thread.
void turn_runner::on_event(const std::shared_ptr<turn> & t, const llm::completion_event & ev) {
    using kind = llm::completion_event::kind;
    if (ev.type == kind::text) {
        if (t->prepared) t->reply += ev.text;
        return t->emit({turn_event::kind::text, ev.text, {}, {}});
    }
    if (ev.type == kind::error) return t->fail(ev.error);
    if (!t->prepared || ev.stats.reason == llm::stop_reason::cancelled) {
        return t->emit({turn_event::kind::done, {}, ev.stats, {}});  // nothing to remember
    }
    memory_->post([this, t, stats = ev.stats](memory::memory_store & store) {
        try {
            remember(store, t, stats);
        } catch (const std::exception & e) {
            t->fail({status_code::internal, e.what()});
        }
    });
}

// On the memory thread: the reply is stored before it is acknowledged; what is
// learned from it comes after.
void turn_runner::remember(memory::memory_store & store, const std::shared_ptr<turn> & t, const llm::reply_stats & stats) {
    // Erased while the reply was made: it is not stored, and the person is not re-created.
    if (!t->current()) return t->fail(erased());
    turn_context tc = t->req.context;
    tc.now = clock_.now();
    llm::embedder * embedder = settings_.memory.embedder;
    const memory::person_id who = t->prepared->person;
    turn_event done{turn_event::kind::done, {}, stats, {}, 0};
    if (auto id = remember_reply(store, tc, who, t->reply, embedder); !id) {
        spdlog::error("memory: a reply was not stored: {}", id.error().message());
    } else {
        done.reply_turn_id = *id;
    }
    t->emit(done);
    memory_->post([this, who, person = tc.person, embedder](memory::memory_store & s) {
        if (settings_.learn) settings_.learn(s, who, person);
        // Turns from before the embedding model was configured get their vectors a few at a time.
        if (embedder) (void)embed_missing(s, who, *embedder, 4);
    });
}

void turn_runner::keep_heard(const turn_context & context, std::shared_ptr<int64_t> stored, std::string heard,
                             std::function<bool()> still_current, std::function<void(status)> done) {
    const auto finish = [done](status st) {
        if (!st) spdlog::warn("memory: what was heard of a reply was not kept: {}", st.message());
        if (done) done(st);
    };
    if (!memory_) return finish(status::ok());
    memory_->post([this, context, stored, heard = std::move(heard), still_current, finish](memory::memory_store & store) {
        try {
            if (still_current && !still_current()) return finish(erased());
            auto who = store.person(context.person, false);
            if (!who) return finish(who.error());
            if (*stored == 0) {
                turn_context tc = context;
                tc.now = clock_.now();
                auto id = remember_reply(store, tc, *who, heard, settings_.memory.embedder);
                if (id) *stored = *id;
                return finish(id ? status::ok() : id.error());
            }
            auto affected = heard.empty() ? store.turns().forget_turn(*who, *stored) : store.turns().edit_turn(*who, *stored, heard);
            if (!affected) return finish(affected.error());
            if (heard.empty()) *stored = 0;
            // Prompts that quoted the longer words are computed again.
            for (const auto & conversation : *affected) llm_.drop({context.person, conversation}, nullptr);
            finish(status::ok());
        } catch (const std::exception & e) {
            finish({status_code::internal, e.what()});
        }
    });
}

}  // namespace os1::companion
