// os1 chat: a conversation in the terminal, or one message per line when
// stdin is not a terminal (each reply, then an empty line, on stdout).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <cstdio>
#include <iostream>

#include "base/files.h"
#include "cli/commands.h"
#include "cli/line_editor.h"
#include "cli/local_data.h"
#include "cli/model_path.h"
#include "companion/emotion.h"
#include "companion/fact_distiller.h"
#include "companion/initiative.h"
#include "companion/onboarding.h"
#include "companion/persona_evolution.h"
#include "companion/summarizer.h"
#include "companion/turn_memory.h"
#include "llm/chat_session.h"

#include <spdlog/spdlog.h>

namespace os1::cli {
namespace {

std::atomic<bool> stop_reply{false};

// Ctrl-C stops the reply being generated, not the program (SA_RESTART is off so
// that a read waiting at the prompt is interrupted too).
void on_sigint(int) { stop_reply.store(true); }

void install_sigint() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
}

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
    chat_loop(llm::chat_session & session, const options & opts, memory::memory_store * store, llm::embedder * embedder)
        : session_(session), opts_(opts), store_(store), embedder_(embedder) {
        // --system in place of the base character; --plain has neither.
        const std::string & character = opts.chat.system.empty() ? opts.companion.character : opts.chat.system;
        if (!opts.companion.plain && !character.empty()) messages_.push_back({"system", character});
        onboarding_.enabled = !opts.companion.no_onboarding;
        onboarding_.default_name = opts.companion.default_name;
        gen_.sampling = opts.sampling;
        gen_.max_tokens = opts.chat.max_tokens;
        turn_.person = local_user(opts);
        turn_.speaker = turn_.person;
        turn_.assistant = opts.companion.default_name;
        turn_.conversation = chat_conversation_id();
        settings_.recall_items = opts.memory.recall_items;
        settings_.recall_words = opts.memory.recall_words;
        settings_.recall_words_later = opts.memory.recall_words_later;
        settings_.recall_floor = opts.memory.recall_floor;
        settings_.embedder = embedder;
        settings_.feelings = opts.companion.feelings != "off";
    }

    // One turn: the reply streams to stdout. Returns false on a hard error.
    bool turn(const std::string & text, bool interactive) {
        messages_.push_back({"user", text});
        stop_reply.store(false);
        std::string reply;
        std::optional<companion::prepared_turn> prepared;
        if (store_) {
            turn_.now = std::time(nullptr);
            auto step = companion::onboarding_turn(*store_, turn_, text, onboarding_);
            if (!step) {
                messages_.pop_back();
                report(step.error());
                return step.error().code() == status_code::invalid_argument;
            }
            if (step->type != companion::onboarding_step::kind::none) return interview(*step, interactive);
            auto p = companion::prepare_turn(*store_, turn_, messages_, "", settings_);
            if (!p) {
                messages_.pop_back();
                report(p.error());
                return p.error().code() == status_code::invalid_argument;
            }
            prepared = std::move(*p);
            if (!opts_.companion.no_initiative) {
                // What it asks the OS to say later; said when due, at the next `os1 chat` or by `os1 serve`.
                auto n = companion::notice_after_message(*store_, prepared->person, text, prepared->user_turn_id, turn_.now);
                if (!n) report(n.error());
            }
        }
        const auto on_text = [](std::string_view piece) {
            std::fwrite(piece.data(), 1, piece.size(), stdout);
            std::fflush(stdout);
        };
        auto stats = session_.reply(prepared ? companion::lay_out(prepared->parts) : messages_, gen_, on_text, reply,
                                    &stop_reply);
        if (!stats && prepared && stats.error().code() == status_code::invalid_argument) {
            // A chat template that takes one system message only.
            stats = session_.reply(companion::lay_out(prepared->parts, true), gen_, on_text, reply, &stop_reply);
        }
        if (!stats) {
            messages_.pop_back();
            std::fputc('\n', stdout);
            std::fflush(stdout);
            report(stats.error());
            return stats.error().code() == status_code::invalid_argument;  // a too-long message is not fatal
        }
        messages_.push_back({"assistant", reply});
        if (prepared) {
            turn_.now = std::time(nullptr);
            if (auto st = companion::remember_reply(*store_, turn_, prepared->person, reply, embedder_); !st) report(st);
        }
        if (stats->reason == llm::stop_reason::cancelled && interactive) std::fputs(" [stopped]", stdout);
        std::fputs(interactive ? "\n" : "\n\n", stdout);
        std::fflush(stdout);
        spdlog::debug("turn: {} prompt tokens ({} computed, {:.0f} ms), {} generated ({:.1f} tokens/s), stop: {}",
                      stats->prompt_tokens, stats->computed_tokens, stats->prompt_ms, stats->generated_tokens,
                      stats->generate_ms > 0 ? stats->generated_tokens * 1000.0 / stats->generate_ms : 0.0,
                      llm::stop_reason_name(stats->reason));
        return true;
    }

    // What the OS decided to say first while the person was away (reminders,
    // follow-ups, check-ins), shown before they type; then it counts as received.
    void greet() {
        if (!store_ || opts_.companion.no_initiative) return;
        const int64_t now = std::time(nullptr);
        if (auto due = companion::run_due_initiatives(*store_, now); !due) return (void)report(due.error());
        auto who = store_->person(turn_.person, true);
        if (!who) return (void)report(who.error());
        auto waiting = store_->undelivered_initiatives(*who);
        if (!waiting) return (void)report(waiting.error());
        if (waiting->empty()) return;
        auto persona = store_->persona(*who);
        const std::string name = persona && persona->version ? persona->name : opts_.companion.default_name;
        for (const auto & r : *waiting) {
            std::printf("%s: %s\n", name.c_str(), r.text.c_str());
            if (auto st = store_->mark_delivered(*who, r.id, now); !st) report(st);
        }
        std::fputc('\n', stdout);
        std::fflush(stdout);
    }

    // A step of the first-run interview: a question, or the OS naming itself.
    bool interview(const companion::onboarding_step & step, bool interactive) {
        std::string reply = step.reply;
        if (step.type == companion::onboarding_step::kind::naming) {
            std::string answer;
            auto st = session_.reply(step.prompt, step.gen, {}, answer, &stop_reply);
            result<std::string> got = st ? result<std::string>(answer) : result<std::string>(st.error());
            auto named = companion::finish_naming(*store_, turn_, step.person, got, onboarding_);
            if (!named) {
                messages_.pop_back();
                report(named.error());
                return false;
            }
            reply = std::move(*named);
        }
        messages_.push_back({"assistant", reply});
        std::fputs(reply.c_str(), stdout);
        std::fputs(interactive ? "\n" : "\n\n", stdout);
        std::fflush(stdout);
        return true;
    }

    // When the conversation ends (no reply waits for it then): the session is
    // marked ended, turns without a vector get one (--embed-model), and the
    // model distils what waits (at least --distill-every turns) into facts and
    // summaries.
    void learn() {
        if (!store_ || turn_.now == 0) return;
        auto who = store_->person(turn_.person, false);
        if (!who) return;
        if (auto st = store_->end_session(*who, turn_.conversation, std::time(nullptr)); !st) report(st);
        if (embedder_) {  // turns from before the embedding model was configured
            auto n = companion::embed_missing(*store_, *who, *embedder_, 200);
            if (!n) report(n.error());
        }
        if (auto n = companion::read_missing_feelings(*store_, *who, 50); !n) report(n.error());
        const auto complete = [this](const std::vector<llm::chat_message> & m,
                                     const llm::generation_options & g) -> result<std::string> {
            std::string answer;
            auto st = session_.reply(m, g, {}, answer, &stop_reply);
            if (!st) return st.error();
            if (st->reason == llm::stop_reason::cancelled) return status(status_code::cancelled, "stopped");
            return answer;
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

    llm::chat_session & session_;
    const options & opts_;
    memory::memory_store * store_;
    llm::embedder * embedder_;
    companion::turn_context turn_;
    companion::memory_settings settings_;
    companion::onboarding_settings onboarding_;
    std::vector<llm::chat_message> messages_;
    llm::generation_options gen_;
};

int run_chat(const options & opts) {
    const std::string & feel = opts.companion.feelings;
    if (feel != "auto" && feel != "model" && feel != "lexicon" && feel != "off") {
        return report(status(status_code::invalid_argument, "--feelings: must be auto, model, lexicon or off, not '" + feel + "'"));
    }
    auto path = resolve_model_path(opts);
    if (!path) return report(path.error());
    auto mdl = llm::model::load(*path, opts.model);
    if (!mdl) return report(mdl.error());
    auto session = llm::chat_session::create(*mdl, opts.model);
    if (!session) return report(session.error());
    install_sigint();
    std::unique_ptr<memory::memory_store> store;
    std::unique_ptr<llm::embedder> embedder;
    if (!opts.memory.off) {
        if (auto st = make_private_dirs(opts.paths.data_dir); !st) return report(st);
        auto opened = memory::memory_store::open(opts.paths.data_dir + "/memory.db");
        if (!opened) return report(opened.error().with_context("memory"));
        store = std::move(*opened);
        auto e = open_embedder(opts, *store);
        if (!e) return report(e.error());
        embedder = std::move(*e);
    }

    chat_loop loop(**session, opts, store.get(), embedder.get());
    const bool interactive = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    if (!interactive) {
        loop.greet();
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            if (!loop.turn(line, false)) return exit_failure;
        }
        loop.learn();
        return exit_ok;
    }

    const auto & info = (*mdl)->info();
    std::fprintf(stderr, "os1 chat with %s (%s%s). Ctrl-C stops a reply, Ctrl-D quits.\n", path->c_str(),
                 info.name.empty() ? info.architecture.c_str() : info.name.c_str(),
                 info.name.find("random weights") != std::string::npos ? ": replies are noise" : "");
    loop.greet();
    std::string history;
    if (make_private_dirs(opts.paths.data_dir + "/history")) history = chat_history_path(opts, local_user(opts));
    line_editor editor("os1", history);
    std::string line;
    for (;;) {
        const auto got = editor.read("you> ", line);
        if (got == line_editor::outcome::end_of_input) break;
        if (got == line_editor::outcome::interrupted || line.empty()) continue;
        if (!loop.turn(line, true)) return exit_failure;
    }
    std::fputc('\n', stdout);
    loop.learn();
    return exit_ok;
}

}  // namespace

void add_chat_command(CLI::App & root, cli_context & ctx) {
    auto * cmd = root.add_subcommand("chat", "talk with the model in the terminal (or one message per line from a pipe)");
    for (const char * flag : {"--model", "--system", "--seed", "--temp", "--top-p", "--max-tokens", "--ctx", "--threads", "--batch",
                             "--user", "--no-memory", "--recall-items", "--recall-words", "--recall-words-later", "--recall-floor", "--distill-every", "--embed-model",
                             "--plain", "--character", "--no-onboarding", "--default-name", "--feelings", "--evolve-every",
                             "--no-initiative"}) {
        ctx.add_setting(cmd, flag);
    }
    cmd->callback([&ctx] { ctx.run = run_chat; });
}

}  // namespace os1::cli
