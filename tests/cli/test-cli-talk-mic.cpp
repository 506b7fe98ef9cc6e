// os1 talk --mic: a voice call from the terminal through PortAudio, on a
// machine without a sound card: ALSA's file plugin is the microphone (reading
// what the person says from a file, in time) and the speaker (writing what is
// played to a file), set up in the test's own ~/.asoundrc.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/files.h"
#include "cli/cli_test.h"
#include "voice/audio.h"
#include "voice/tts_flite.h"

namespace os1::test {
namespace {

constexpr int mic_rate = 16000;
const std::string question = "what will the weather be like tomorrow";

// What the microphone hears at 16 kHz: each piece's silence (seconds) and then
// its words, then TAIL_S of silence; the byte each piece's speech ends at.
std::string mic_recording(const std::vector<std::pair<double, std::string>> & pieces, double tail_s,
                          std::vector<size_t> * speech_ends) {
    auto tts = voice::tts_flite::open("slt");
    std::vector<int16_t> all;
    for (const auto & [silence_s, words] : pieces) {
        all.resize(all.size() + static_cast<size_t>(silence_s * mic_rate), 0);
        auto spoken = voice::resample((*tts)->synthesize(words).value(), mic_rate).value();
        all.insert(all.end(), spoken.samples.begin(), spoken.samples.end());
        speech_ends->push_back(all.size() * 2);
    }
    all.resize(all.size() + static_cast<size_t>(tail_s * mic_rate), 0);
    std::string bytes(all.size() * 2, '\0');
    for (size_t i = 0; i < all.size(); ++i) {
        bytes[2 * i] = static_cast<char>(static_cast<uint16_t>(all[i]) & 0xff);
        bytes[2 * i + 1] = static_cast<char>(static_cast<uint16_t>(all[i]) >> 8);
    }
    return bytes;
}

// HOME's sound card: the microphone reads MIC, the speaker writes SPEAKER (raw 24 kHz).
void fake_sound_card(const temp_dir & home, const std::string & mic, const std::string & speaker) {
    std::ostringstream rc;
    rc << "pcm.!default { type asym capture.pcm \"os1mic\" playback.pcm \"os1speaker\" }\n"
       << "pcm.os1mic { type plug slave { pcm \"os1micfile\" format S16_LE rate " << mic_rate << " channels 1 } }\n"
       << "pcm.os1micfile { type file slave.pcm \"null\" file \"/dev/null\" infile \"" << mic << "\" format \"raw\" }\n"
       << "pcm.os1speaker { type plug slave { pcm \"os1speakerfile\" format S16_LE rate 24000 channels 1 } }\n"
       << "pcm.os1speakerfile { type file slave.pcm \"null\" file \"" << speaker << "\" format \"raw\" }\n";
    ASSERT_TRUE(write_file_atomic(home.file(".asoundrc"), rc.str()));
}

bool wait_until(const std::function<bool()> & done, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

uintmax_t size_of(const std::string & path) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : n;
}

// How far process PID has read into the file at PATH (its offset there), 0 before it opened it.
uintmax_t read_offset(int pid, const std::string & path) {
    std::error_code ec;
    for (const auto & fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::error_code e2;
        if (std::filesystem::read_symlink(fd.path(), e2) != path) continue;
        std::ifstream info("/proc/" + std::to_string(pid) + "/fdinfo/" + fd.path().filename().string());
        std::string key;
        uintmax_t pos = 0;
        if (info >> key >> pos && key == "pos:") return pos;
    }
    return 0;
}

std::unique_ptr<background_process> talk_mic(const temp_dir & home, std::vector<std::string> extra, bool with_stdin = false) {
    std::vector<std::string> argv = {OS1_BINARY, "talk", "--mic", "--model", tiny_model_path(), "--user", "ada", "--seed", "7"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<background_process>(argv, isolated_env(home), with_stdin);
}

// The texts of the OS's memories of ada's conversation, in full, oldest first.
std::vector<std::string> replies_kept(const temp_dir & home) {
    const auto listed = os1(home, {"memory", "list", "--user", "ada"});
    std::istringstream lines(listed.out);
    std::string line;
    std::vector<std::string> out;
    while (std::getline(lines, line)) {
        if (line.find("  OS1  ") == std::string::npos) continue;
        const auto shown = os1(home, {"memory", "show", line.substr(0, line.find(' ')), "--user", "ada"});
        std::string text = shown.out.substr(shown.out.find('\n') + 1);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        text.erase(0, text.find_first_not_of(' '));
        out.insert(out.begin(), text);
    }
    return out;
}

std::string newest_reply(const temp_dir & home) {
    const auto all = replies_kept(home);
    return all.empty() ? "" : all.back();
}

// What was printed of the reply after the Nth "you> " line (0 the first), without the interruption's mark.
std::string reply_written(const std::string & out, size_t n) {
    size_t you = out.find("you> ");
    for (size_t i = 0; i < n && you != std::string::npos; ++i) you = out.find("you> ", you + 1);
    if (you == std::string::npos) return "";
    const size_t from = out.find('\n', you) + 1;
    std::string written = out.substr(from, out.find("you> ", from) - from);
    while (!written.empty() && (written.back() == '\n' || written.back() == ' ')) written.pop_back();
    const std::string cut = " [interrupted]";
    if (written.size() >= cut.size() && written.compare(written.size() - cut.size(), cut.size(), cut) == 0) {
        written.resize(written.size() - cut.size());
    }
    written.erase(0, written.find_first_not_of(' '));
    return written;
}

// KEPT is the start of WRITTEN, and much shorter: what was played, not what was written.
void expect_only_the_played_start(const std::string & kept, const std::string & written) {
    ASSERT_FALSE(kept.empty()) << written;
    EXPECT_LT(kept.size() + 20, written.size()) << "kept: " << kept << "\nwritten: " << written;
    EXPECT_EQ(written.find(kept.substr(0, kept.find(' '))), 0u) << "kept: " << kept << "\nwritten: " << written;
}

TEST(cli_talk_mic, hands_free_the_question_is_heard_answered_spoken_and_remembered) {
    temp_dir home;
    std::vector<size_t> speech_ends;
    ASSERT_TRUE(write_file_atomic(home.file("mic.raw"), mic_recording({{1.0, question}}, 30.0, &speech_ends)));
    fake_sound_card(home, home.file("mic.raw"), home.file("speaker.raw"));
    auto call = talk_mic(home, {"--max-tokens", "12"});
    // The reply is written out whole (its line ends) and its audio reaches the speaker.
    const auto answered = [&] {
        const std::string out = call->out();
        const size_t you = out.find("you> ");
        return you != std::string::npos && out.find('\n', out.find('\n', you) + 1) != std::string::npos &&
               size_of(home.file("speaker.raw")) > 24000;  // half a second at 24 kHz
    };
    ASSERT_TRUE(wait_until(answered, 120000)) << call->out() << call->err();
    EXPECT_NE(call->out().find("weather be like tomorrow"), std::string::npos) << call->out();
    EXPECT_NE(call->err().find("listening: just speak"), std::string::npos) << call->err();
    call->signal(SIGINT);
    EXPECT_EQ(call->wait(30000), 0) << call->err();
    EXPECT_NE(call->err().find("the call ended"), std::string::npos) << call->err();
    const auto listed = os1(home, {"memory", "list", "--user", "ada"});
    EXPECT_NE(listed.out.find("weather be like tomorrow"), std::string::npos) << listed.out;
}

TEST(cli_talk_mic, push_to_talk_and_enter_over_the_reply_stops_it_where_it_was_heard) {
    temp_dir home;
    std::vector<size_t> speech_ends;
    ASSERT_TRUE(write_file_atomic(home.file("mic.raw"), mic_recording({{2.0, question}}, 60.0, &speech_ends)));
    fake_sound_card(home, home.file("mic.raw"), home.file("speaker.raw"));
    auto call = talk_mic(home, {"--push-to-talk", "--max-tokens", "60"}, true);
    ASSERT_TRUE(wait_until([&] { return call->err().find("press Enter to talk") != std::string::npos; }, 120000)) << call->err();
    call->write_stdin("\n");  // talk (within the two seconds of silence before the question)
    ASSERT_TRUE(wait_until([&] { return read_offset(call->pid(), home.file("mic.raw")) > speech_ends[0] + mic_rate; }, 60000))
        << call->err();
    call->write_stdin("\n");  // send
    // Enter again once the reply is stored whole (the server is done with it)
    // and 2.5 s of it have been played (past its first phrase, which may be
    // one long made-up word, and words are kept whole): it stops there, and
    // only what was played is kept (the client's truncate; the server alone
    // would keep it all).
    ASSERT_TRUE(wait_until([&] { return size_of(home.file("speaker.raw")) > 120000 && !newest_reply(home).empty(); }, 120000))
        << call->out() << call->err();
    const uintmax_t played = size_of(home.file("speaker.raw"));
    call->write_stdin("\n");
    call->write_stdin("q\n");
    EXPECT_EQ(call->wait(30000), 0) << call->err();
    EXPECT_EQ(call->err().find("os1 talk: there is"), std::string::npos) << call->err();  // no event the server refused
    const std::string out = call->out();
    ASSERT_NE(out.find("you> "), std::string::npos) << out << call->err();
    EXPECT_NE(out.find("weather be like tomorrow"), std::string::npos) << out;
    // The speaker stopped at once: at most 300 ms more (the device's buffer, Enter's way there).
    EXPECT_LE(size_of(home.file("speaker.raw")), played + 24000 * 2 * 3 / 10) << out;
    // Memory keeps the words heard: the start of the reply as written, not all of it.
    expect_only_the_played_start(newest_reply(home), reply_written(out, 0));
}

TEST(cli_talk_mic, hands_free_speaking_over_the_reply_stops_it_and_only_the_played_part_is_kept) {
    temp_dir home;
    std::vector<size_t> speech_ends;
    // The second words come 15 s after the question: while its long reply
    // plays (it starts within a few seconds, also on a loaded machine, and
    // 120 tokens take longer than that to say).
    ASSERT_TRUE(write_file_atomic(home.file("mic.raw"),
                                  mic_recording({{1.0, question}, {15.0, "please stop there"}}, 30.0, &speech_ends)));
    fake_sound_card(home, home.file("mic.raw"), home.file("speaker.raw"));
    auto call = talk_mic(home, {"--max-tokens", "120"});
    // The second words are answered: the newest memory is the OS's, after two of ada's.
    const auto second_answered = [&] {
        const std::string listed = os1(home, {"memory", "list", "--user", "ada"}).out;
        size_t hers = 0;
        for (size_t at = listed.find("  ada  "); at != std::string::npos; at = listed.find("  ada  ", at + 1)) ++hers;
        return hers == 2 && listed.find("  OS1  ") < listed.find("  ada  ");
    };
    ASSERT_TRUE(wait_until(second_answered, 180000)) << call->out() << call->err();
    call->signal(SIGINT);
    EXPECT_EQ(call->wait(30000), 0) << call->err();
    const std::string out = call->out();
    EXPECT_NE(out.find("weather be like tomorrow"), std::string::npos) << out;
    const auto kept = replies_kept(home);
    if (kept.size() < 2) {  // nothing of the first reply was played before the second words (a very slow machine)
        GTEST_SKIP() << "the second words came before any of the first reply was played: nothing to truncate\n" << out;
    }
    expect_only_the_played_start(kept.front(), reply_written(out, 0));
}

TEST(cli_talk_mic, a_device_it_cannot_find_is_named) {
    temp_dir home;
    fake_sound_card(home, home.file("mic.raw"), home.file("speaker.raw"));
    ASSERT_TRUE(write_file_atomic(home.file("mic.raw"), std::string(3200, '\0')));
    const auto listed = os1(home, {"talk", "--list-devices"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("os1mic"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("[default microphone]"), std::string::npos) << listed.out;
    const auto r = os1(home, {"talk", "--mic", "--model", tiny_model_path(), "--input-device", "no-such-mic"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("no input device is named 'no-such-mic'"), std::string::npos) << r.err;
    const auto far = os1(home, {"talk", "--mic", "--server", "https://example.org/v1"});
    EXPECT_NE(far.exit_code, 0);
    EXPECT_NE(far.err.find("does not speak TLS"), std::string::npos) << far.err;
    const auto none = os1(home, {"talk", "--mic", "--server", "http://127.0.0.1:" + std::to_string(free_port()) + "/v1"});
    EXPECT_NE(none.exit_code, 0);
    EXPECT_NE(none.err.find("no OS1 server answers"), std::string::npos) << none.err;
    const auto neither = os1(home, {"talk"});
    EXPECT_NE(neither.err.find("--in FILE or --mic"), std::string::npos) << neither.err;
}

}  // namespace
}  // namespace os1::test
