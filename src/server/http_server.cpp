#include "server/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <set>
#include <thread>

#include "server/background_distill.h"
#include "server/background_feelings.h"
#include "server/http_session.h"
#include "server/initiative_scheduler.h"
#include "base/job_queue.h"
#include "server/server_context.h"

namespace os1::server {
namespace {
// Requests whose prompts wait to be rendered; more get 503 (the engine's own queue is max_pending).
constexpr size_t prompt_queue_limit = 512;
constexpr size_t files_queue_limit = 1024;
constexpr size_t voice_queue_limit = 256;  // pieces of audio work waiting; more get 503
}  // namespace

struct http_server::impl {
    web_files web;  // read once, before the first connection; outlives every connection
    server_context ctx;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    net::signal_set signals{ioc};
    std::atomic<bool> stop_requested{false};
    int bound_port = 0;
    std::thread stopper;  // waits for the engine to finish, then ends the I/O loop
    system_clock wall;
    net::steady_timer accounts_timer{ioc};
    // After ioc: their jobs post to connections, so they finish first. Closed in
    // ~impl while the memory thread still runs (their jobs post to it, and its
    // jobs to them: a closed queue refuses, and the caller does the work itself).
    std::unique_ptr<job_queue> prompts = std::make_unique<job_queue>("prompts", 1, prompt_queue_limit);
    std::unique_ptr<job_queue> files = std::make_unique<job_queue>("files", 1, files_queue_limit);
    // The recognizers and voices, and the one thread that decodes, recognizes
    // and synthesizes (the 2-core machine's other core serves the model); the
    // set outlives the queue's jobs.
    std::unique_ptr<voice::voice_set> voices;
    std::unique_ptr<job_queue> voice_jobs = std::make_unique<job_queue>("voice", 1, voice_queue_limit);
    std::unique_ptr<initiative_scheduler> scheduler;  // after ioc: its timer goes first
    // Before memory: the memory thread's last jobs may still use it.
    std::unique_ptr<background_distill> distill;
    std::unique_ptr<background_feelings> feelings;
    std::unique_ptr<companion::turn_runner> turns;  // its memory jobs may still run while memory drains
    // After ioc, so it is drained (every acknowledged turn stored) before ioc goes.
    std::unique_ptr<memory::memory_worker> memory;

    impl(server_options o, llm::llm_i & e, users_store * u, std::unique_ptr<memory::memory_worker> m)
        : ctx{o, e, u, m.get(), nullptr, rate_limiter(o.rate_per_minute, o.rate_burst), {}, {}, 0, {}, nullptr, {}, nullptr,
              nullptr, nullptr, {}, {}, nullptr, nullptr, nullptr, {}, nullptr},
          ioc(std::max(1, ctx.opts.io_threads)), memory(std::move(m)) {
        if (memory && ctx.opts.distill_every > 0) {
            companion::distill_options d;
            d.min_turns = ctx.opts.distill_every;
            d.max_tokens = ctx.opts.distill_max_tokens;
            distill = std::make_unique<background_distill>(e, *memory, d, companion::summary_options{}, ctx.opts.evolve_every,
                                                           ctx.opts.onboarding.default_name);
            ctx.distill = distill.get();
        }
        web = web_files::load(ctx.opts.web_root);
        ctx.web = &web;
        if (!ctx.opts.web_root.empty() && web.empty()) {
            spdlog::warn("no web page in {} (scripts/setup builds it): / answers 404", ctx.opts.web_root);
        }
        ctx.clock = ctx.opts.clock ? ctx.opts.clock : &wall;
        ctx.prompts = prompts.get();
        ctx.files = files.get();
        ctx.voice_jobs = voice_jobs.get();
        if (!ctx.opts.voice) {
            ctx.voice_off = "the audio routes are off on this server (os1 serve --no-voice)";
        } else if (auto v = voice::voice_set::open(ctx.opts.voice_engines); !v) {
            ctx.voice_off = "the audio routes are off: " + v.error().message();
            spdlog::error("voice: {}", v.error().message());
        } else {
            voices = std::move(*v);
            ctx.voices = voices.get();
        }
        if (ctx.initiative()) {
            scheduler = std::make_unique<initiative_scheduler>(ioc, *memory, ctx.events, *ctx.clock, ctx.opts.initiative_tick_ms,
                                                               ctx.opts.onboarding.default_name, ctx.opts.initiative_policy);
            scheduler->start();
        }
        ctx.opts.memory.feelings = ctx.opts.feelings != feelings_mode::off;
        if (memory && ctx.opts.feelings != feelings_mode::off) {
            feelings = std::make_unique<background_feelings>(e, *memory, ctx.opts.feelings);
            feelings->start();
            ctx.feelings = feelings.get();
        }
        if (memory && ctx.opts.memory.embedder) {
            // The store compares only vectors of the model in use (os1 serve set it already; tests may not).
            llm::embedder * embed = ctx.opts.memory.embedder;
            memory->post([embed](memory::memory_store & s) {
                if (auto st = s.vectors().use_vector_model(embed->key(), embed->dims()); !st) spdlog::error("memory: {}", st.message());
            });
        }
        turns = std::make_unique<companion::turn_runner>(e, memory.get(), *ctx.clock,
                                                         [this](std::function<void()> job) { return prompts->post(std::move(job)); },
                                                         settings_for_turns());
        ctx.turns = turns.get();
        ctx.started_unix = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    }

    companion::turn_settings settings_for_turns() {
        companion::turn_settings s;
        s.memory = ctx.opts.memory;
        s.onboarding = ctx.opts.onboarding;
        s.default_persona = ctx.opts.persona;
        s.initiative = ctx.initiative();
        s.initiative_policy = ctx.opts.initiative_policy;
        s.talking_now = [this] { return static_cast<uint64_t>(ctx.talking.talking_now()); };
        s.learn = [this](memory::memory_store & store, memory::person_id who, const std::string & person) {
            if (distill) distill->after_turn(store, who, person);
            if (feelings) feelings->after_turn(store, who, person);
        };
        return s;
    }

    void accept() {
        acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
            if (ec) {
                // Out of file descriptors and the like: wait a moment rather than spin.
                spdlog::warn("accept: {}", ec.message());
                auto t = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(100));
                t->async_wait([this, t](beast::error_code) { accept(); });
                return;
            }
            beast::error_code ignored;
            const auto peer = socket.remote_endpoint(ignored);
            std::string address = ignored ? std::string("?") : peer.address().to_string();
            if (!ctx.connections.take(address, ctx.opts.max_connections, ctx.opts.max_connections_per_address)) {
                socket.close(ignored);  // over the limit: refused before it costs anything
                ctx.stats.count_response("refused_connection", 503);
                return accept();
            }
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<http_session>(std::move(socket), ctx, std::move(address))->start();
            accept();
        });
    }

    // `os1 users remove` (another process) ends an account in the users file; the
    // server notices within account_check_ms and does what an erase does here:
    // the token is refused, requests in flight are cancelled, event streams end,
    // KV states go, and whatever was written meanwhile is erased again.
    void watch_accounts() {
        if (!ctx.users || ctx.opts.account_check_ms <= 0) return;
        accounts_timer.expires_after(std::chrono::milliseconds(ctx.opts.account_check_ms));
        accounts_timer.async_wait([this](beast::error_code ec) {
            if (ec || stop_requested) return;
            ctx.files->post([this] { check_accounts(); });
            watch_accounts();
        });
    }

    void check_accounts() {  // on the files thread
        // Everyone the server let in whose account is gone now: however briefly the
        // account lived, whatever of theirs the server holds is ended.
        const auto known = ctx.gate.known();
        if (known.empty()) return;
        auto list = ctx.users->list();
        if (!list) return spdlog::error("users: {}", list.error().message());
        std::set<std::string> now;
        for (const auto & u : *list) now.insert(u.name);
        for (const auto & name : known) {
            if (!now.count(name)) removed(name);
        }
    }

    void removed(const std::string & name) {
        spdlog::info("a person's account was removed: ending their streams and requests");
        ctx.gate.revoke(name);
        ctx.events.close(name);
        // Their states go first, then their memories; then the name is free again.
        ctx.engine.drop_person(name, [this, name] {
            if (!memory) return ctx.gate.unblock(name);
            memory->post([this, name](memory::memory_store & store) {
                if (auto who = store.person(name, false)) {
                    if (auto st = store.erase_person(*who); !st) spdlog::error("memory: {}", st.message());
                }
                ctx.gate.unblock(name);
            });
        });
    }

    // Stop taking connections and requests, let the engine finish and save, then end.
    void shutdown() {
        if (stop_requested.exchange(true)) return;
        spdlog::info("stopping: finishing replies in flight (up to {} ms), then saving every conversation",
                     ctx.opts.drain_ms);
        ctx.stopping = true;
        if (scheduler) scheduler->stop();
        net::post(ioc, [this] {
            beast::error_code ec;
            accounts_timer.cancel();
            acceptor.close(ec);
            signals.cancel();
        });
        stopper = std::thread([this] {
            ctx.engine.stop(ctx.opts.drain_ms);
            // The last events are posted to their connections; give them a moment to be written.
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            ioc.stop();
        });
    }

    ~impl() {
        if (stopper.joinable()) stopper.join();
        // The background jobs' engine requests call back into the members below
        // (feelings, distillation, the memory thread): they end first. A server
        // that never ran (listen failed) gets here with its feelings probe in flight.
        ctx.engine.stop(0);
        voice_jobs->close();
        files->close();
        prompts->close();
    }
};

http_server::http_server(server_options opts, llm::llm_i & engine, users_store * users,
                         std::unique_ptr<memory::memory_worker> memory)
    : impl_(std::make_unique<impl>(std::move(opts), engine, users, std::move(memory))) {}

http_server::~http_server() = default;

static bool is_loopback(const std::string & host) {
    return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

status http_server::listen() {
    impl & s = *impl_;
    if (s.ctx.opts.no_auth && !is_loopback(s.ctx.opts.host)) {
        return {status_code::invalid_argument,
                "--no-auth serves one person on this machine only: use --host 127.0.0.1, or add people with "
                "`os1 users add NAME`"};
    }
    if (!s.ctx.opts.no_auth && !s.ctx.users) return {status_code::internal, "no users store"};
    // Thousands of connections need thousands of descriptors.
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    beast::error_code ec;
    const std::string host = s.ctx.opts.host == "localhost" ? "127.0.0.1" : s.ctx.opts.host;
    const auto address = net::ip::make_address(host, ec);
    if (ec) return {status_code::invalid_argument, "--host '" + s.ctx.opts.host + "' is not an IP address"};
    const tcp::endpoint ep(address, static_cast<unsigned short>(s.ctx.opts.port));
    s.acceptor.open(ep.protocol(), ec);
    if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(ep, ec);
    if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return {status_code::io_error,
                "cannot listen on " + s.ctx.opts.host + ":" + std::to_string(s.ctx.opts.port) + ": " + ec.message()};
    }
    s.bound_port = s.acceptor.local_endpoint().port();
    return status::ok();
}

int http_server::port() const { return impl_->bound_port; }

int http_server::listeners(const std::string & person) { return impl_->ctx.events.listeners(person); }

void http_server::run(bool handle_signals) {
    impl & s = *impl_;
    if (handle_signals) {
        s.signals.add(SIGTERM);
        s.signals.add(SIGINT);
        s.signals.async_wait([&s](beast::error_code ec, int) {
            if (!ec) s.shutdown();
        });
    }
    s.accept();
    s.watch_accounts();
    // A handler's exception must not end an I/O thread: it is logged and the loop goes on.
    const auto serve = [&s] {
        for (;;) {
            try {
                s.ioc.run();
                return;
            } catch (const std::exception & e) {
                spdlog::error("internal error {} on an I/O thread: {}", error_id(), e.what());
            }
        }
    };
    std::vector<std::thread> threads;
    for (int i = 1; i < s.ctx.opts.io_threads; ++i) threads.emplace_back(serve);
    serve();
    for (auto & t : threads) t.join();
    // The I/O loop ends when its last connection does, maybe before the engine
    // has saved every conversation: the caller reads the engine's figures next.
    if (s.stopper.joinable()) s.stopper.join();
}

void http_server::stop() { impl_->shutdown(); }

}  // namespace os1::server
