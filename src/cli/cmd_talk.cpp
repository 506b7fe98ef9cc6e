// os1 talk --in FILE: a spoken message in a sound file is heard (speech to
// text), answered by the companion as any typed message is (the same turn as
// os1 chat), and the reply spoken into --out (text to speech). os1 talk --mic:
// a voice call through this machine's microphone and speaker (talk_mic.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include "base/files.h"
#include "cli/built_server.h"
#include "cli/chat_loop.h"
#include "cli/commands.h"
#include "cli/local_data.h"
#include "cli/talk_mic.h"
#include "voice/audio.h"
#include "cli/voice_choice.h"
#include "voice/voice_set.h"

namespace os1::cli {
namespace {

struct talk_args {
    std::string in;
    std::string out;
    bool mic = false;
    bool list_devices = false;
    mic_call_options call;
};

// --mic: a call to the server at --server, or to one this command runs on
// loopback for the person at this machine (their memory, as os1 chat's). That
// one asks for a token made for this call alone (in a private folder that goes
// with it), so that no one else on the machine can reach the person's memory
// through its port.
int run_mic(const options & opts, talk_args a) {
    auto device = voice::audio_device::open(a.call.device);
    if (!device) return report(device.error());
    if (!a.call.url.empty()) {
        if (const char * key = std::getenv("OS1_API_KEY"); key && *key) a.call.token = key;
        return run_mic_call(a.call, **device);
    }
    char tmpl[] = "/tmp/os1-talk-XXXXXX";  // mkdtemp: mode 0700
    if (!mkdtemp(tmpl)) return report(status(status_code::io_error, "os1 talk: no private folder for the call's token"));
    const std::string folder = tmpl;
    struct cleanup {
        std::string dir;
        ~cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } gone{folder};
    serve_place place;
    place.users_file = folder + "/users.json";
    const std::string person = local_user(opts);
    auto built = build_server(opts, place);
    if (!built) return report(built.error());
    auto & b = **built;
    auto token = b.users->add(person);
    if (!token) return report(token.error().with_context("--user"));
    a.call.token = *token;
    std::thread serving([&b] { b.http->run(/*handle_signals=*/false); });
    a.call.url = "http://127.0.0.1:" + std::to_string(b.http->port()) + "/v1";
    std::fprintf(stderr, "os1 talk: talking with %s as %s\n", b.model_path.c_str(), person.c_str());
    const int code = run_mic_call(a.call, **device);
    b.http->stop();
    serving.join();
    return code;
}

int run_talk(const options & opts, const talk_args & a) {
    // Everything that can be refused is checked before the model loads.
    std::error_code ec;
    constexpr uintmax_t most_bytes = uintmax_t{256} << 20;  // ten minutes of 48 kHz stereo WAV fit
    if (const auto size = std::filesystem::file_size(a.in, ec); !ec && size > most_bytes) {
        return report(status(status_code::resource_exhausted, a.in + ": " + std::to_string(size >> 20) +
                                                                  " MiB is more audio than os1 talk takes (256 MiB)"));
    }
    auto bytes = read_file(a.in);
    if (!bytes) return report(bytes.error());
    auto audio = voice::decode_audio(*bytes);
    if (!audio) return report(audio.error().with_context(a.in));
    auto voices = voice::voice_set::open(voice_settings_of(opts.voice));
    if (!voices) return report(voices.error());
    std::shared_ptr<voice::tts_i> tts;
    if (!a.out.empty()) {
        auto t = (*voices)->speaker("", "");
        if (!t) return report(t.error().with_context("--voice"));
        tts = std::move(*t);
    }
    auto stt = (*voices)->recognizer("");
    if (!stt) return report(stt.error());
    auto heard = (*stt)->transcribe(*audio);
    if (!heard) return report(heard.error().with_context(a.in));
    if (heard->text.empty()) {
        return report(status(status_code::invalid_argument, a.in + ": no words were heard in its " +
                                                                std::to_string(static_cast<int>(audio->seconds() + 0.5)) + " s"));
    }
    std::printf("you> %s\n", heard->text.c_str());
    std::fflush(stdout);

    auto opened = terminal_conversation::open(opts);
    if (!opened) return report(opened.error());
    terminal_conversation & conversation = **opened;
    install_sigint();
    conversation.greet();
    conversation.start();
    std::string reply;
    if (!conversation.turn(heard->text, false, &reply)) return exit_failure;
    conversation.learn();
    if (!tts) return exit_ok;
    auto spoken = tts->synthesize(reply);
    if (!spoken) return report(spoken.error().with_context("speaking the reply"));
    auto wav = voice::encode_wav(*spoken);
    if (!wav) return report(wav.error());
    if (auto st = write_file_atomic(a.out, *wav); !st) return report(st);
    std::fprintf(stderr, "os1 talk: the reply, spoken (%.1f s, %s), is in %s\n", spoken->seconds(), tts->name().c_str(), a.out.c_str());
    return exit_ok;
}

}  // namespace

void add_talk_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<talk_args>();
    auto * cmd = root.add_subcommand("talk", "say something in a sound file and hear the reply: speech in, speech out");
    auto * in = cmd->add_option("--in", args->in, "what you say: a WAV, FLAC or OGG file (English, heard offline unless --stt remote)");
    cmd->add_option("--out", args->out, "where the spoken reply goes (WAV)")->needs(in);
    auto * mic = cmd->add_flag("--mic", args->mic, "a voice call through this machine's microphone and speaker (PortAudio)");
    auto * list = cmd->add_flag("--list-devices", args->list_devices, "list the microphones and speakers --mic can use");
    in->excludes(mic)->excludes(list);
    mic->excludes(list);
    cmd->add_flag("--push-to-talk", args->call.push_to_talk, "with --mic: Enter starts talking and Enter sends (default: hands-free)")->needs(mic);
    cmd->add_flag("--wake-word", args->call.wake_word, "with --mic: answer only after the OS's name with you")->needs(mic);
    cmd->add_option("--server", args->call.url, "with --mic: call the OS1 server at this URL (http://HOST:PORT/v1; "
                                                "its token in OS1_API_KEY) instead of running one here")->needs(mic);
    cmd->add_option("--conversation", args->call.conversation, "with --mic: the conversation to talk in")
        ->default_str("voice")->needs(mic);
    cmd->add_option("--input-device", args->call.device.input, "with --mic: the microphone (a part of its name)")->needs(mic);
    cmd->add_option("--output-device", args->call.device.output, "with --mic: the speaker (a part of its name)")->needs(mic);
    for (const char * flag : {"--model", "--system", "--seed", "--temp", "--top-p", "--max-tokens", "--ctx", "--threads", "--batch",
                              "--user", "--no-memory", "--recall-items", "--recall-words", "--recall-words-later", "--recall-floor",
                              "--distill-every", "--embed-model", "--plain", "--character", "--no-onboarding", "--default-name",
                              "--feelings", "--evolve-every", "--no-initiative", "--voice", "--stt", "--stt-url", "--stt-model",
                              "--tts", "--tts-url", "--tts-model", "--voice-key-env"}) {
        ctx.add_setting(cmd, flag);
    }
    cmd->callback([&ctx, args] {
        ctx.run = [args](const options & o) {
            if (args->list_devices) {
                auto all = voice::audio_device::list();
                if (!all) return report(all.error());
                if (all->empty()) std::puts("no audio devices");
                for (const auto & d : *all) std::puts(d.c_str());
                return exit_ok;
            }
            if (args->mic) return run_mic(o, *args);
            if (args->in.empty()) return report(status(status_code::invalid_argument, "os1 talk needs --in FILE or --mic"));
            return run_talk(o, *args);
        };
    });
}

}  // namespace os1::cli
