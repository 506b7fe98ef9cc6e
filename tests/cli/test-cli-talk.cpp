// os1 talk: speech in a file is heard, answered by the same turn as os1 chat
// (remembered as the person's words), and the reply spoken into a WAV; input
// it cannot hear is refused in one line before any model loads.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "cli/cli_test.h"
#include "llm/model_files.h"
#include "voice/audio.h"
#include "voice/tts_flite.h"

namespace os1::test {
namespace {

// SAID spoken by flite into a WAV file at PATH.
void speak_into(const std::string & said, const std::string & path) {
    auto tts = voice::tts_flite::open("slt");
    ASSERT_TRUE(tts);
    auto audio = (*tts)->synthesize(said);
    ASSERT_TRUE(audio);
    auto wav = voice::encode_wav(*audio);
    ASSERT_TRUE(wav);
    ASSERT_TRUE(write_file_atomic(path, *wav));
}

TEST(cli_talk, speech_in_is_heard_answered_remembered_and_the_reply_spoken) {
    temp_dir home;
    speak_into("hello how are you today", home.file("in.wav"));
    const auto r = os1(home, {"talk", "--model", tiny_model_path(), "--user", "ada", "--in", home.file("in.wav"), "--out",
                              home.file("out.wav"), "--max-tokens", "12", "--temp", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("you> hello how are you today\n", 0), 0u) << r.out;
    EXPECT_NE(r.err.find("the reply, spoken"), std::string::npos) << r.err;
    auto wav = read_file(home.file("out.wav"));
    ASSERT_TRUE(wav);
    auto spoken = voice::decode_audio(*wav);
    ASSERT_TRUE(spoken) << spoken.error().message();
    EXPECT_GT(spoken->seconds(), 0.2);
    // Remembered as what ada said, as a typed message is.
    const auto listed = os1(home, {"memory", "list", "--user", "ada"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("hello how are you today"), std::string::npos) << listed.out;
}

TEST(cli_talk, another_os1_serve_hears_and_speaks_for_it) {
    temp_dir home, far;
    const int port = free_port();
    auto srv = serve(far, port, {"--no-auth", "--parallel", "1"});
    ASSERT_TRUE(wait_healthy(port, 20000)) << srv->err();
    speak_into("hello how are you today", home.file("in.wav"));
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
    const auto r = os1(home, {"talk", "--model", tiny_model_path(), "--user", "ada", "--in", home.file("in.wav"), "--out",
                              home.file("out.wav"), "--max-tokens", "12", "--temp", "0", "--stt", "remote", "--stt-url", url,
                              "--tts", "remote", "--tts-url", url, "--voice", "rms"});
    ASSERT_EQ(r.exit_code, 0) << r.err << srv->err();
    EXPECT_EQ(r.out.rfind("you> hello how are you today\n", 0), 0u) << r.out;
    EXPECT_NE(r.err.find("remote (tts-1 at 127.0.0.1:" + std::to_string(port) + ") voice rms"), std::string::npos) << r.err;
    auto spoken = voice::decode_audio(read_file(home.file("out.wav")).value());
    ASSERT_TRUE(spoken) << spoken.error().message();
    EXPECT_GT(spoken->seconds(), 0.2);
}

void expect_refused(const process_result & r, const std::string & says) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("os1: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(cli_talk, what_cannot_be_heard_is_refused_in_one_line_before_the_model_loads) {
    temp_dir home;
    // No model is given: each refusal comes before one would be needed.
    expect_refused(os1(home, {"talk", "--in", home.file("missing.wav")}), "missing.wav");
    ASSERT_TRUE(write_file_atomic(home.file("noise.wav"), std::string(4096, '\x5a')));
    expect_refused(os1(home, {"talk", "--in", home.file("noise.wav")}), "WAV, FLAC or OGG");
    speak_into("hello", home.file("hello.wav"));
    auto wav = read_file(home.file("hello.wav"));
    ASSERT_TRUE(wav);
    ASSERT_TRUE(write_file_atomic(home.file("cut.wav"), wav->substr(0, wav->size() / 2)));
    expect_refused(os1(home, {"talk", "--in", home.file("cut.wav")}), "breaks off");
    expect_refused(os1(home, {"talk", "--in", home.file("hello.wav"), "--out", home.file("o.wav"), "--voice", "hal9000"}),
                   "(--voice) 'hal9000' is not one of flite's (slt, rms, awb and kal16)");
    expect_refused(os1(home, {"talk", "--in", home.file("hello.wav"), "--stt", "whisper"}), "(--stt) 'whisper'");
    expect_refused(os1(home, {"talk", "--in", home.file("hello.wav"), "--stt", "remote"}), "--stt-url");
    std::filesystem::resize_file(home.file("noise.wav"), uintmax_t{300} << 20);  // sparse: nothing is written
    expect_refused(os1(home, {"talk", "--in", home.file("noise.wav")}), "300 MiB is more audio than os1 talk takes");
    voice::pcm_audio quiet{16000, std::vector<int16_t>(32000, 0)};
    ASSERT_TRUE(write_file_atomic(home.file("quiet.wav"), *voice::encode_wav(quiet)));
    expect_refused(os1(home, {"talk", "--in", home.file("quiet.wav")}), "no words were heard");
}

}  // namespace
}  // namespace os1::test
