// What speech goes out in: sentences cut from text as it streams, audio
// encoded piece by piece in every format the audio routes offer (and read back
// by decode_audio), and which recognizer and voice a request's names choose.
#include <gtest/gtest.h>

#include <cmath>

#include "voice/audio_encoder.h"
#include "voice/sentences.h"
#include "voice/voice_set.h"

namespace os1::voice {
namespace {

using strings = std::vector<std::string>;

TEST(sentences, a_reply_is_cut_at_its_sentence_ends) {
    EXPECT_EQ(split_sentences("Hello there. How are you today? I am fine!"),
              (strings{"Hello there.", "How are you today?", "I am fine!"}));
    EXPECT_EQ(split_sentences("Really?! Yes...  \"Quite so.\" Then\nnext line"),
              (strings{"Really?!", "Yes...", "\"Quite so.\"", "Then", "next line"}));
    EXPECT_EQ(split_sentences("   "), strings{});
}

TEST(sentences, abbreviations_initials_and_numbers_end_nothing) {
    EXPECT_EQ(split_sentences("Dr. Smith paid 3.50 dollars at os1.example today. J. R. R. Tolkien wrote it, e.g. this."),
              (strings{"Dr. Smith paid 3.50 dollars at os1.example today.", "J. R. R. Tolkien wrote it, e.g. this."}));
}

TEST(sentences, korean_and_cjk_marks_end_sentences) {
    EXPECT_EQ(split_sentences("안녕하세요. 잘 지내요? 좋아요!"), (strings{"안녕하세요.", "잘 지내요?", "좋아요!"}));
    EXPECT_EQ(split_sentences("今日は。元気？"), (strings{"今日は。", "元気？"}));
}

TEST(sentences, streamed_text_gives_each_sentence_as_soon_as_it_is_known_to_end) {
    sentence_splitter s;
    EXPECT_EQ(s.feed("Hel"), strings{});
    EXPECT_EQ(s.feed("lo there."), strings{});  // "there." might be "there.com": the next character decides
    EXPECT_EQ(s.feed(" How"), strings{"Hello there."});
    EXPECT_EQ(s.feed(" are you?\nFine"), (strings{"How are you?"}));
    EXPECT_EQ(s.flush(), "Fine");
    EXPECT_EQ(s.flush(), "");
    // Token by token gives what the whole text gives.
    const std::string text = "One. Two, three! Mr. Four? Five.";
    sentence_splitter t;
    strings pieces;
    for (const char c : text) {
        for (auto & p : t.feed(std::string(1, c))) pieces.push_back(p);
    }
    pieces.push_back(t.flush());
    EXPECT_EQ(pieces, split_sentences(text));
}

TEST(sentences, a_long_run_without_an_end_is_cut_at_a_comma_or_space_and_never_inside_a_character) {
    std::string run;
    for (int i = 0; i < 60; ++i) run += "word, ";
    const auto parts = split_sentences(run);
    ASSERT_GE(parts.size(), 2u);
    for (const auto & p : parts) EXPECT_LE(p.size(), sentence_splitter::max_chars + 1) << p;
    std::string hangul;
    for (int i = 0; i < 200; ++i) hangul += "가";  // 600 bytes, no space at all
    const auto cut = split_sentences(hangul);
    ASSERT_GE(cut.size(), 2u);
    std::string joined;
    for (const auto & p : cut) {
        EXPECT_EQ(p.size() % 3, 0u) << "a cut inside a character";
        joined += p;
    }
    EXPECT_EQ(joined, hangul);
}

TEST(sentences, the_first_piece_may_be_a_phrase_and_the_rest_are_sentences) {
    const std::string long_first = "When I read through your messages this morning, I found a letter from your sister, "
                                   "two bills and a great many newsletters. The rest can wait.";
    // A short first sentence is the first piece either way.
    EXPECT_EQ(split_sentences("Yes. " + long_first, 80).front(), "Yes.");
    const auto parts = split_sentences(long_first, 80);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0], "When I read through your messages this morning,");  // cut at the comma, before 80 characters
    EXPECT_EQ(parts[1], "I found a letter from your sister, two bills and a great many newsletters.");  // whole after the first
    EXPECT_EQ(parts[2], "The rest can wait.");
    // Streamed in pieces, the same.
    sentence_splitter s(80);
    std::vector<std::string> streamed;
    for (size_t at = 0; at < long_first.size(); at += 7) {
        for (auto & x : s.feed(std::string_view(long_first).substr(at, 7))) streamed.push_back(x);
    }
    if (auto last = s.flush(); !last.empty()) streamed.push_back(last);
    EXPECT_EQ(streamed, parts);
}

TEST(sentences, the_whole_words_written_so_far_can_be_taken_before_the_sentence_ends) {
    sentence_splitter s;
    EXPECT_TRUE(s.feed("I found a letter from your sis").empty());
    EXPECT_EQ(s.take_words(40), "");  // too few: nothing is taken
    EXPECT_EQ(s.take_words(12), "I found a letter from your");  // the word being written stays
    EXPECT_EQ(s.feed("ter and two bills. The"), std::vector<std::string>{"sister and two bills."});
    EXPECT_EQ(s.take_words(1), "");  // "The" may go on
    EXPECT_EQ(s.flush(), "The");
}

pcm_audio tone(double seconds, int rate) {
    pcm_audio a;
    a.rate_hz = rate;
    for (int i = 0; i < static_cast<int>(seconds * rate); ++i) {
        a.samples.push_back(static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440.0 * i / rate)));
    }
    return a;
}

TEST(audio_encoder, every_format_streams_pieces_that_make_one_readable_file) {
    for (const auto * name : {"wav", "mp3", "opus", "flac"}) {
        SCOPED_TRACE(name);
        auto f = parse_audio_format(name);
        ASSERT_TRUE(f);
        auto e = audio_encoder::open(*f, 16000);
        ASSERT_TRUE(e) << e.error().message();
        std::string file;
        size_t pieces_with_bytes = 0;
        for (int sentence = 0; sentence < 3; ++sentence) {
            auto bytes = (*e)->write(tone(1.0, 16000));
            ASSERT_TRUE(bytes) << bytes.error().message();
            pieces_with_bytes += bytes->empty() ? 0 : 1;
            file += *bytes;
        }
        EXPECT_GE(pieces_with_bytes, 2u) << "the audio left only at the end";
        auto rest = (*e)->finish();
        ASSERT_TRUE(rest);
        file += *rest;
        auto back = decode_audio(file);
        ASSERT_TRUE(back) << back.error().message();
        EXPECT_NEAR(back->seconds(), 3.0, 0.15);
    }
}

TEST(audio_encoder, pcm_is_raw_24khz_and_wav_keeps_the_voice_rate) {
    auto pcm = audio_encoder::open(audio_format::pcm, 16000);
    ASSERT_TRUE(pcm);
    EXPECT_EQ((*pcm)->rate_hz(), 24000);
    auto bytes = (*pcm)->write(tone(1.0, 16000));
    ASSERT_TRUE(bytes);
    EXPECT_NEAR(static_cast<double>(bytes->size()), 48000.0, 200.0);  // a second of 24 kHz 16-bit
    EXPECT_EQ((*pcm)->finish().value(), "");
    auto wav = audio_encoder::open(audio_format::wav, 16000);
    ASSERT_TRUE(wav);
    EXPECT_EQ((*wav)->rate_hz(), 16000);
    EXPECT_EQ((*wav)->finish().value().substr(0, 4), "RIFF");  // even with no audio, a header
}

TEST(audio_encoder, a_format_there_is_not_is_named_with_those_there_are) {
    auto f = parse_audio_format("aac");
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().message().find("'aac'"), std::string::npos);
    EXPECT_NE(f.error().message().find("wav, pcm, opus, mp3 and flac"), std::string::npos);
    EXPECT_STREQ(content_type_of(audio_format::opus), "audio/ogg; codecs=opus");
}

TEST(voice_set, settings_are_checked_and_named) {
    voice_settings s;
    s.stt = "whisper";
    EXPECT_NE(voice_set::open(s).error().message().find("voice.stt (--stt) 'whisper'"), std::string::npos);
    s = {};
    s.tts = "remote";
    EXPECT_NE(voice_set::open(s).error().message().find("--tts-url"), std::string::npos);
    s = {};
    s.voice = "nobody";
    EXPECT_NE(voice_set::open(s).error().message().find("slt, rms, awb and kal16"), std::string::npos);
    s = {};
    s.remote_stt.url = "ftp://example";
    EXPECT_NE(voice_set::open(s).error().message().find("http://"), std::string::npos);
}

TEST(voice_set, a_request_s_names_choose_the_engine_and_voice) {
    voice_settings s;
    s.voice = "rms";
    s.remote_tts = {"http://127.0.0.1:9/v1", "kokoro", ""};
    auto set = voice_set::open(s);
    ASSERT_TRUE(set) << set.error().message();
    voice_set & v = **set;
    EXPECT_EQ(v.speaker("", "")->get()->name(), "flite (rms)");          // the defaults
    EXPECT_EQ(v.speaker("tts-1", "alloy")->get()->name(), "flite (rms)");  // OpenAI's names: the defaults
    EXPECT_EQ(v.speaker("flite", "awb")->get()->name(), "flite (awb)");
    EXPECT_EQ(v.speaker("", "").value(), v.speaker("tts-1", "nova").value());  // one object per voice
    EXPECT_EQ(v.speaker("kokoro", "af_bella")->get()->name(), "remote (kokoro at 127.0.0.1:9) voice af_bella");
    EXPECT_EQ(v.speaker("remote", "")->get()->name(), "remote (kokoro at 127.0.0.1:9) voice alloy");
    auto unknown_voice = v.speaker("flite", "af_bella");
    ASSERT_FALSE(unknown_voice);
    EXPECT_NE(unknown_voice.error().message().find("no voice 'af_bella'"), std::string::npos);
    auto unknown_model = v.speaker("elevenlabs", "");
    ASSERT_FALSE(unknown_model);
    EXPECT_EQ(unknown_model.error().message(),
              "no text-to-speech model 'elevenlabs' here (there are flite (the default), remote)");
    auto no_remote_stt = v.recognizer("remote");
    ASSERT_FALSE(no_remote_stt);
    EXPECT_EQ(no_remote_stt.error().message(), "no speech-to-text model 'remote' here (there are pocketsphinx (the default))");
}

TEST(voice_set, a_remote_server_that_is_not_there_is_named) {
    voice_settings s;
    s.stt = "remote";
    s.remote_stt = {"http://127.0.0.1:9/v1", "", ""};  // the discard port: nothing listens
    auto set = voice_set::open(s);
    ASSERT_TRUE(set);
    auto stt = (*set)->recognizer("whisper-1");
    ASSERT_TRUE(stt);
    auto heard = (*stt)->transcribe(tone(0.5, 16000));
    ASSERT_FALSE(heard);
    EXPECT_EQ(heard.error().code(), status_code::network_error);
    EXPECT_NE(heard.error().message().find("127.0.0.1:9/v1/audio/transcriptions"), std::string::npos) << heard.error().message();
}

}  // namespace
}  // namespace os1::voice
