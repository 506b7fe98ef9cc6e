#include "cli/talk_mic.h"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/base64.h"
#include "cli/cli_context.h"
#include "server/realtime_client.h"

namespace os1::cli {
namespace {

using json = nlohmann::json;

int signal_pipe[2] = {-1, -1};  // Ctrl-C and the end of the call wake the waiting thread
std::atomic<int> exit_code{exit_ok};

void on_signal(int) {
    const char c = 's';
    [[maybe_unused]] const auto n = write(signal_pipe[1], &c, 1);
}

void wake_main() {
    const char c = 'e';
    [[maybe_unused]] const auto n = write(signal_pipe[1], &c, 1);
}

std::string little_endian(const std::vector<int16_t> & samples) {
    std::string bytes(samples.size() * 2, '\0');
    for (size_t i = 0; i < samples.size(); ++i) {
        const auto v = static_cast<uint16_t>(samples[i]);
        bytes[2 * i] = static_cast<char>(v & 0xff);
        bytes[2 * i + 1] = static_cast<char>(v >> 8);
    }
    return bytes;
}

class mic_call {
public:
    mic_call(const mic_call_options & o, voice::audio_device & device) : o_(o), device_(device) {}

    void attach(server::realtime_client * client) { client_ = client; }

    // The session's settings: the microphone's rate, who decides when a turn ends.
    void configure() {
        json session = {{"input_audio_format", "pcm16"},
                        {"input_audio_rate", device_.input_rate_hz()},
                        {"wake_word", o_.wake_word}};
        session["turn_detection"] = o_.push_to_talk ? json(nullptr) : json{{"type", "server_vad"}};
        send({{"type", "session.update"}, {"session", session}});
    }

    // The microphone, read until the call ends; in push to talk only what is said while recording is sent.
    void capture(const std::atomic<bool> & over) {
        const size_t frames = static_cast<size_t>(device_.input_rate_hz() / 10);  // 100 ms an event
        // A device that gives audio faster than it happens (a file, a loopback
        // without a clock) is read in time, as a microphone would be.
        const auto start = std::chrono::steady_clock::now();
        int64_t read_ms = 0;
        while (!over) {
            const auto due = start + std::chrono::milliseconds(read_ms);
            if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
            read_ms += 100;
            auto heard = device_.read(frames);
            if (!heard) {
                report(heard.error());
                exit_code = exit_failure;
                wake_main();
                return;
            }
            if (o_.push_to_talk && !recording_) continue;
            send({{"type", "input_audio_buffer.append"}, {"audio", base64_encode(little_endian(*heard))}});
        }
    }

    // Enter in push to talk: start talking (over the OS, which stops), or send what was said.
    void toggle_recording() {
        if (!recording_) {
            interrupt(true);
            recording_ = true;
            std::fputs("os1 talk: listening... (Enter sends)\n", stderr);
        } else {
            recording_ = false;
            send({{"type", "input_audio_buffer.commit"}});
            send({{"type", "response.create"}});
        }
    }

    void on_event(const std::string & text) {
        const json ev = json::parse(text, nullptr, false);
        if (!ev.is_object()) return;
        const std::string type = ev.value("type", "");
        std::lock_guard<std::mutex> lock(mu_);
        if (type == "session.updated" && !ready_) {
            ready_ = true;
            std::fputs(o_.push_to_talk ? "os1 talk: press Enter to talk and Enter again to send; q or Ctrl-C ends the call\n"
                                       : "os1 talk: listening: just speak (Ctrl-C ends the call)\n",
                       stderr);
        } else if (type == "input_audio_buffer.speech_started") {
            interrupt_locked(false);  // the server cancels the reply itself
        } else if (type == "conversation.item.input_audio_transcription.completed") {
            const std::string words = ev.value("transcript", "");
            if (!words.empty()) std::printf("you> %s\n", words.c_str());
        } else if (type == "conversation.item.input_audio_transcription.failed") {
            std::fprintf(stderr, "os1 talk: not heard: %s\n", ev.value("/error/message"_json_pointer, std::string("")).c_str());
        } else if (type == "response.created") {
            responding_ = true;
            item_.clear();
            writing_ = false;
            device_.reset_played();
        } else if (type == "response.output_item.added") {
            item_ = ev.value("/item/id"_json_pointer, std::string(""));
        } else if (type == "response.audio_transcript.delta" || type == "response.text.delta") {
            const std::string delta = ev.value("delta", "");
            std::fwrite(delta.data(), 1, delta.size(), stdout);
            writing_ = true;
        } else if (type == "response.audio.delta") {
            const auto bytes = base64_decode(ev.value("delta", ""));
            if (bytes && bytes->size() % 2 == 0) {
                voice::pcm_audio a;
                a.rate_hz = 24000;
                a.samples.resize(bytes->size() / 2);
                for (size_t i = 0; i < a.samples.size(); ++i) {
                    a.samples[i] = static_cast<int16_t>(static_cast<uint8_t>((*bytes)[2 * i]) |
                                                        (static_cast<uint8_t>((*bytes)[2 * i + 1]) << 8));
                }
                if (auto st = device_.play(a); !st) report(st);
            }
        } else if (type == "response.done") {
            responding_ = false;
            const std::string st = ev.value("/response/status"_json_pointer, std::string(""));
            if (writing_) std::fputs(st == "cancelled" ? " [interrupted]\n" : "\n", stdout);
            writing_ = false;
            if (st == "failed") {
                std::fprintf(stderr, "os1 talk: the reply failed: %s\n",
                             ev.value("/response/status_details/error/message"_json_pointer, std::string("")).c_str());
            }
        } else if (type == "error") {
            std::fprintf(stderr, "os1 talk: %s\n", ev.value("/error/message"_json_pointer, std::string("")).c_str());
        } else if (type == "os1.wake_word.listening") {
            std::fprintf(stderr, "os1 talk: say \"%s\" to talk to me\n", ev.value("name", "").c_str());
        } else if (type == "os1.wake_word.heard") {
            std::fputs("os1 talk: (listening)\n", stderr);
        }
        std::fflush(stdout);
    }

private:
    void send(const json & ev) {
        if (client_) client_->send(ev.dump());
    }
    void interrupt(bool cancel) {
        std::lock_guard<std::mutex> lock(mu_);
        interrupt_locked(cancel);
    }
    // What is playing stops at once and the server learns how much was heard.
    void interrupt_locked(bool cancel) {
        if (!device_.playing()) return;
        const int64_t heard_ms = device_.played_ms();
        device_.stop_playing();
        if (cancel && responding_) send({{"type", "response.cancel"}});
        if (!item_.empty()) {
            send({{"type", "conversation.item.truncate"}, {"item_id", item_}, {"content_index", 0}, {"audio_end_ms", heard_ms}});
        }
    }

    const mic_call_options & o_;
    voice::audio_device & device_;
    server::realtime_client * client_ = nullptr;
    std::mutex mu_;
    std::atomic<bool> recording_{false};
    bool ready_ = false;
    bool writing_ = false;     // a reply's text is being printed
    bool responding_ = false;  // between response.created and response.done
    std::string item_;      // the reply's item, for truncation
};

}  // namespace

int run_mic_call(const mic_call_options & o, voice::audio_device & device) {
    if (pipe(signal_pipe) != 0) return report(status(status_code::io_error, "os1 talk: no pipe for signals"));
    mic_call call(o, device);
    std::atomic<bool> over{false};
    std::mutex gone_mu;
    std::condition_variable gone_cv;
    bool gone = false;  // the connection is closed
    auto client = server::realtime_client::connect(
        o.url, o.token, o.conversation, [&call](const std::string & ev) { call.on_event(ev); },
        [&](const status & why) {
            if (!why) {
                report(why);
                exit_code = exit_failure;
            }
            over = true;
            wake_main();
            std::lock_guard<std::mutex> lock(gone_mu);
            gone = true;
            gone_cv.notify_all();
        });
    if (!client) return report(client.error());
    call.attach(client->get());
    call.configure();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::thread mic([&] { call.capture(over); });

    std::string line;
    bool stdin_open = o.push_to_talk;
    while (!over) {
        pollfd fds[2] = {{signal_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (poll(fds, stdin_open ? 2 : 1, -1) < 0) continue;
        if (fds[0].revents & POLLIN) {
            char c = 0;
            if (read(signal_pipe[0], &c, 1) == 1 && c == 's') break;  // Ctrl-C
            continue;                                                  // the call ended (over is set)
        }
        if (!stdin_open || !(fds[1].revents & (POLLIN | POLLHUP))) continue;
        char buf[256];
        const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) break;  // the end of the input ends the call
        bool quit = false;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] != '\n') {
                line += buf[i];
                continue;
            }
            if (line == "q" || line == "quit") quit = true;
            else call.toggle_recording();
            line.clear();
        }
        if (quit) break;
    }
    over = true;
    (*client)->close();
    {
        std::unique_lock<std::mutex> lock(gone_mu);  // a server that does not answer the close is not waited for long
        gone_cv.wait_for(lock, std::chrono::seconds(2), [&] { return gone; });
    }
    mic.join();  // the microphone's next read returns within 100 ms
    client->reset();
    std::fputs("os1 talk: the call ended\n", stderr);
    return exit_code;
}

}  // namespace os1::cli
