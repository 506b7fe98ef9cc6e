// Issue 18's realtime figure: the time from the end of the person's speech to
// the first byte of reply audio on /v1/realtime, against the time to the last
// byte of it (what a server that waits for the whole reply would give first).
// Each session streams flite's speech as a microphone would (in real time,
// 100 ms at a time, with silence after it), and waits for the reply.
// Prints one line per turn, then a markdown table.
//
//   os1-realtimebench --port 8080 [--token T] [--sessions 8] [--turns 5] [--max-tokens 60]
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/base64.h"
#include "voice/audio.h"
#include "voice/tts_flite.h"

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
namespace websocket = boost::beast::websocket;

struct turn_figures {
    double vad_s = -1, transcript_s = -1, first_audio_s = -1, last_audio_s = -1;
    std::string heard, status;
};

double since(clock_type::time_point t0, clock_type::time_point t) { return std::chrono::duration<double>(t - t0).count(); }

std::string pcm_bytes(const os1::voice::pcm_audio & a, size_t from, size_t to) {
    std::string out;
    for (size_t i = from; i < to; ++i) {
        const auto v = static_cast<uint16_t>(a.samples[i]);
        out += static_cast<char>(v & 0xff);
        out += static_cast<char>(v >> 8);
    }
    return out;
}

class session {
public:
    session(int port, const std::string & token, int max_tokens, const std::string & conversation) : ws_(ioc_) {
        boost::asio::ip::tcp::resolver resolver(ioc_);
        boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
        ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type & req) {
            if (!token.empty()) req.set(boost::beast::http::field::authorization, "Bearer " + token);
        }));
        ws_.handshake("127.0.0.1", "/v1/realtime?conversation=" + conversation);
        expect("session.created");
        send({{"type", "session.update"},
              {"session", {{"input_audio_rate", 16000}, {"max_response_output_tokens", max_tokens}, {"temperature", 0}}}});
        expect("session.updated");
    }

    // SPEECH (16 kHz) streamed in real time between silences; the figures of the reply.
    turn_figures turn(const os1::voice::pcm_audio & speech) {
        os1::voice::pcm_audio mic;
        mic.rate_hz = 16000;
        mic.samples.assign(4800, 0);  // 0.3 s before
        mic.samples.insert(mic.samples.end(), speech.samples.begin(), speech.samples.end());
        const size_t end_of_speech = mic.samples.size();
        mic.samples.resize(end_of_speech + 16000 * 2, 0);  // 2 s after, for the detector to hear it end
        const size_t step = 1600;
        turn_figures f;
        clock_type::time_point eos{};
        std::thread sender([&] {
            const auto start = clock_type::now();
            for (size_t at = 0; at < mic.samples.size(); at += step) {
                std::this_thread::sleep_until(start + std::chrono::milliseconds(100 * (at / step)));
                const size_t to = std::min(mic.samples.size(), at + step);
                send({{"type", "input_audio_buffer.append"}, {"audio", os1::base64_encode(pcm_bytes(mic, at, to))}});
                if (at < end_of_speech && to >= end_of_speech) {
                    // The end of speech is when its last sample would have left a microphone.
                    std::lock_guard<std::mutex> lock(mu_);
                    eos = start + std::chrono::microseconds(static_cast<int64_t>(end_of_speech * 1e6 / 16000));
                }
            }
        });
        std::vector<std::pair<clock_type::time_point, json>> seen;
        for (;;) {
            json e;
            try {
                e = read();
            } catch (const std::exception & x) {  // the server gone: say what came
                sender.join();
                std::string types;
                for (const auto & [t, ev] : seen) types += " " + ev.value("type", "?");
                throw std::runtime_error(std::string(x.what()) + "; the events of this turn:" + types);
            }
            seen.emplace_back(clock_type::now(), e);
            const std::string type = e.value("type", "");
            if (type == "response.done") {
                f.status = e["response"]["status"];
                break;
            }
            if (type == "error") std::fprintf(stderr, "error: %s\n", e.dump().c_str());
        }
        sender.join();
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto & [t, e] : seen) {
            const std::string type = e.value("type", "");
            if (type == "input_audio_buffer.speech_stopped" && f.vad_s < 0) f.vad_s = since(eos, t);
            if (type == "conversation.item.input_audio_transcription.completed") {
                f.transcript_s = since(eos, t);
                f.heard = e.value("transcript", "");
            }
            if (type == "response.audio.delta") {
                if (f.first_audio_s < 0) f.first_audio_s = since(eos, t);
                f.last_audio_s = since(eos, t);
            }
        }
        return f;
    }

private:
    void send(const json & e) {
        std::lock_guard<std::mutex> lock(write_mu_);
        ws_.text(true);
        ws_.write(boost::asio::buffer(e.dump()));
    }
    json read() {
        boost::beast::flat_buffer buf;
        ws_.read(buf);
        return json::parse(boost::beast::buffers_to_string(buf.data()));
    }
    void expect(const std::string & type) {
        for (;;) {
            const json e = read();
            if (e.value("type", "") == type) return;
            if (e.value("type", "") == "error") throw std::runtime_error(e.dump());
        }
    }

    boost::asio::io_context ioc_;
    websocket::stream<boost::asio::ip::tcp::socket> ws_;
    std::mutex write_mu_, mu_;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
    return v[i];
}

}  // namespace

int main(int argc, char ** argv) {
    CLI::App app{"issue 18's realtime figure: end of speech to the first reply audio, against the whole reply"};
    int port = 0, sessions = 1, turns = 5, max_tokens = 60;
    std::string token, label = "os1";
    std::vector<std::string> said = {"what will the weather be like tomorrow morning",
                                     "please remind me to call my sister on sunday",
                                     "read me the last letter i wrote",
                                     "how many messages are waiting for me",
                                     "tell me something nice about today"};
    app.add_option("--port", port, "the os1 serve to talk to")->required();
    app.add_option("--token", token, "an API token (none with --no-auth)");
    app.add_option("--sessions", sessions, "voice sessions at once")->capture_default_str();
    app.add_option("--turns", turns, "turns per session")->capture_default_str();
    app.add_option("--max-tokens", max_tokens, "max_response_output_tokens of each reply")->capture_default_str();
    app.add_option("--label", label, "the first column of the table")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    auto tts = os1::voice::tts_flite::open("slt");
    if (!tts) return std::fprintf(stderr, "%s\n", tts.error().message().c_str()), 1;
    std::vector<os1::voice::pcm_audio> speech;
    for (const auto & s : said) speech.push_back(os1::voice::resample((*tts)->synthesize(s).value(), 16000).value());

    std::mutex mu;
    std::vector<turn_figures> all;
    std::vector<std::thread> threads;
    for (int i = 0; i < sessions; ++i) {
        threads.emplace_back([&, i] {
            try {
                session s(port, token, max_tokens, "bench-" + std::to_string(i) + "-" + std::to_string(std::time(nullptr)));
                for (int t = 0; t < turns; ++t) {
                    const auto f = s.turn(speech[static_cast<size_t>(t + i) % speech.size()]);
                    std::lock_guard<std::mutex> lock(mu);
                    std::printf("session %d turn %d: %s, speech end -> stopped %.3f s, transcript %.3f s, first audio %.3f s, last audio %.3f s (heard \"%s\")\n",
                                i, t, f.status.c_str(), f.vad_s, f.transcript_s, f.first_audio_s, f.last_audio_s, f.heard.c_str());
                    std::fflush(stdout);
                    all.push_back(f);
                }
            } catch (const std::exception & e) {
                std::lock_guard<std::mutex> lock(mu);
                std::printf("session %d: ended: %s\n", i, e.what());
                std::fflush(stdout);
            }
        });
    }
    for (auto & t : threads) t.join();
    std::vector<double> vad, stt, first, last, ratio;
    for (const auto & f : all) {
        if (f.first_audio_s < 0) continue;
        vad.push_back(f.vad_s);
        stt.push_back(f.transcript_s);
        first.push_back(f.first_audio_s);
        last.push_back(f.last_audio_s);
        ratio.push_back(f.first_audio_s / f.last_audio_s);
    }
    std::printf("\n| system | sessions | turns | end of speech to: detected p50 | transcript p50 | first audio p50 | p95 | whole reply's audio p50 | p95 | first/whole p50 |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    std::printf("| %s | %d | %zu | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f |\n", label.c_str(), sessions, first.size(),
                percentile(vad, 0.5), percentile(stt, 0.5), percentile(first, 0.5), percentile(first, 0.95), percentile(last, 0.5),
                percentile(last, 0.95), percentile(ratio, 0.5));
    return first.size() == all.size() && !all.empty() ? 0 : 1;
}
