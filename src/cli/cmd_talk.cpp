// os1 talk --in FILE: a spoken message in a sound file is heard (speech to
// text), answered by the companion as any typed message is (the same turn as
// os1 chat), and the reply spoken into --out (text to speech).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "base/files.h"
#include "cli/chat_loop.h"
#include "cli/commands.h"
#include "voice/audio.h"
#include "cli/voice_choice.h"
#include "voice/voice_set.h"

namespace os1::cli {
namespace {

struct talk_args {
    std::string in;
    std::string out;
};

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
    cmd->add_option("--in", args->in, "what you say: a WAV, FLAC or OGG file (English, heard offline unless --stt remote)")->required();
    cmd->add_option("--out", args->out, "where the spoken reply goes (WAV)");
    for (const char * flag : {"--model", "--system", "--seed", "--temp", "--top-p", "--max-tokens", "--ctx", "--threads", "--batch",
                              "--user", "--no-memory", "--recall-items", "--recall-words", "--recall-words-later", "--recall-floor",
                              "--distill-every", "--embed-model", "--plain", "--character", "--no-onboarding", "--default-name",
                              "--feelings", "--evolve-every", "--no-initiative", "--voice", "--stt", "--stt-url", "--stt-model",
                              "--tts", "--tts-url", "--tts-model", "--voice-key-env"}) {
        ctx.add_setting(cmd, flag);
    }
    cmd->callback([&ctx, args] { ctx.run = [args](const options & o) { return run_talk(o, *args); }; });
}

}  // namespace os1::cli
