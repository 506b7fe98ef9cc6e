// os1-loadgen: the B1 load generator (BENCHMARKS.md). It speaks only the
// OpenAI-compatible API, so the same run measures OS1 and llama-server.
//
//   os1-loadgen chat     --port P --model M --people N [--turns T] [--think-s 5] [--out F.jsonl]
//                        [--server-memory --tokens FILE] [--memories-out FILE]
//   os1-loadgen register --port P --model M --conversations 8316 [--concurrency 8]
//   os1-loadgen idle     --port P --connections 10000 [--hold-s 30]
//   os1-loadgen persona  --model M --out FILE
//
// One thread per person, blocking sockets: the threads sleep through think
// time and wait on the network, so the generator's own CPU use stays small.
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "sse_client.h"
#include "workload.h"

namespace os1::bench {
namespace {

using json = nlohmann::json;

struct args {
    std::string host = "127.0.0.1";
    int port = 8316;
    std::string model;
    std::string persona_file;
    int people = 4;
    int turns = 6;              // per person; the first is the person's arrival and is not measured
    double think_s = 5.0;       // mean of the exponential think time
    uint64_t seed = 1;
    double slo_ms = 2000;
    std::string out;
    int conversations = 8316;
    int concurrency = 8;
    int connections = 10000;
    int hold_s = 30;
    int revisit = 10;
    bool after_restart = false;  // register: the big conversations are already on disk
    int history_tokens = 0;      // chat: each person arrives with about this much earlier conversation
    bool together = false;       // chat: measured turns begin when everyone has arrived (also with history_tokens)
    int restart_after = 0;       // chat: when everyone has had this many measured turns, run restart_cmd
    std::string restart_cmd;     // chat: restarts the server and returns when it answers again
    bool server_memory = false;  // chat: the server recalls for itself; the client sends no recalled block
    std::string tokens_file;     // chat: one API token per line, person P's on line P (named person-P)
    std::string memories_out;    // chat: write everyone's earlier conversations for `os1 memory-adapter`, then stop
    int earlier_tokens = 6000;   // chat: how much earlier conversation each person has in memory
    int timeout_s = 600;
};

struct turn_record {
    int person = 0, turn = 0;
    bool measured = false, ok = false, canary_leak = false, after_restart = false;
    double ttft_ms = -1, start_s = 0, end_s = 0;
    std::vector<double> gaps_ms;
    double done_ms = -1;  // last content -> [DONE]
    int prompt_tokens = 0, computed_tokens = 0, new_tokens = 0, completion_tokens = 0;
    std::string error;
};

std::string person_name(int p) { return "person-" + std::to_string(p); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const double idx = p / 100.0 * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(idx)), hi = static_cast<size_t>(std::ceil(idx));
    return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

size_t common_prefix(const std::vector<int32_t> & a, const std::vector<int32_t> & b) {
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

std::string persona_text(const llm::prompt_tokenizer & tok, uint64_t seed, int n_tokens) {
    text_maker tm(tok, seed * 7919 + 17);
    return "You are Samantha, a warm, curious and honest companion. " + tm.make(n_tokens - 12);
}

int run_chat(const args & a) {
    auto tok = llm::prompt_tokenizer::open(a.model);
    if (!tok) {
        std::cerr << "loadgen: " << tok.error().message() << "\n";
        return 2;
    }
    workload_sizes sz;
    std::string persona;
    if (!a.persona_file.empty()) {
        std::ifstream in(a.persona_file);
        persona.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
        persona = persona_text(**tok, a.seed, sz.persona_tokens);
    }
    auto persona_prefix = (*tok)->system_prefix(persona);
    if (!persona_prefix) return 2;
    if (!a.memories_out.empty()) {
        std::ofstream out(a.memories_out);
        for (int p = 0; p < a.people; ++p) {
            for (const auto & line : earlier_memories(**tok, a.seed * 7777777 + static_cast<uint64_t>(p), person_name(p),
                                                      a.earlier_tokens)) {
                out << line << "\n";
            }
        }
        return out ? 0 : 2;
    }
    std::vector<std::string> tokens;
    if (!a.tokens_file.empty()) {
        std::ifstream in(a.tokens_file);
        for (std::string line; std::getline(in, line);) {
            if (!line.empty()) tokens.push_back(line);
        }
        if (static_cast<int>(tokens.size()) < a.people) {
            std::cerr << "loadgen: " << a.tokens_file << " has " << tokens.size() << " tokens for " << a.people << " people\n";
            return 2;
        }
    }

    std::mutex mu;
    std::vector<turn_record> records;
    std::vector<std::string> canaries(static_cast<size_t>(a.people));
    const auto t0 = bench_clock::now();
    const auto secs = [&](bench_clock::time_point t) { return std::chrono::duration<double>(t - t0).count(); };

    // Barriers: with --history-tokens or --together everyone arrives (computing
    // their first prompt) before anyone's measured turns begin, so that a server
    // slow to take newcomers does not face a thinner load of returning turns; with --restart-cmd every person waits
    // after their restart_after-th measured turn and the last to arrive restarts
    // the server, then all go on.
    std::condition_variable barrier_cv;
    int at_barrier = 0, barrier_round = 0;
    std::atomic<bool> restarted{false};
    double restart_s = 0;
    const auto barrier = [&](const std::function<void()> & last_does) {
        std::unique_lock<std::mutex> lock(mu);
        const int round = barrier_round;
        if (++at_barrier == a.people) {
            last_does();
            at_barrier = 0;
            ++barrier_round;
            barrier_cv.notify_all();
        }
        barrier_cv.wait(lock, [&] { return barrier_round != round; });
    };
    const auto restart = [&] {
        const auto t = bench_clock::now();
        std::cerr << "loadgen: restarting the server: " << a.restart_cmd << "\n";
        const int rc = std::system(a.restart_cmd.c_str());
        if (rc != 0) std::cerr << "loadgen: the restart command failed (" << rc << ")\n";
        restart_s = std::chrono::duration<double>(bench_clock::now() - t).count();
        restarted = true;
    };

    std::vector<std::thread> threads;
    for (int p = 0; p < a.people; ++p) {
        threads.emplace_back([&, p] {
            text_maker tm(**tok, a.seed * 1000003 + static_cast<uint64_t>(p));
            auto & rng = tm.rng();
            char canary[48];
            std::snprintf(canary, sizeof canary, "CANARY-%d-%08llx", p, static_cast<unsigned long long>(rng() & 0xffffffff));
            {
                std::lock_guard<std::mutex> lock(mu);
                canaries[static_cast<size_t>(p)] = canary;
            }
            const std::string profile = tm.make(sz.profile_tokens) + " Private code word: " + canary + ".";
            std::vector<llm::chat_message> history;
            // Earlier conversation the server has not seen: computed by the first (unmeasured) turn.
            for (int have = 0; have < a.history_tokens;) {
                const int n = std::uniform_int_distribution<int>(sz.message_min, sz.message_max)(rng);
                const int r = std::uniform_int_distribution<int>(sz.reply_min, sz.reply_max)(rng);
                history.push_back({role::user, tm.make(n)});
                history.push_back({role::assistant, tm.make(r)});
                have += n + r + 10;
            }
            std::vector<int32_t> in_kv = *persona_prefix;  // what an ideal server already holds for this person
            std::exponential_distribution<double> think(1.0 / a.think_s);
            std::uniform_real_distribution<double> stagger(0, a.think_s);
            std::this_thread::sleep_for(std::chrono::duration<double>(stagger(rng)));
            for (int turn = 0; turn < a.turns; ++turn) {
                // Drawn in both modes, so that both send the same messages and replies.
                const std::string recalled = tm.make(sz.recalled_tokens);
                const std::string message = tm.make(std::uniform_int_distribution<int>(sz.message_min, sz.message_max)(rng));
                const auto messages = a.server_memory ? plain_messages(persona, profile, history, message)
                                                      : companion_messages(persona, profile, history, recalled, message);
                const int max_tokens = std::uniform_int_distribution<int>(sz.reply_min, sz.reply_max)(rng);
                json body = {{"model", "bench"}, {"max_tokens", max_tokens}, {"temperature", 0}, {"stream", true},
                             {"stream_options", {{"include_usage", true}}}, {"ignore_eos", true}, {"cache_prompt", true}};
                body["messages"] = json::array();
                for (const auto & m : messages) body["messages"].push_back({{"role", role_name(m.role)}, {"content", m.content}});
                turn_record rec;
                rec.person = p;
                rec.turn = turn;
                rec.measured = turn > 0;
                rec.after_restart = restarted;
                rec.start_s = secs(bench_clock::now());
                std::map<std::string, std::string> headers{{"X-OS1-Conversation", person_name(p)}};
                if (!tokens.empty()) headers["Authorization"] = "Bearer " + tokens[static_cast<size_t>(p)];
                const auto res = stream_chat(a.host, a.port, body.dump(), headers, a.timeout_s);
                rec.end_s = secs(bench_clock::now());
                rec.ok = res.ok;
                rec.error = res.error;
                rec.ttft_ms = res.ttft_ms;
                rec.gaps_ms = res.token_gaps_ms;
                rec.done_ms = res.done_ms;
                rec.prompt_tokens = res.prompt_tokens;
                rec.completion_tokens = res.completion_tokens;
                rec.computed_tokens = res.processed_tokens >= 0 ? res.processed_tokens : res.prompt_tokens - res.cached_tokens;
                // What an ideal server would compute; unknown when the server lays out the prompt itself.
                const auto prompt = (*tok)->conversation(messages);
                if (prompt && !a.server_memory) {
                    rec.new_tokens = static_cast<int>(prompt->size() - common_prefix(*prompt, in_kv));
                    in_kv = *prompt;
                    const auto reply = (*tok)->text(res.text);
                    in_kv.insert(in_kv.end(), reply.begin(), reply.end());
                }
                {
                    std::lock_guard<std::mutex> lock(mu);
                    for (int q = 0; q < a.people; ++q) {
                        if (q != p && !canaries[static_cast<size_t>(q)].empty() &&
                            res.text.find(canaries[static_cast<size_t>(q)]) != std::string::npos) {
                            rec.canary_leak = true;
                        }
                    }
                    records.push_back(rec);
                }
                history.push_back({role::user, message});
                history.push_back({role::assistant, res.text});
                if ((a.history_tokens > 0 || a.together) && turn == 0) barrier([&] { std::cerr << "loadgen: everyone has arrived\n"; });
                if (!a.restart_cmd.empty() && turn == a.restart_after) barrier(restart);
                std::this_thread::sleep_for(std::chrono::duration<double>(think(rng)));
            }
        });
    }
    for (auto & t : threads) t.join();

    std::vector<double> ttft, gaps, ttft_before, ttft_after, done;
    double computed = 0, fresh = 0, first_start = 1e18, last_end = 0, out_tokens = 0;
    int ok = 0, errors = 0, leaks = 0, within = 0, measured = 0;
    std::string first_error;
    for (const auto & r : records) {
        leaks += r.canary_leak;
        if (!r.measured) continue;
        ++measured;
        if (!r.ok) {
            ++errors;
            if (first_error.empty()) first_error = r.error;
            continue;
        }
        ++ok;
        ttft.push_back(r.ttft_ms);
        (r.after_restart ? ttft_after : ttft_before).push_back(r.ttft_ms);
        within += r.ttft_ms <= a.slo_ms;
        gaps.insert(gaps.end(), r.gaps_ms.begin(), r.gaps_ms.end());
        if (r.done_ms >= 0) done.push_back(r.done_ms);
        computed += r.computed_tokens;
        fresh += r.new_tokens;
        first_start = std::min(first_start, r.start_s);
        last_end = std::max(last_end, r.end_s);
        out_tokens += r.completion_tokens;
    }
    json summary = {{"people", a.people},
                    {"turns_measured", measured},
                    {"ok", ok},
                    {"errors", errors},
                    {"first_error", first_error},
                    {"canary_leaks", leaks},
                    {"ttft_ms", {{"p50", percentile(ttft, 50)}, {"p95", percentile(ttft, 95)}, {"p99", percentile(ttft, 99)}}},
                    {"within_5s_fraction", ttft.empty() ? 0.0 : static_cast<double>(std::count_if(ttft.begin(), ttft.end(), [](double t) { return t <= 5000; })) / measured},
                    {"itl_ms", {{"p50", percentile(gaps, 50)}, {"p99", percentile(gaps, 99)}}},
                    {"done_after_last_ms", {{"p50", percentile(done, 50)}, {"p95", percentile(done, 95)}, {"p99", percentile(done, 99)}}},
                    {"slo_fraction", measured ? static_cast<double>(within) / measured : 0.0},
                    {"output_tokens_per_s", last_end > first_start ? out_tokens / (last_end - first_start) : 0.0},
                    {"server_memory", a.server_memory},
                    {"computed_per_turn", ok ? computed / ok : 0.0}};
    if (!a.server_memory) {
        summary["prefill_amplification"] = fresh > 0 ? computed / fresh : NAN;
        summary["new_per_turn"] = ok ? fresh / ok : 0.0;
    }
    if (!a.restart_cmd.empty()) {
        summary["restart_s"] = restart_s;
        summary["ttft_before_restart_ms"] = {{"p50", percentile(ttft_before, 50)}, {"p95", percentile(ttft_before, 95)}};
        summary["ttft_after_restart_ms"] = {{"p50", percentile(ttft_after, 50)}, {"p95", percentile(ttft_after, 95)}};
    }
    if (!a.out.empty()) {
        std::ofstream out(a.out);
        for (const auto & r : records) {
            out << json{{"person", r.person}, {"turn", r.turn}, {"measured", r.measured}, {"ok", r.ok}, {"error", r.error},
                        {"ttft_ms", r.ttft_ms}, {"done_ms", r.done_ms}, {"prompt", r.prompt_tokens}, {"computed", r.computed_tokens},
                        {"new", r.new_tokens}, {"completion", r.completion_tokens}, {"start_s", r.start_s},
                        {"end_s", r.end_s}, {"canary_leak", r.canary_leak}, {"after_restart", r.after_restart}}.dump()
                << "\n";
        }
    }
    std::cout << summary.dump() << std::endl;
    return 0;
}

// Many conversations, each one short turn: the server must hold them all.
// First `revisit` full-size conversations (persona, an 800-token profile, a
// message) are made; after all the others have pushed them out of the context
// and RAM, each gets its next turn: the time to first token of a conversation
// that waited on disk. With after_restart (a server restarted on the data of an
// earlier run), the big conversations are on disk already: their first turns go
// to fresh "probe-" conversations only to learn the same greedy replies.
int run_register(const args & a) {
    auto tok = llm::prompt_tokenizer::open(a.model);
    if (!tok) {
        std::cerr << "loadgen: " << tok.error().message() << "\n";
        return 2;
    }
    std::string persona;
    {
        std::ifstream in(a.persona_file);
        persona.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto body_for = [&](const std::vector<llm::chat_message> & msgs, int max_tokens) {
        json body = {{"model", "bench"}, {"max_tokens", max_tokens}, {"temperature", 0}, {"stream", true},
                     {"stream_options", {{"include_usage", true}}}, {"ignore_eos", true}};
        body["messages"] = json::array();
        for (const auto & m : msgs) body["messages"].push_back({{"role", role_name(m.role)}, {"content", m.content}});
        return body.dump();
    };
    struct big_one {
        std::vector<llm::chat_message> messages;
        std::string reply;
    };
    std::vector<big_one> big(static_cast<size_t>(a.revisit));
    text_maker tm(**tok, a.seed * 31 + 5);
    for (int i = 0; i < a.revisit; ++i) {
        auto & b = big[static_cast<size_t>(i)];
        b.messages = {{role::system, persona}, {role::system, "What you know about this person:\n" + tm.make(800)},
                      {role::user, tm.make(40)}};
        const std::string id = (a.after_restart ? "probe-big-" : "big-") + std::to_string(i);
        const auto r = stream_chat(a.host, a.port, body_for(b.messages, 32), {{"X-OS1-Conversation", id}}, a.timeout_s);
        if (!r.ok) {
            std::cerr << "loadgen: first turn failed: " << r.error << "\n";
            return 1;
        }
        b.reply = r.text;
    }
    std::atomic<int> next{0}, ok{0}, failed{0};
    std::string first_error;
    std::mutex mu;
    std::vector<double> ttft;
    const auto t0 = bench_clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < a.concurrency; ++w) {
        threads.emplace_back([&] {
            for (int i = next++; i < a.conversations; i = next++) {
                const std::vector<llm::chat_message> msgs = {
                    {role::system, persona}, {role::user, "Hello, I am person number " + std::to_string(i) + "."}};
                const auto r = stream_chat(a.host, a.port, body_for(msgs, 2), {{"X-OS1-Conversation", "reg-" + std::to_string(i)}},
                                           a.timeout_s);
                std::lock_guard<std::mutex> lock(mu);
                if (r.ok) {
                    ++ok;
                    ttft.push_back(r.ttft_ms);
                } else {
                    ++failed;
                    if (first_error.empty()) first_error = r.error;
                }
                if ((ok + failed) % 500 == 0) std::cerr << "registered " << ok + failed << "/" << a.conversations << "\n";
            }
        });
    }
    for (auto & t : threads) t.join();
    const double register_s = std::chrono::duration<double>(bench_clock::now() - t0).count();
    std::vector<double> revisit_ttft;
    std::vector<double> revisit_cached_fraction;
    for (int i = 0; i < a.revisit; ++i) {
        auto & b = big[static_cast<size_t>(i)];
        auto msgs = b.messages;
        msgs.push_back({role::assistant, b.reply});
        msgs.push_back({role::user, tm.make(40)});
        const auto r = stream_chat(a.host, a.port, body_for(msgs, 8), {{"X-OS1-Conversation", "big-" + std::to_string(i)}},
                                   a.timeout_s);
        if (!r.ok) continue;
        revisit_ttft.push_back(r.ttft_ms);
        revisit_cached_fraction.push_back(r.prompt_tokens ? static_cast<double>(r.cached_tokens) / r.prompt_tokens : 0.0);
    }
    json s = {{"conversations", a.conversations}, {"ok", ok.load()}, {"failed", failed.load()}, {"first_error", first_error},
              {"seconds", register_s},
              {"register_ttft_ms", {{"p50", percentile(ttft, 50)}, {"p95", percentile(ttft, 95)}}},
              {"revisited", revisit_ttft.size()},
              {"revisit_ttft_ms", {{"p50", percentile(revisit_ttft, 50)}, {"p95", percentile(revisit_ttft, 95)},
                                   {"max", percentile(revisit_ttft, 100)}}},
              {"revisit_cached_fraction_p50", percentile(revisit_cached_fraction, 50)}};
    std::cout << s.dump() << std::endl;
    return 0;
}

// Opens idle connections, holds them, then checks the server still answers.
int run_idle(const args & a) {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    std::vector<int> fds;
    int failed = 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(a.port));
    ::inet_pton(AF_INET, a.host.c_str(), &addr.sin_addr);
    for (int i = 0; i < a.connections; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ++failed;
            if (fd >= 0) ::close(fd);
            continue;
        }
        fds.push_back(fd);
    }
    std::cerr << "holding " << fds.size() << " idle connections for " << a.hold_s << " s\n";
    std::this_thread::sleep_for(std::chrono::seconds(a.hold_s));
    // Still open? A closed one reads EOF at once.
    int alive = 0;
    for (const int fd : fds) {
        char c;
        const ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
        alive += (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    }
    json body = {{"model", "bench"}, {"max_tokens", 4}, {"stream", true},
                 {"messages", {{{"role", "user"}, {"content", "Are you still there?"}}}}};
    const auto r = stream_chat(a.host, a.port, body.dump(), {{"X-OS1-Conversation", "idle-check"}}, a.timeout_s);
    for (const int fd : fds) ::close(fd);
    json s = {{"connections", a.connections}, {"opened", fds.size()}, {"failed", failed}, {"alive_after_hold", alive},
              {"served_meanwhile", r.ok}, {"ttft_ms_meanwhile", r.ttft_ms}};
    std::cout << s.dump() << std::endl;
    return 0;
}

}  // namespace
}  // namespace os1::bench

int main(int argc, char ** argv) {
    using namespace os1::bench;
    args a;
    CLI::App app{"os1-loadgen: the B1 companion workload against an OpenAI-compatible server"};
    app.require_subcommand(1);
    auto * chat = app.add_subcommand("chat", "people in a closed loop with think time");
    auto * reg = app.add_subcommand("register", "many conversations, one short turn each");
    reg->add_flag("--after-restart", a.after_restart, "the big conversations were made by an earlier run");
    auto * idle = app.add_subcommand("idle", "hold idle connections, then check the server answers");
    auto * persona = app.add_subcommand("persona", "write the shared persona text to --out");
    for (auto * s : {chat, reg, idle}) {
        s->add_option("--host", a.host);
        s->add_option("--port", a.port);
        s->add_option("--timeout-s", a.timeout_s);
    }
    for (auto * s : {chat, persona, reg}) {
        s->add_option("--model", a.model, "GGUF whose tokenizer counts tokens")->required();
        s->add_option("--seed", a.seed);
    }
    reg->add_option("--persona", a.persona_file, "persona text")->required();
    reg->add_option("--revisit", a.revisit, "full-size conversations to come back to after the rest");
    chat->add_option("--people", a.people);
    chat->add_option("--turns", a.turns);
    chat->add_option("--think-s", a.think_s);
    chat->add_option("--slo-ms", a.slo_ms);
    chat->add_option("--persona", a.persona_file, "persona text (default: generated from --seed)");
    chat->add_option("--out", a.out, "per-turn records (JSON lines)");
    chat->add_option("--history-tokens", a.history_tokens, "earlier conversation each person arrives with (tokens, about)");
    chat->add_flag("--together", a.together, "measured turns begin when everyone has arrived");
    chat->add_option("--restart-after", a.restart_after, "measured turns before the server is restarted (with --restart-cmd)");
    chat->add_option("--restart-cmd", a.restart_cmd, "shell command that restarts the server and returns when it answers");
    chat->add_flag("--server-memory", a.server_memory, "the server recalls for itself (OS1 with memory on): no recalled block from the client");
    chat->add_option("--tokens", a.tokens_file, "API tokens, one per line: person P (named person-P) uses line P");
    chat->add_option("--memories-out", a.memories_out, "write each person's earlier conversations as `os1 memory-adapter` lines, then stop");
    chat->add_option("--earlier-tokens", a.earlier_tokens, "tokens of earlier conversation per person for --memories-out");
    persona->add_option("--out", a.out)->required();
    reg->add_option("--conversations", a.conversations);
    reg->add_option("--concurrency", a.concurrency);
    idle->add_option("--connections", a.connections);
    idle->add_option("--hold-s", a.hold_s);
    CLI11_PARSE(app, argc, argv);
    if (chat->parsed()) return run_chat(a);
    if (reg->parsed()) return run_register(a);
    if (idle->parsed()) return run_idle(a);
    auto tok = os1::llm::prompt_tokenizer::open(a.model);
    if (!tok) return 2;
    std::ofstream(a.out) << persona_text(**tok, a.seed, workload_sizes{}.persona_tokens);
    return 0;
}
