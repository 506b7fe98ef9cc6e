// os1-isolation: does one conversation's decoding cost follow the others in the
// context? (issue 15, point 1). Decodes a greedy reply of one conversation at a
// depth of --depth tokens, first with the engine holding only it, then beside
// --others resident conversations of the same depth, and prints ms/token of
// each, their ratio, and whether the two greedy replies are identical.
//
//   os1-isolation --model bench/out/bench.gguf [--depth 4000] [--others 7] [--reply 128] [--threads 2]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>

#include "llm/engine.h"
#include "llm/prompt_tokenizer.h"

namespace os1::bench {
namespace {

struct args {
    std::string model;
    int depth = 4000, others = 7, reply = 128, threads = 2, repeats = 3;
    int generating = 0;   // of the others, this many generate while the target's reply is timed
    bool adjacent = false;  // the generating ones sit next to the target (one run of sequences), not every second one
};

struct outcome {
    std::string text;
    llm::reply_stats stats;
    status st;
};

std::future<outcome> ask_async(llm::engine & e, const std::string & conversation, const std::string & text, int max_tokens) {
    auto done = std::make_shared<std::promise<outcome>>();
    auto got = std::make_shared<outcome>();
    llm::completion_request r;
    r.key = {"bench", conversation};
    r.messages = {{role::user, text}};
    r.gen.max_tokens = max_tokens;
    r.gen.ignore_eos = true;
    r.gen.sampling.temperature = 0.0f;
    r.on_event = [done, got](const llm::completion_event & ev) {
        if (ev.type == llm::completion_event::kind::text) {
            got->text += ev.text;
            return;
        }
        if (ev.type == llm::completion_event::kind::error) got->st = ev.error;
        got->stats = ev.stats;
        done->set_value(*got);
    };
    auto fut = done->get_future();
    if (auto st = e.submit(std::move(r)); !st) done->set_value({"", {}, st});
    return fut;
}

outcome ask(llm::engine & e, const std::string & conversation, const std::string & text, int max_tokens) {
    return ask_async(e, conversation, text, max_tokens).get();
}

// A prompt of about `tokens` tokens, different for each conversation.
std::string prompt_of(const llm::prompt_tokenizer & tok, int tokens, int which) {
    std::string text;
    for (int i = 0; static_cast<int>(tok.text(text).size()) < tokens; ++i) {
        for (int k = 0; k < 10; ++k) {
            text += "Conversation " + std::to_string(which) + " remembers the ship number " +
                    std::to_string(i * 70 + k * 7 + which) + " passing the harbour at dawn. ";
        }
    }
    return text;
}

int run(const args & a) {
    auto m = llm::model::load(a.model, model_options{});
    if (!m) {
        std::fprintf(stderr, "os1-isolation: %s\n", m.error().message().c_str());
        return 1;
    }
    auto tok = llm::prompt_tokenizer::open(a.model);
    if (!tok) {
        std::fprintf(stderr, "os1-isolation: %s\n", tok.error().message().c_str());
        return 1;
    }
    llm::engine_options o;
    o.parallel = a.others + 1;
    o.ctx_tokens = a.depth + a.reply + 512;
    o.threads = a.threads;
    o.kv_ram_bytes = 0;
    const std::string target = prompt_of(**tok, a.depth, 0);
    auto measure = [&](bool crowded) -> outcome {
        auto e = llm::engine::start(*m, o);
        if (!e) return {"", {}, e.error()};
        if (crowded) {
            for (int i = 1; i <= a.others; ++i) {
                auto r = ask(**e, "other-" + std::to_string(i), prompt_of(**tok, a.depth, i), 1);
                if (!r.st) return r;
                std::fprintf(stderr, "  resident conversation %d: %d tokens\n", i, r.stats.prompt_tokens);
            }
        }
        // The first ask computes the prompt; the later ones reuse it (evaluating
        // its last token again) and decode the same reply. The fastest decode is
        // kept, and the last reply's text (the first reply's first token came
        // from a batch of 512 and may differ in its last bits).
        outcome best;
        for (int k = 0; k <= a.repeats; ++k) {
            // Every second other conversation generates a reply longer than the target's
            // beside it (sequences 1, 3, 5...: idle ones between them), or with
            // --adjacent the last ones, next to the target's sequence.
            std::vector<std::future<outcome>> busy;
            if (crowded && k > 0) {
                for (int i = 0; i < a.generating && 2 * i + 2 <= a.others; ++i) {
                    const int which = a.adjacent ? a.others - i : 2 * i + 2;
                    busy.push_back(ask_async(**e, "other-" + std::to_string(which), prompt_of(**tok, a.depth, which) + " more",
                                             a.reply * 3));
                }
            }
            auto r = ask(**e, "target", target, a.reply);
            for (auto & b : busy) b.get();
            if (!r.st) return r;
            // With others generating, only the replies beside them count (not the first).
            const bool first_counted = k == 0 || (crowded && a.generating > 0 && k == 1);
            const double fastest = first_counted ? r.stats.generate_ms : std::min(best.stats.generate_ms, r.stats.generate_ms);
            best = r;
            best.stats.generate_ms = fastest;
        }
        return best;
    };
    std::printf("os1-isolation --model %s --depth %d --others %d --reply %d --threads %d --generating %d%s\n",
                a.model.c_str(), a.depth, a.others, a.reply, a.threads, a.generating, a.adjacent ? " --adjacent" : "");
    const outcome alone = measure(false);
    const outcome crowded = measure(true);
    if (!alone.st || !crowded.st) {
        std::fprintf(stderr, "os1-isolation: %s\n", (!alone.st ? alone.st : crowded.st).message().c_str());
        return 1;
    }
    auto per_token = [](const outcome & r) { return r.stats.generate_ms / std::max(1, r.stats.generated_tokens - 1); };
    std::printf("depth %d tokens (prompt %d), reply %d tokens\n", a.depth, alone.stats.prompt_tokens, a.reply);
    std::printf("alone:            %.2f ms/token\n", per_token(alone));
    std::printf("beside %d others (%d of them generating): %.2f ms/token\n", a.others, a.generating, per_token(crowded));
    std::printf("ratio crowded/alone: %.3f (target at most 1.10)\n", per_token(crowded) / per_token(alone));
    std::printf("greedy replies identical: %s\n", alone.text == crowded.text ? "yes" : "NO");
    return alone.text == crowded.text ? 0 : 2;
}

}  // namespace
}  // namespace os1::bench

int main(int argc, char ** argv) {
    os1::bench::args a;
    CLI::App app{"Decoding cost of one conversation, alone and beside others"};
    app.add_option("--model", a.model, "GGUF model")->required();
    app.add_option("--depth", a.depth, "tokens of each conversation");
    app.add_option("--others", a.others, "other resident conversations");
    app.add_option("--reply", a.reply, "tokens decoded and timed");
    app.add_option("--threads", a.threads, "threads");
    app.add_option("--repeats", a.repeats, "replies after the first in each case (the fastest decode is kept)");
    app.add_option("--generating", a.generating, "others generating beside the timed reply (every second sequence)");
    app.add_flag("--adjacent", a.adjacent, "the generating others sit next to the timed one, not every second sequence");
    CLI11_PARSE(app, argc, argv);
    return os1::bench::run(a);
}
