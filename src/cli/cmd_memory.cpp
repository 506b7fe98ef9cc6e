// os1 memory list|search|show|edit|forget|facts|forget-fact|summaries|distill|profile --user NAME: a person's
// memories, read and corrected from the terminal. For the server's people
// while it runs, use the HTTP routes (docs/api.md): they also drop the KV
// states the server holds in memory.
#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "cli/local_data.h"
#include "cli/model_path.h"
#include "companion/fact_distiller.h"
#include "companion/summarizer.h"
#include "companion/turn_memory.h"
#include "llm/complete.h"
#include "memory/export.h"
#include "memory/recall.h"

namespace os1::cli {
namespace {

struct memory_args {
    int limit = 20;
    int64_t before = 0;
    int64_t id = 0;
    std::string text;
    bool clear = false;
    bool history = false;  // facts --history ID
};

void print_turn(const memory::turn_record & t) {
    std::printf("%-8lld %s  %-12s %s\n", static_cast<long long>(t.id), memory::utc_text(t.ts).c_str(), t.speaker.c_str(),
                t.text.c_str());
}

int run_list(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto rows = p.store->turns().list_turns(p.who, a.before, a.limit);
    if (!rows) return report(rows.error());
    for (const auto & t : *rows) print_turn(t);
    if (rows->size() == static_cast<size_t>(a.limit)) {
        std::fprintf(stderr, "more: os1 memory list --user %s --before %lld\n", p.name.c_str(),
                     static_cast<long long>(rows->back().id));
    }
    return exit_ok;
}

int run_search(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    memory::recall_options ro;
    ro.k = a.limit;
    ro.as_of = std::time(nullptr);
    ro.facts = companion::memory_settings{}.recall_facts;
    ro.summaries = companion::memory_settings{}.recall_summaries;
    auto embedder = open_embedder(o, *p.store, /*replace=*/false);
    if (!embedder) return report(embedder.error());
    std::vector<float> vec;
    if (*embedder) {
        auto v = (*embedder)->embed(a.text);
        if (!v) return report(v.error());
        vec = std::move(*v);
        ro.query_vector = &vec;
    }
    auto items = memory::recall(*p.store, p.who, a.text, ro);
    if (!items) return report(items.error());
    if (items->empty()) std::fprintf(stderr, "nothing found\n");
    for (const auto & item : *items) {
        // A memory by its id; a fact as "fact N" (os1 memory facts --history N).
        const std::string id = item.fact_id ? "fact " + std::to_string(item.fact_id)
                                            : std::to_string(item.turn_ids.empty() ? 0 : item.turn_ids.front());
        std::printf("%-8s %6.3f  %s\n", id.c_str(), item.score, item.text.c_str());
    }
    return exit_ok;
}

int run_show(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto t = p.store->turns().turn(p.who, a.id);
    if (!t) return report(t.error());
    std::printf("memory %lld, %s, conversation %s, %s (%s)\n%s\n", static_cast<long long>(t->id),
                memory::utc_text(t->ts).c_str(), t->session.c_str(), t->speaker.c_str(), role_name(t->role), t->text.c_str());
    if (!t->recalled.empty()) std::printf("\nrecalled with it:\n%s\n", t->recalled.c_str());
    return exit_ok;
}

// After a correction or a forgetting: the KV states whose prompts held the old words go too.
void drop_states(const options & o, const std::string & name, std::vector<std::string> conversations) {
    // A background job's state left by a server stopped mid-run holds copies too.
    if (!conversations.empty()) {
        conversations.push_back(companion::distill_conversation());
        conversations.push_back(companion::summary_conversation());
    }
    const size_t n = remove_kv_files(o, name, conversations);
    if (n > 0) std::fprintf(stderr, "%zu saved conversation state(s) that held it removed\n", n);
}

int run_edit(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto affected = p.store->turns().edit_turn(p.who, a.id, a.text);
    if (!affected) return report(affected.error());
    drop_states(o, p.name, *affected);
    std::printf("memory %lld corrected\n", static_cast<long long>(a.id));
    return exit_ok;
}

int run_forget(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto affected = p.store->turns().forget_turn(p.who, a.id);
    if (!affected) return report(affected.error());
    drop_states(o, p.name, *affected);
    std::printf("memory %lld forgotten\n", static_cast<long long>(a.id));
    return exit_ok;
}

void print_fact(const memory::fact_record & f) {
    std::string sources;
    for (const auto t : f.sources) sources += (sources.empty() ? "" : ",") + std::to_string(t);
    std::printf("%-8lld %s  %.2f  %s  (from memories %s%s)\n", static_cast<long long>(f.id), memory::utc_text(f.ts).substr(0, 10).c_str(),
                f.confidence, f.text.c_str(), sources.c_str(),
                f.superseded_by ? (", replaced by " + std::to_string(f.superseded_by)).c_str() : "");
}

int run_facts(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto facts = a.history ? p.store->facts().fact_history(p.who, a.id) : p.store->facts().facts(p.who, false, a.limit);
    if (!facts) return report(facts.error());
    if (facts->empty()) std::fprintf(stderr, "no facts yet (os1 memory distill makes them from the conversations)\n");
    for (const auto & f : *facts) print_fact(f);
    return exit_ok;
}

int run_forget_fact(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto affected = p.store->facts().forget_fact(p.who, a.id);
    if (!affected) return report(affected.error());
    if (!affected->empty()) drop_states(o, p.name, *affected);  // none named: no state held it
    std::printf("fact %lld forgotten\n", static_cast<long long>(a.id));
    return exit_ok;
}

// Distils the waiting turns into facts with the local model, now.
int run_distill(const options & o, const memory_args &) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto path = resolve_model_path(o);
    if (!path) return report(path.error());
    auto mdl = llm::model::load(*path, o.model);
    if (!mdl) return report(mdl.error());
    auto engine = start_terminal_engine(*mdl, o);
    if (!engine) return report(engine.error());
    int asked = 0;
    const auto complete = [&](const std::vector<llm::chat_message> & m, const llm::generation_options & g) -> result<std::string> {
        // Each batch is a conversation of its own (the key no client could name).
        auto got = llm::complete(**engine, {p.name, "\x01distill-" + std::to_string(++asked)}, m, g);
        if (!got) return got.error();
        return got->text;
    };
    size_t total = 0;
    int rc = exit_ok;
    for (;;) {  // a batch at a time until no turn waits
        auto n = companion::distill_now(*p.store, p.who, complete, {}, /*force=*/true);
        if (!n) {
            rc = report(n.error());  // the summaries may still be written
            break;
        }
        auto left = p.store->facts().distill_progress(p.who);
        if (!left) return report(left.error());
        total += *n;
        std::fprintf(stderr, "distilled up to memory %lld: %zu change(s)\n", static_cast<long long>(left->upto_turn_id), *n);
        auto more = p.store->turns().turns_after(p.who, left->upto_turn_id, 1);
        if (!more) return report(more.error());
        if (more->empty()) break;
    }
    std::printf("%zu fact change(s) stored\n", total);
    // Then the summaries: asked for now, so a session still going counts too.
    companion::summary_options so;
    so.min_new_turns = 2;
    auto made = companion::summarize_now(*p.store, p.who, complete, so);
    if (!made) return report(made.error());
    std::printf("%zu summary(ies) written\n", *made);
    return rc;
}

// The portrait of the person and their sessions' summaries.
int run_summaries(const options & o, const memory_args & a) {
    auto p = open_person(o);
    if (p.failed >= 0) return p.failed;
    auto portrait = p.store->summaries().summary(p.who, 0);
    if (!portrait) return report(portrait.error());
    auto sessions = p.store->summaries().session_summaries(p.who, 0, a.limit);
    if (!sessions) return report(sessions.error());
    if (portrait->id == 0 && sessions->empty()) {
        std::fprintf(stderr, "no summaries yet (os1 memory distill writes them from the conversations)\n");
        return exit_ok;
    }
    if (portrait->id != 0) std::printf("In short: %s\n\n", portrait->text.c_str());
    for (const auto & s : *sessions) {
        std::printf("%s (%s, up to memory %lld):\n  %s\n", s.session.c_str(), memory::utc_text(s.updated_at).substr(0, 10).c_str(),
                    static_cast<long long>(s.upto_turn_id), s.text.c_str());
    }
    return exit_ok;
}

int run_profile(const options & o, const memory_args & a) {
    auto store = open_memory(o);
    if (!store) return report(store.error());
    const std::string name = local_user(o);
    const bool change = a.clear || !a.text.empty();
    auto who = (*store)->person(name, change);
    if (!who) return report(who.error());
    if (change) {
        if (auto st = (*store)->profiles().set_profile(*who, a.clear ? "" : a.text); !st) return report(st);
        // Every conversation's prompt held the old profile.
        drop_states(o, name, {});
    }
    auto text = (*store)->profiles().profile(*who);
    if (!text) return report(text.error());
    std::printf("%s\n", text->empty() ? "(no core profile of their own)" : text->c_str());
    const companion::memory_settings ms;
    auto portrait = (*store)->summaries().summary(*who, 0);
    if (!portrait) return report(portrait.error());
    auto facts = (*store)->facts().core_facts(*who, ms.profile_facts);
    if (!facts) return report(facts.error());
    const std::string in_prompt = companion::core_profile(*text, portrait->text, *facts, ms.profile_bytes);
    if (in_prompt != *text) std::printf("\nIn new conversations' prompts, with what was learned:\n%s\n", in_prompt.c_str());
    return exit_ok;
}

}  // namespace

void add_memory_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<memory_args>();
    auto * cmd = root.add_subcommand("memory", "read, search, correct and forget a person's memories");
    cmd->require_subcommand(1);
    ctx.add_setting(cmd, "--user");
    const auto bind = [&ctx, args](CLI::App * sub, int (*fn)(const options &, const memory_args &)) {
        sub->callback([&ctx, args, fn] { ctx.run = [args, fn](const options & o) { return fn(o, *args); }; });
        sub->fallthrough();
    };
    auto * list = cmd->add_subcommand("list", "the newest memories first");
    list->add_option("--limit", args->limit, "how many")->check(CLI::Range(1, 100000));
    list->add_option("--before", args->before, "only memories older than this id (to page)");
    bind(list, run_list);
    auto * search = cmd->add_subcommand("search", "what recall finds for a message");
    search->add_option("query", args->text, "words, a question, a time (\"last May\")")->required();
    search->add_option("--limit", args->limit, "how many")->check(CLI::Range(1, 1000));
    bind(search, run_search);
    auto * show = cmd->add_subcommand("show", "one memory in full");
    show->add_option("id", args->id, "its id (from list or search)")->required();
    bind(show, run_show);
    auto * edit = cmd->add_subcommand("edit", "correct what a memory says");
    edit->add_option("id", args->id, "its id")->required();
    edit->add_option("text", args->text, "what it should say")->required();
    bind(edit, run_edit);
    auto * forget = cmd->add_subcommand("forget", "forget a memory everywhere");
    forget->add_option("id", args->id, "its id")->required();
    bind(forget, run_forget);
    auto * facts = cmd->add_subcommand("facts", "the facts distilled from the conversations (--history ID: one fact's history)");
    facts->add_option("--limit", args->limit, "how many")->check(CLI::Range(1, 100000));
    facts->add_option("--history", args->id, "the fact whose history to show")->each([args](const std::string &) { args->history = true; });
    bind(facts, run_facts);
    auto * summaries = cmd->add_subcommand("summaries", "the portrait of the person and their conversations' summaries");
    summaries->add_option("--limit", args->limit, "how many conversations")->check(CLI::Range(1, 100000));
    bind(summaries, run_summaries);
    auto * forget_fact = cmd->add_subcommand("forget-fact", "forget a fact and the facts it replaced (its source memories stay)");
    forget_fact->add_option("id", args->id, "its id")->required();
    bind(forget_fact, run_forget_fact);
    auto * distill = cmd->add_subcommand("distill", "distil the waiting memories into facts and summaries now, with the model");
    ctx.add_setting(distill, "--model");
    ctx.add_setting(search, "--embed-model");
    bind(distill, run_distill);
    auto * profile = cmd->add_subcommand("profile", "show, --set or --clear the core profile (always in the prompt)");
    profile->add_option("--set", args->text, "the new profile (at most 2 KiB)");
    profile->add_flag("--clear", args->clear, "remove it");
    bind(profile, run_profile);
}

}  // namespace os1::cli
