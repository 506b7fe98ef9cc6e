// The terminal's conversation (os1 chat, os1 talk): the model, its engine,
// the person's memory, and chat_loop, which runs each turn and learns at the end.
#include "cli/chat_loop.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <future>

#include "base/files.h"
#include "cli/commands.h"
#include "cli/local_data.h"
#include "cli/model_path.h"
#include "companion/emotion.h"
#include "companion/fact_distiller.h"
#include "companion/initiative.h"
#include "companion/onboarding.h"
#include "companion/persona_evolution.h"
#include "companion/summarizer.h"
#include "companion/turn_memory.h"
#include "base/job_queue.h"
#include "companion/turn.h"
#include "llm/complete.h"

#include <spdlog/spdlog.h>

namespace os1::cli {
namespace {

std::atomic<bool> stop_reply{false};

// The same flag as the requests' cancel flag (it lives as long as the program).
std::shared_ptr<std::atomic<bool>> stop_flag() { return {std::shared_ptr<void>(), &stop_reply}; }

// Ctrl-C stops the reply being generated, not the program (SA_RESTART is off so
// that a read waiting at the prompt is interrupted too).
void on_sigint(int) { stop_reply.store(true); }

}  // namespace

void install_sigint() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
}

namespace {

std::string chat_conversation_id() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "chat-%Y%m%d-%H%M%S", &tm);
    return buf;
}

class chat_loop {
public:
    // With STORE, every turn is remembered and recalled from.
    chat_loop(llm::llm_i & llm, const options & opts, std::unique_ptr<memory::memory_store> store, llm::embedder * embedder)
        : llm_(llm), opts_(opts), store_(std::move(store)), embedder_(embedder) {
        // --system in place of the base character; --plain has neither.
        const std::string & character = opts.chat.system.empty() ? opts.companion.character : opts.chat.system;
        if (!opts.companion.plain && !character.empty()) messages_.push_back({role::system, character});
        gen_.sampling = opts.sampling;
        gen_.max_tokens = opts.chat.max_tokens;
        turn_.person = local_user(opts);
        turn_.speaker = turn_.person;
        turn_.assistant = opts.companion.default_name;
        turn_.conversation = chat_conversation_id();
    }

    // After greet(): the turns run on the memory thread and the engine, as the server's do.
    void start() {
        companion::turn_settings s;
        s.onboarding.enabled = !opts_.companion.no_onboarding;
        s.onboarding.default_name = opts_.companion.default_name;
        s.memory.recall_items = opts_.memory.recall_items;
        s.memory.recall_words = opts_.memory.recall_words;
        s.memory.recall_words_later = opts_.memory.recall_words_later;
        s.memory.recall_floor = opts_.memory.recall_floor;
        s.memory.embedder = embedder_;
        s.memory.feelings = opts_.companion.feelings != "off";
        s.initiative = !opts_.companion.no_initiative;
        if (store_) worker_ = std::make_unique<memory::memory_worker>(std::move(store_));
        runner_ = std::make_unique<companion::turn_runner>(
            llm_, worker_.get(), clock_, [this](std::function<void()> job) { return prompts_.post(std::move(job)); }, s);
    }

    // One turn: the reply streams to stdout (and into REPLY when given).
    // Returns false on a hard error.
    bool turn(const std::string & text, bool interactive, std::string * reply_out = nullptr) {
        messages_.push_back({role::user, text});
        stop_reply.store(false);
        companion::turn_request r;
        r.context = turn_;
        r.messages = messages_;
        r.gen = gen_;
        r.cancelled = stop_flag();
        // Shared with the sink: it may still be returning from set_value when get() does.
        auto reply = std::make_shared<std::string>();
        auto ended = std::make_shared<std::promise<companion::turn_event>>();
        auto got = ended->get_future();
        runner_->run(std::move(r), [reply, ended](const companion::turn_event & ev) {
            switch (ev.type) {
                case companion::turn_event::kind::started: return;
                case companion::turn_event::kind::text:
                    std::fwrite(ev.text.data(), 1, ev.text.size(), stdout);
                    std::fflush(stdout);
                    *reply += ev.text;
                    return;
                default: ended->set_value(ev);
            }
        });
        const companion::turn_event last = got.get();
        if (last.type == companion::turn_event::kind::failed) {
            messages_.pop_back();
            if (!reply->empty()) std::fputc('\n', stdout);
            std::fflush(stdout);
            report(last.error);
            return last.error.code() == status_code::invalid_argument;  // a too-long message is not fatal
        }
        ++turns_;
        messages_.push_back({role::assistant, *reply});
        if (reply_out) *reply_out = *reply;
        const llm::reply_stats & st = last.stats;
        if (st.reason == llm::stop_reason::cancelled && interactive) std::fputs(" [stopped]", stdout);
        std::fputs(interactive ? "\n" : "\n\n", stdout);
        std::fflush(stdout);
        if (st.generated_tokens > 0) {
            spdlog::debug("turn: {} prompt tokens ({} computed, {:.0f} ms), {} generated ({:.1f} tokens/s), stop: {}",
                          st.prompt_tokens, st.computed_tokens, st.prompt_ms, st.generated_tokens,
                          st.generate_ms > 0 ? st.generated_tokens * 1000.0 / st.generate_ms : 0.0,
                          llm::stop_reason_name(st.reason));
        }
        return true;
    }

    // What the OS decided to say first while the person was away (reminders,
    // follow-ups, check-ins), shown before they type; then it counts as received.
    // Before start(): the store is still this thread's.
    void greet() {
        if (!store_ || opts_.companion.no_initiative) return;
        const int64_t now = clock_.now();
        if (auto due = companion::run_due_initiatives(*store_, now, opts_.companion.default_name); !due) return (void)report(due.error());
        auto who = store_->person(turn_.person, true);
        if (!who) return (void)report(who.error());
        auto waiting = store_->initiatives().undelivered_initiatives(*who);
        if (!waiting) return (void)report(waiting.error());
        if (waiting->empty()) return;
        auto persona = store_->personas().persona(*who);
        const std::string name = persona && persona->version ? persona->name : opts_.companion.default_name;
        for (const auto & r : *waiting) {
            std::printf("%s: %s\n", name.c_str(), r.text.c_str());
            if (auto st = store_->initiatives().mark_delivered(*who, r.id, now); !st) report(st);
        }
        std::fputc('\n', stdout);
        std::fflush(stdout);
    }

    // When the conversation ends (no reply waits for it then): the session is
    // marked ended, turns without a vector get one (--embed-model), and the
    // model distils what waits (at least --distill-every turns) into facts and
    // summaries. The store comes back to this thread, which waits for the model.
    void learn() {
        if (worker_) store_ = worker_->release();  // its last jobs (the runner's) run first
        worker_.reset();
        prompts_.close();
        runner_.reset();
        if (!store_ || turns_ == 0) return;
        auto who = store_->person(turn_.person, false);
        if (!who) return;
        if (auto st = store_->turns().end_session(*who, turn_.conversation, clock_.now()); !st) report(st);
        if (embedder_) {  // turns from before the embedding model was configured
            auto n = companion::embed_missing(*store_, *who, *embedder_, 200);
            if (!n) report(n.error());
        }
        if (auto n = companion::read_missing_feelings(*store_, *who, 50); !n) report(n.error());
        const llm::conversation_key key{turn_.person, learning_conversation()};
        const auto complete = [this, key](const std::vector<llm::chat_message> & m,
                                          const llm::generation_options & g) -> result<std::string> {
            auto got = llm::complete(llm_, key, m, g, stop_flag());
            if (!got) return got.error();
            if (got->stats.reason == llm::stop_reason::cancelled) return status(status_code::cancelled, "stopped");
            return got->text;
        };
        stop_reply.store(false);
        read_feelings(complete, *who);
        if (opts_.memory.distill_every <= 0) return;
        companion::distill_options o;
        o.min_turns = opts_.memory.distill_every;
        for (int batch = 0; batch < 5 && !stop_reply.load(); ++batch) {  // a long chat: a few batches, then next time
            auto waiting = companion::prepare_distillation(*store_, *who, o);
            if (!waiting || waiting->turns.empty()) break;
            if (batch == 0) std::fprintf(stderr, "os1: learning from this conversation (Ctrl-C skips)...\n");
            auto n = companion::distill_now(*store_, *who, complete, o);
            if (!n) {
                std::fprintf(stderr, "os1: nothing learned this time (%s); tried again later\n", n.error().message().c_str());
                break;
            }
            std::fprintf(stderr, "os1: %zu fact change(s) learned\n", *n);
        }
        // A short chat is not worth the wait at quitting: it is summarized later.
        if (stop_reply.load() || messages_.size() < static_cast<size_t>(opts_.memory.distill_every)) return;
        // This conversation is over: its summary, and the person's portrait, are due.
        companion::summary_options so;
        so.min_new_turns = opts_.memory.distill_every;
        auto made = companion::summarize_now(*store_, *who, complete, so, 4);
        if (!made) {
            std::fprintf(stderr, "os1: no summary this time (%s)\n", made.error().message().c_str());
        } else if (*made > 0) {
            std::fprintf(stderr, "os1: %zu summary(ies) written\n", *made);
        }
        // A long enough conversation: the persona may grow from it.
        if (opts_.companion.evolve_every <= 0 || stop_reply.load() ||
            messages_.size() < static_cast<size_t>(opts_.companion.evolve_every)) {
            return;
        }
        auto v = companion::evolve_now(*store_, *who, complete, opts_.companion.default_name);
        if (!v) {
            std::fprintf(stderr, "os1: the persona did not change (%s)\n", v.error().message().c_str());
        } else if (*v > 0) {
            std::fprintf(stderr, "os1: the persona grew (version %lld; os1 persona history)\n", static_cast<long long>(*v));
        }
    }

private:
    // The model reads the feelings of this conversation's messages (--feelings
    // model, or auto when it reads the test messages right).
    void read_feelings(const companion::completer & complete, memory::person_id who) {
        const std::string & mode = opts_.companion.feelings;
        if (mode != "model" && mode != "auto") return;
        if (mode == "auto" && !companion::model_reads_feelings(complete)) return;  // the word list's readings stand
        auto n = companion::read_feelings_now(*store_, who, complete, std::max<int>(1, static_cast<int>(messages_.size())), std::time(nullptr));
        if (!n) report(n.error());
    }

    // The learning requests' conversation (not printable: no client can name it).
    static const std::string & learning_conversation() {
        static const std::string id = "\x01learning";
        return id;
    }

    llm::llm_i & llm_;
    const options & opts_;
    system_clock clock_;
    std::unique_ptr<memory::memory_store> store_;  // this thread's before start() and after learn()
    llm::embedder * embedder_;
    companion::turn_context turn_;
    std::vector<llm::chat_message> messages_;
    llm::generation_options gen_;
    int turns_ = 0;
    // In this order, so that they go in the reverse: the memory thread's last
    // jobs post prompts, and both run the runner's code.
    std::unique_ptr<companion::turn_runner> runner_;
    job_queue prompts_{"prompts", 1, 4};
    std::unique_ptr<memory::memory_worker> worker_;  // the store's owner between start() and learn()
};

}  // namespace

struct terminal_conversation::impl {
    std::string model_path;
    std::shared_ptr<llm::model> model;
    std::unique_ptr<llm::engine> engine;
    std::unique_ptr<llm::embedder> embedder;
    std::unique_ptr<chat_loop> loop;
};

terminal_conversation::terminal_conversation(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
terminal_conversation::~terminal_conversation() = default;

result<std::unique_ptr<terminal_conversation>> terminal_conversation::open(const options & opts) {
    const std::string & feel = opts.companion.feelings;
    if (feel != "auto" && feel != "model" && feel != "lexicon" && feel != "off") {
        return status(status_code::invalid_argument, "--feelings: must be auto, model, lexicon or off, not '" + feel + "'");
    }
    auto p = std::make_unique<impl>();
    auto path = resolve_model_path(opts);
    if (!path) return path.error();
    p->model_path = *path;
    auto mdl = llm::model::load(*path, opts.model);
    if (!mdl) return mdl.error();
    p->model = std::move(*mdl);
    // The server's engine: one generator and one way of reusing what is computed, for both.
    auto engine = start_terminal_engine(p->model, opts);
    if (!engine) return engine.error();
    p->engine = std::move(*engine);
    std::unique_ptr<memory::memory_store> store;
    if (!opts.memory.off) {
        if (auto st = make_private_dirs(opts.paths.data_dir); !st) return st;
        auto opened = memory::memory_store::open(opts.paths.data_dir + "/memory.db");
        if (!opened) return opened.error().with_context("memory");
        store = std::move(*opened);
        auto e = open_embedder(opts, *store);
        if (!e) return e.error();
        p->embedder = std::move(*e);
    }
    p->loop = std::make_unique<chat_loop>(*p->engine, opts, std::move(store), p->embedder.get());
    return std::unique_ptr<terminal_conversation>(new terminal_conversation(std::move(p)));
}

const std::string & terminal_conversation::model_path() const { return impl_->model_path; }
const llm::gguf_summary & terminal_conversation::model_info() const { return impl_->model->info(); }
void terminal_conversation::greet() { impl_->loop->greet(); }
void terminal_conversation::start() { impl_->loop->start(); }
bool terminal_conversation::turn(const std::string & text, bool interactive, std::string * reply) {
    return impl_->loop->turn(text, interactive, reply);
}
void terminal_conversation::learn() { impl_->loop->learn(); }

}  // namespace os1::cli
