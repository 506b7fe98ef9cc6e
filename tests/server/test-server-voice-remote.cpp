// The remote recognizer and voice (voice/stt_remote, voice/tts_remote) against
// a real server speaking OpenAI's audio protocol: a second OS1 server on
// loopback, whose token the first signs in with.
#include <gtest/gtest.h>

#include <sstream>

#include "server/running_server.h"
#include "support/http_client.h"
#include "voice/audio.h"
#include "voice/tts_flite.h"

namespace os1::server {
namespace {

using test::bearer;
using test::fake_server_test;
using test::http_request;
using json = nlohmann::json;

std::string upload(const std::string & wav, const std::string & format) {
    return "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n" + wav +
           "\r\n--b\r\nContent-Disposition: form-data; name=\"response_format\"\r\n\r\n" + format + "\r\n--b--\r\n";
}

std::map<std::string, std::string> form_headers(const std::string & token) {
    auto h = bearer(token);
    h["Content-Type"] = "multipart/form-data; boundary=b";
    return h;
}

class remote_voice : public fake_server_test {
protected:
    // A server whose recognizer and voice are the server at PORT's.
    std::unique_ptr<test::running_server> client_of(int port, const std::string & key, const std::string & sub) {
        server_options so;
        so.voice_engines.stt = "remote";
        so.voice_engines.tts = "remote";
        so.voice_engines.voice = "rms";
        so.voice_engines.remote_stt = {"http://127.0.0.1:" + std::to_string(port) + "/v1", "whisper-1", key};
        so.voice_engines.remote_tts = {"http://127.0.0.1:" + std::to_string(port) + "/v1/", "tts-1", key};
        return start(so, {}, sub);
    }
};

TEST_F(remote_voice, a_server_hears_and_speaks_through_another) {
    auto far = start({}, {}, "far");
    const auto far_token = *far->users->add("os1-near");
    auto near = client_of(far->port(), far_token, "near");
    const auto token = *near->users->add("ada");

    const std::string said = "what is the weather like";
    auto tts = voice::tts_flite::open("slt");
    const std::string wav = voice::encode_wav((*tts)->synthesize(said).value()).value();
    const auto heard = http_request(near->port(), "POST", "/v1/audio/transcriptions", upload(wav, "verbose_json"), form_headers(token));
    ASSERT_EQ(heard.status, 200) << heard.body;
    const json v = json::parse(heard.body);
    // The far server's words, segments and word times came through.
    const auto direct = http_request(far->port(), "POST", "/v1/audio/transcriptions", upload(wav, "json"), form_headers(far_token));
    ASSERT_EQ(direct.status, 200) << direct.body;
    EXPECT_EQ(v["text"], json::parse(direct.body)["text"]);
    EXPECT_FALSE(v["text"].get<std::string>().empty());
    ASSERT_EQ(v["segments"].size(), 1u);
    EXPECT_EQ(v["segments"][0]["text"], v["text"]);

    // Speech: the near server asks the far one for WAV and streams its own format.
    const auto speech = http_request(near->port(), "POST", "/v1/audio/speech",
                                     json({{"input", "Hello. How are you?"}, {"response_format", "flac"}}).dump(), bearer(token));
    ASSERT_EQ(speech.status, 200) << speech.body;
    EXPECT_EQ(speech.headers.at("content-type"), "audio/flac");
    auto audio = voice::decode_audio(speech.body);
    ASSERT_TRUE(audio) << audio.error().message();
    EXPECT_GT(audio->seconds(), 1.0);
    // Its default voice (rms) went to the far server, which spoke it: as long as the far server's own rms.
    const json body = {{"input", "Hello. How are you?"}, {"response_format", "wav"}};
    const auto near_wav = http_request(near->port(), "POST", "/v1/audio/speech", body.dump(), bearer(token));
    json far_body = body;
    far_body["voice"] = "rms";
    const auto far_rms = http_request(far->port(), "POST", "/v1/audio/speech", far_body.dump(), bearer(far_token));
    far_body["voice"] = "slt";
    const auto far_slt = http_request(far->port(), "POST", "/v1/audio/speech", far_body.dump(), bearer(far_token));
    const auto samples = [](const std::string & file) { return voice::decode_audio(file).value().samples; };
    ASSERT_EQ(near_wav.status, 200) << near_wav.body;
    // (flite's voices excite unvoiced sounds with noise: the samples differ from run to run, their number does not)
    EXPECT_EQ(samples(near_wav.body).size(), samples(far_rms.body).size());
    EXPECT_NE(samples(near_wav.body).size(), samples(far_slt.body).size());
}

TEST_F(remote_voice, the_far_server_s_refusals_and_absence_are_named) {
    auto far = start({}, {}, "far");
    const auto far_token = *far->users->add("os1-near");
    auto near = client_of(far->port(), far_token, "near");
    const auto token = *near->users->add("ada");
    // A voice the far server does not have: its own words, and whose they are.
    const auto voice = http_request(near->port(), "POST", "/v1/audio/speech",
                                    json({{"input", "Hello."}, {"voice", "af_bella"}}).dump(), bearer(token));
    EXPECT_EQ(voice.status, 400) << voice.body;
    EXPECT_NE(voice.body.find("/v1/audio/speech answered HTTP 400: no voice 'af_bella'"), std::string::npos) << voice.body;

    // A wrong key: the far server refuses it, and the near one says so as a gateway.
    auto wrong = client_of(far->port(), "os1_wrong", "wrong");
    const auto wrong_token = *wrong->users->add("ada");
    auto tts = voice::tts_flite::open("slt");
    const std::string wav = voice::encode_wav((*tts)->synthesize("hello").value()).value();
    const auto refused = http_request(wrong->port(), "POST", "/v1/audio/transcriptions", upload(wav, "json"), form_headers(wrong_token));
    EXPECT_EQ(refused.status, 502) << refused.body;
    EXPECT_NE(refused.body.find("answered HTTP 401"), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("the key OS1 signs in with was refused"), std::string::npos) << refused.body;

    // The far server gone: named, and the near one goes on serving.
    const int far_port = far->port();
    far.reset();
    const auto gone = http_request(near->port(), "POST", "/v1/audio/transcriptions", upload(wav, "json"), form_headers(token));
    EXPECT_EQ(gone.status, 502) << gone.body;
    EXPECT_NE(gone.body.find("127.0.0.1:" + std::to_string(far_port)), std::string::npos) << gone.body;
    EXPECT_EQ(http_request(near->port(), "GET", "/health").status, 200);
}

}  // namespace
}  // namespace os1::server
