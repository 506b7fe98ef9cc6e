// OpenAI's audio routes on the server over the fake engine: speech streamed
// sentence by sentence in every format, heard back by the recognizer; every
// wrong request named; uploads with their own limit, and a bound on what all
// uploads hold at once that refuses one without stopping the others.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
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

constexpr const char * boundary = "xyzzy-boundary";

struct field {
    field(std::string n, std::string v, std::string f = "") : name(std::move(n)), value(std::move(v)), filename(std::move(f)) {}
    std::string name, value, filename;
};

std::string form(const std::vector<field> & fields) {
    std::string body;
    for (const auto & f : fields) {
        body += std::string("--") + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"";
        if (!f.filename.empty()) body += "; filename=\"" + f.filename + "\"\r\nContent-Type: application/octet-stream";
        body += "\r\n\r\n" + f.value + "\r\n";
    }
    return body + "--" + boundary + "--\r\n";
}

std::map<std::string, std::string> form_headers(const std::string & token) {
    auto h = bearer(token);
    h["Content-Type"] = std::string("multipart/form-data; boundary=") + boundary;
    return h;
}

std::string spoken_wav(const std::string & text) {
    auto tts = voice::tts_flite::open("slt");
    auto audio = (*tts)->synthesize(text);
    return voice::encode_wav(*audio).value();
}

// Share of the words of SAID that are in HEARD.
double heard_share(const std::string & said, const std::string & heard) {
    std::istringstream s(said);
    int n = 0, found = 0;
    for (std::string w; s >> w; ++n) found += (" " + heard + " ").find(" " + w + " ") != std::string::npos ? 1 : 0;
    return n ? static_cast<double>(found) / n : 0;
}

class audio_routes : public fake_server_test {};

TEST_F(audio_routes, speech_streams_sentence_by_sentence_in_every_format) {
    auto s = start();
    const auto token = *s->users->add("ada");
    for (const auto * format : {"wav", "mp3", "opus", "flac", "pcm"}) {
        SCOPED_TRACE(format);
        const json body = {{"model", "tts-1"}, {"voice", "alloy"}, {"response_format", format},
                           {"input", "Hello there. It is good to hear you again. How was your day?"}};
        std::string req = "POST /v1/audio/speech HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + token +
                          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.dump().size()) + "\r\n\r\n" + body.dump();
        const std::string raw = test::raw_exchange(s->port(), req, 60000);
        const auto r = test::parse_response(raw);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.headers.at("transfer-encoding"), "chunked");
        // One piece per sentence (flite's three), each its own chunk, then the end.
        size_t chunks = 0;
        for (size_t at = raw.find("\r\n\r\n") + 4; at < raw.size();) {
            const size_t eol = raw.find("\r\n", at);
            const size_t n = std::stoul(raw.substr(at, eol - at), nullptr, 16);
            if (n == 0) break;
            ++chunks;
            at = eol + 2 + n + 2;
        }
        EXPECT_GE(chunks, std::string(format) == "opus" ? 2u : 3u);
        if (std::string(format) == "pcm") {
            EXPECT_EQ(r.headers.at("content-type"), "audio/pcm");
            EXPECT_EQ(r.body.size() % 2, 0u);
            EXPECT_GT(r.body.size(), 24000u * 2 * 2);  // more than two seconds at 24 kHz
            continue;
        }
        auto audio = voice::decode_audio(r.body);
        ASSERT_TRUE(audio) << audio.error().message();
        EXPECT_GT(audio->seconds(), 2.0);
    }
}

TEST_F(audio_routes, what_is_spoken_is_heard_back_in_json_text_and_verbose_json) {
    auto s = start();
    const auto token = *s->users->add("ada");
    const std::string said = "please remind me to water the plants tomorrow morning";
    const json body = {{"input", said}, {"voice", "slt"}, {"response_format", "wav"}};
    const auto speech = http_request(s->port(), "POST", "/v1/audio/speech", body.dump(), bearer(token));
    ASSERT_EQ(speech.status, 200) << speech.body;
    EXPECT_EQ(speech.headers.at("content-type"), "audio/wav");

    const auto as_json = http_request(s->port(), "POST", "/v1/audio/transcriptions",
                                      form({{"file", speech.body, "speech.wav"}, {"model", "whisper-1"}}), form_headers(token));
    ASSERT_EQ(as_json.status, 200) << as_json.body;
    const json j = json::parse(as_json.body);
    EXPECT_GE(heard_share(said, j["text"].get<std::string>()), 0.7) << j.dump();
    EXPECT_EQ(j.size(), 1u);  // json is the text alone

    const auto as_text = http_request(s->port(), "POST", "/v1/audio/transcriptions",
                                      form({{"file", speech.body, "a.wav"}, {"response_format", "text"}}), form_headers(token));
    ASSERT_EQ(as_text.status, 200);
    EXPECT_EQ(as_text.body, j["text"].get<std::string>() + "\n");
    EXPECT_EQ(as_text.headers.at("content-type"), "text/plain; charset=utf-8");

    const auto verbose = http_request(s->port(), "POST", "/v1/audio/transcriptions",
                                      form({{"file", speech.body, "a.wav"}, {"response_format", "verbose_json"},
                                            {"timestamp_granularities[]", "word"}, {"timestamp_granularities[]", "segment"},
                                            {"model", "pocketsphinx"}, {"language", "en"}}),
                                      form_headers(token));
    ASSERT_EQ(verbose.status, 200) << verbose.body;
    const json v = json::parse(verbose.body);
    EXPECT_EQ(v["task"], "transcribe");
    EXPECT_EQ(v["language"], "en");
    EXPECT_EQ(v["text"], j["text"]);
    EXPECT_GT(v["duration"].get<double>(), 1.0);
    ASSERT_EQ(v["segments"].size(), 1u);
    EXPECT_EQ(v["segments"][0]["text"], j["text"]);
    ASSERT_GE(v["words"].size(), 5u);
    double last = 0;
    for (const auto & w : v["words"]) {
        EXPECT_GE(w["start"].get<double>(), last - 1e-9);
        EXPECT_GT(w["end"].get<double>(), w["start"].get<double>());
        last = w["end"].get<double>();
    }
    EXPECT_LE(last, v["duration"].get<double>() + 0.05);
}

TEST_F(audio_routes, every_wrong_speech_request_is_named) {
    auto s = start();
    const auto token = *s->users->add("ada");
    const auto speak = [&](const json & body) { return http_request(s->port(), "POST", "/v1/audio/speech", body.dump(), bearer(token)); };
    const auto says = [](const test::http_result & r, int code, const std::string & words) {
        EXPECT_EQ(r.status, code) << r.body;
        EXPECT_NE(r.body.find(words), std::string::npos) << r.body;
    };
    says(speak({{"voice", "alloy"}}), 400, "'input' is required");
    says(speak({{"input", "   "}}), 400, "no words to say");
    says(speak({{"input", 5}}), 400, "'input'");
    says(speak({{"input", "hi"}, {"response_format", "aac"}}), 400, "wav, pcm, opus, mp3 and flac");
    says(speak({{"input", "hi"}, {"voice", "af_bella"}}), 400, "no voice 'af_bella'");
    says(speak({{"input", "hi"}, {"model", "eleven"}}), 400, "no text-to-speech model 'eleven'");
    says(speak({{"input", "hi"}, {"speed", 9}}), 400, "'speed'");
    says(speak({{"input", "hi"}, {"stream_format", "sse"}}), 400, "'stream_format' sse");
    says(speak({{"input", std::string(4097, 'a')}}), 400, "longer than 4096 characters");
    says(http_request(s->port(), "POST", "/v1/audio/speech", "[1,2]", bearer(token)), 400, "JSON object");
    says(http_request(s->port(), "POST", "/v1/audio/speech", "{\"input\":", bearer(token)), 400, "JSON");
    says(http_request(s->port(), "POST", "/v1/audio/speech", json({{"input", "hi"}}).dump()), 401, "token");
    says(http_request(s->port(), "POST", "/v1/audio/speech", "input=hi", form_headers(token)), 415, "application/json");
    // Characters are counted, not bytes: 1,500 Korean ones are 4,500 bytes, and allowed.
    std::string korean;
    for (int i = 0; i < 1500; ++i) korean += "가";
    EXPECT_EQ(speak({{"input", korean + "."}}).body.find("longer than"), std::string::npos);
}

TEST_F(audio_routes, every_wrong_upload_is_named) {
    auto s = start();
    const auto token = *s->users->add("ada");
    const auto upload = [&](const std::vector<field> & fields) {
        return http_request(s->port(), "POST", "/v1/audio/transcriptions", form(fields), form_headers(token));
    };
    const auto says = [](const test::http_result & r, int code, const std::string & words) {
        EXPECT_EQ(r.status, code) << r.body;
        EXPECT_NE(r.body.find(words), std::string::npos) << r.body;
    };
    const std::string wav = spoken_wav("hello");
    says(upload({{"model", "whisper-1"}}), 400, "no 'file'");
    says(upload({{"file", "", "a.wav"}}), 400, "the audio is empty");
    says(upload({{"file", "this is a letter, not a sound", "a.wav"}}), 400, "the file: ");
    says(upload({{"file", wav.substr(0, wav.size() / 2), "a.wav"}}), 400, "breaks off");
    says(upload({{"file", wav, "a.wav"}, {"response_format", "srt"}}), 400, "json, text or verbose_json");
    says(upload({{"file", wav, "a.wav"}, {"model", "whisper-large"}}), 400, "no speech-to-text model 'whisper-large'");
    says(upload({{"file", wav, "a.wav"}, {"language", "ko"}}), 400, "English (en) only");
    says(upload({{"file", wav, "a.wav"}, {"timestamp_granularities[]", "letter"}}), 400, "word or segment");
    // Not a form, or a form without its boundary.
    says(http_request(s->port(), "POST", "/v1/audio/transcriptions", "{}", bearer(token)), 415, "multipart/form-data");
    auto no_boundary = bearer(token);
    no_boundary["Content-Type"] = "multipart/form-data";
    says(http_request(s->port(), "POST", "/v1/audio/transcriptions", form({{"file", wav, "a.wav"}}), no_boundary), 400, "boundary");
    says(http_request(s->port(), "POST", "/v1/audio/transcriptions", "--xyzzy-boundary\r\nbroken", form_headers(token)), 400, "");
    says(http_request(s->port(), "POST", "/v1/audio/transcriptions", form({{"file", wav, "a.wav"}}),
                      {{"Content-Type", std::string("multipart/form-data; boundary=") + boundary}}),
         401, "token");
    // The server goes on.
    EXPECT_EQ(upload({{"file", wav, "a.wav"}, {"response_format", "text"}}).status, 200);
}

TEST_F(audio_routes, an_upload_has_its_own_limit_above_the_json_one) {
    server_options so;
    so.max_body_bytes = 16 << 10;    // JSON bodies: 16 KiB
    so.max_upload_bytes = 200 << 10;  // uploads: 200 KiB
    auto s = start(so);
    const auto token = *s->users->add("ada");
    const std::string wav = spoken_wav("hello, how are you today, my friend");  // ~ 100 KB at 16 kHz
    ASSERT_GT(wav.size(), so.max_body_bytes);
    ASSERT_LT(wav.size(), so.max_upload_bytes);
    const auto ok = http_request(s->port(), "POST", "/v1/audio/transcriptions", form({{"file", wav, "a.wav"}}), form_headers(token));
    EXPECT_EQ(ok.status, 200) << ok.body;
    // Over the upload limit: 413 naming it, from the declared length alone.
    const auto big = http_request(s->port(), "POST", "/v1/audio/transcriptions", form({{"file", wav + wav + wav, "a.wav"}}),
                                  form_headers(token));
    EXPECT_EQ(big.status, 413);
    EXPECT_NE(big.body.find(std::to_string(200 << 10)), std::string::npos) << big.body;
    // A JSON route keeps its own.
    const auto chat = http_request(s->port(), "POST", "/v1/chat/completions", std::string(20 << 10, ' '), bearer(token));
    EXPECT_EQ(chat.status, 413);
    EXPECT_NE(chat.body.find(std::to_string(16 << 10)), std::string::npos) << chat.body;
    // A chunked upload (no length given) over the limit is cut off at it.
    const std::string body = form({{"file", wav + wav + wav, "a.wav"}});
    std::string req = "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                      "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (size_t at = 0; at < body.size(); at += 32768) {
        const std::string piece = body.substr(at, 32768);
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        req += size + piece + "\r\n";
    }
    req += "0\r\n\r\n";
    EXPECT_EQ(test::parse_response(test::raw_exchange(s->port(), req, 30000)).status, 413);
}

TEST_F(audio_routes, uploads_beyond_what_the_server_holds_at_once_wait_and_the_others_go_on) {
    server_options so;
    so.max_upload_bytes = 200 << 10;
    so.max_uploads_bytes = 210 << 10;  // one upload of 200 KiB declared, and no second
    auto s = start(so);
    const auto token = *s->users->add("ada");
    const std::string wav = spoken_wav("hello, how are you today");
    const std::string body = form({{"file", wav, "a.wav"}, {"response_format", "text"}});
    // A slow client declares 200 KiB and sends only its headers for now.
    const int slow = test::connect_local(s->port());
    ASSERT_GE(slow, 0);
    const std::string head = "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                             "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " +
                             std::to_string(200 << 10) + "\r\n\r\n";
    ASSERT_EQ(::send(slow, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
    // Once the server holds room for it (the gauge says so), a second upload does not fit.
    ASSERT_TRUE(test::eventually([&] {
        return http_request(s->port(), "GET", "/metrics").body.find("os1_upload_bytes " + std::to_string(200 << 10)) != std::string::npos;
    }));
    const auto second = http_request(s->port(), "POST", "/v1/audio/transcriptions", body, form_headers(token));
    EXPECT_EQ(second.status, 503);
    EXPECT_NE(second.body.find("as many uploads as it holds at once"), std::string::npos) << second.body;
    EXPECT_EQ(second.headers.at("retry-after"), "5");
    // Everything else is served meanwhile.
    EXPECT_EQ(http_request(s->port(), "GET", "/health").status, 200);
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/audio/speech", json({{"input", "Yes."}}).dump(), bearer(token)).status, 200);
    // The slow client leaves: its room is given back.
    ::close(slow);
    ASSERT_TRUE(test::eventually([&] {
        return http_request(s->port(), "GET", "/metrics").body.find("os1_upload_bytes 0") != std::string::npos;
    }));
    EXPECT_EQ(http_request(s->port(), "POST", "/v1/audio/transcriptions", body, form_headers(token)).status, 200);
}

TEST_F(audio_routes, a_server_without_voice_says_so) {
    server_options so;
    so.voice = false;
    auto s = start(so);
    const auto token = *s->users->add("ada");
    const auto r = http_request(s->port(), "POST", "/v1/audio/speech", json({{"input", "hi"}}).dump(), bearer(token));
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("--no-voice"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace os1::server
