// os1 memory-adapter: the JSON-lines protocol of benchmark B2 (BENCHMARKS.md) on
// stdin/stdout, backed by the real memory store and recall. A scope is a person.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/local_data.h"
#include "companion/turn_memory.h"
#include "memory/memory_store.h"
#include "memory/recall.h"
#include "memory/time_expr.h"
#include "memory/wordnet.h"

namespace os1::cli {
namespace {

using nlohmann::json;

struct adapter_options {
    std::string db = ":memory:";
    bool related_words = false;  // widen recall's searches with WordNet
    double floor = 0;            // recall_options::floor
};

json fail(const std::string & message) { return {{"ok", false}, {"error", message}}; }

int64_t time_field(const json & m, const char * key) {
    int64_t t = 0;
    if (!m.contains(key) || !m[key].is_string() || !memory::parse_iso_time(m[key].get<std::string>(), t)) {
        throw std::invalid_argument(std::string("'") + key + "' must be an ISO 8601 time");
    }
    return t;
}

std::string str_field(const json & m, const char * key, bool required = true) {
    if (!m.contains(key)) {
        if (required) throw std::invalid_argument(std::string("'") + key + "' is missing");
        return {};
    }
    if (!m[key].is_string()) throw std::invalid_argument(std::string("'") + key + "' must be a string");
    return m[key].get<std::string>();
}

json handle(memory::memory_store & store, const adapter_options & a, const memory::wordnet * words, llm::embedder * embedder,
            const json & m) {
    const std::string op = str_field(m, "op");
    const std::string scope = str_field(m, "scope");
    if (op == "reset") {
        auto who = store.person(scope, false);
        if (who) {
            if (auto st = store.erase_person(*who); !st) return fail(st.message());
        } else if (who.error().code() != status_code::not_found) {
            return fail(who.error().message());
        }
        return {{"ok", true}};
    }
    auto who = store.person(scope, true);
    if (!who) return fail(who.error().message());
    if (op == "ingest") {
        memory::new_turn t;
        t.session = str_field(m, "session");
        t.ts = time_field(m, "ts");
        t.ext_id = str_field(m, "turn", false);
        t.speaker = str_field(m, "speaker");
        const std::string role_text = str_field(m, "role");
        const auto role = parse_role(role_text);
        if (!role) return fail("a turn's role must be user, assistant or system, not '" + role_text + "'");
        t.role = *role;
        t.text = str_field(m, "text");
        std::vector<float> vec;  // made first: a turn is stored whole or not at all
        if (embedder && !t.text.empty()) {
            auto v = embedder->embed(t.text);
            if (!v) return fail(v.error().message());
            vec = std::move(*v);
        }
        auto id = store.turns().add_turn(*who, t);
        if (!id) return fail(id.error().message());
        if (!vec.empty()) {
            if (auto st = store.vectors().put_vector(*who, *id, vec); !st) return fail(st.message());
        }
        return {{"ok", true}};
    }
    if (op == "end_session") {
        if (auto st = store.turns().end_session(*who, str_field(m, "session"), time_field(m, "ts")); !st) return fail(st.message());
        return {{"ok", true}};
    }
    if (op == "query") {
        memory::recall_options ro;
        ro.as_of = m.contains("as_of") ? time_field(m, "as_of") : 0;
        if (m.contains("k")) {
            if (!m["k"].is_number_integer() || m["k"].get<int>() < 1 || m["k"].get<int>() > 1000) {
                throw std::invalid_argument("'k' must be an integer from 1 to 1000");
            }
            ro.k = m["k"].get<int>();
        }
        ro.candidates = std::max(ro.candidates, ro.k * 2);
        ro.words = words;
        ro.floor = a.floor;
        ro.facts = companion::memory_settings{}.recall_facts;  // when the store has distilled any
        ro.summaries = companion::memory_settings{}.recall_summaries;
        const std::string q = str_field(m, "q");
        std::vector<float> vec;
        if (embedder && !q.empty()) {
            auto v = embedder->embed(q);
            if (!v) return fail(v.error().message());
            vec = std::move(*v);
            ro.query_vector = &vec;
        }
        auto items = memory::recall(store, *who, q, ro);
        if (!items) return fail(items.error().message());
        json out = json::array();
        for (const auto & it : *items) {
            out.push_back({{"text", it.text}, {"score", it.score}, {"kind", memory::kind_name(it.kind)}, {"prov", it.prov}});
        }
        return {{"items", out}};
    }
    return fail("unknown op '" + op + "' (reset, ingest, end_session, query)");
}

int run(const adapter_options & a, const options & o) {
    auto store = memory::memory_store::open(a.db);
    if (!store) return report(store.error());
    auto embedder = open_embedder(o, **store);
    if (!embedder) return report(embedder.error());
    std::shared_ptr<const memory::wordnet> wn;
    if (a.related_words) {
        auto w = memory::wordnet::open();
        if (!w) return report(w.error());
        wn = *w;
    }
    const memory::wordnet * words = wn.get();
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json reply;
        try {
            const json m = json::parse(line);
            if (!m.is_object()) throw std::invalid_argument("each line must be a JSON object");
            reply = handle(**store, a, words, embedder->get(), m);
        } catch (const json::exception & e) {
            reply = fail(std::string("malformed JSON: ") + e.what());
        } catch (const std::invalid_argument & e) {
            reply = fail(e.what());
        }
        std::cout << reply.dump() << "\n" << std::flush;
    }
    return exit_ok;
}

}  // namespace

void add_memory_adapter_command(CLI::App & root, cli_context & ctx) {
    auto a = std::make_shared<adapter_options>();
    auto * cmd = root.add_subcommand("memory-adapter",
                                     "the B2 memory benchmark's JSON-lines protocol on stdin/stdout (ops: reset, ingest, "
                                     "end_session, query; a scope is a person)");
    cmd->add_option("--db", a->db, "memory database file (default: in memory, gone at exit)");
    cmd->add_flag("--related-words", a->related_words,
                  "also search words related to the question's (WordNet synonyms, derived forms, narrower kinds)");
    cmd->add_option("--floor", a->floor,
                    "recall no turn when none holds this share of the question's words (the companion's --recall-floor; default 0: off)")
        ->check(CLI::Range(0.0, 1.0));
    ctx.add_setting(cmd, "--embed-model");
    cmd->callback([&ctx, a] { ctx.run = [a](const options & o) { return run(*a, o); }; });
}

}  // namespace os1::cli
