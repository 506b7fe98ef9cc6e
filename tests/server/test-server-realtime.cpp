// The realtime WebSocket over the fake engine, with a scripted client: the
// person's speech found, transcribed and answered in text and audio sentence
// by sentence (the first audio before the reply is written); speech over the
// reply cancels it and memory keeps only what was heard; the OS's own echo
// does not; wrong events are named and the session goes on.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>

#include "base/clock.h"

#include "server/scripted_realtime_client.h"
#include "server/realtime_session.h"
#include "server/running_server.h"
#include "voice/audio.h"
#include "voice/sentences.h"
#include "voice/tts_flite.h"

namespace os1::server {
namespace {

using test::fake_server_test;
using test::realtime_client;
using json = nlohmann::json;
using namespace std::chrono_literals;

voice::pcm_audio spoken(const std::string & text) { return (*voice::tts_flite::open("slt"))->synthesize(text).value(); }

voice::pcm_audio silence(double seconds, int rate_hz = 16000) {
    voice::pcm_audio a;
    a.rate_hz = rate_hz;
    a.samples.assign(static_cast<size_t>(seconds * rate_hz), 0);
    return a;
}

// What the response.audio.delta events of RESPONSE hold, as samples (24 kHz).
voice::pcm_audio reply_audio(const std::vector<json> & events, const std::string & response) {
    voice::pcm_audio a;
    a.rate_hz = 24000;
    for (const auto & e : events) {
        if (e.value("type", "") != "response.audio.delta" || e.value("response_id", "") != response) continue;
        const std::string bytes = base64_decode(e["delta"].get<std::string>()).value();
        for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
            a.samples.push_back(static_cast<int16_t>(static_cast<uint8_t>(bytes[i]) | static_cast<uint8_t>(bytes[i + 1]) << 8));
        }
    }
    return a;
}

// A gate the fake's reply waits at (before word N) until the test opens it.
struct gate {
    std::promise<void> open;
    std::shared_future<void> opened = open.get_future().share();
    size_t before_word = 0;
    void release() {
        try {
            open.set_value();
        } catch (const std::future_error &) {
        }
    }
};

class realtime : public fake_server_test {
protected:
    void hold_reply_at(size_t word) {
        gate_->before_word = word;
        word_hook_ = [g = gate_](size_t w) {
            if (w == g->before_word) g->opened.wait_for(60s);
        };
    }
    std::shared_ptr<gate> gate_ = std::make_shared<gate>();
};

bool of_type(const json & e, const char * type) { return e.value("type", "") == type; }

TEST_F(realtime, speech_is_heard_and_answered_in_text_and_audio_sentence_by_sentence) {
    const std::string reply = "The sea was calm today. The boats came home early. We watched them from the hill.";
    script_ = [reply](const llm::completion_request &) { return reply; };
    hold_reply_at(6);  // within the second sentence: the first is written, the rest waits
    auto s = start();
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));

    c.send_audio(silence(0.5));
    c.send_audio(spoken("What is the weather like by the sea?"));
    c.send_audio(silence(1.2));
    const auto started = c.wait_for_type("input_audio_buffer.speech_started");
    ASSERT_TRUE(started);
    EXPECT_GE(started->second["audio_start_ms"].get<int>(), 200);  // the speech began after the half second of silence
    const auto stopped = c.wait_for_type("input_audio_buffer.speech_stopped");
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->second["item_id"], started->second["item_id"]);
    ASSERT_TRUE(c.wait_for_type("input_audio_buffer.committed"));
    const auto heard = c.wait_for_type("conversation.item.input_audio_transcription.completed");
    ASSERT_TRUE(heard);
    const std::string transcript = heard->second["transcript"];
    EXPECT_NE(transcript.find("weather"), std::string::npos) << transcript;
    // Words came while the person still spoke, for the item the speech began.
    const auto partial = c.wait_for_type("conversation.item.input_audio_transcription.delta");
    ASSERT_TRUE(partial);
    EXPECT_LT(partial->first, stopped->first);
    EXPECT_EQ(partial->second["item_id"], started->second["item_id"]);
    EXPECT_FALSE(partial->second["transcript"].get<std::string>().empty());

    const auto created = c.wait_for_type("response.created");
    ASSERT_TRUE(created);
    const std::string id = created->second["response"]["id"];
    // The first sentence's audio leaves while the reply is still being written.
    const auto first_audio = c.wait_for_type("response.audio.delta", created->first, 30s);
    ASSERT_TRUE(first_audio) << "no audio before the reply was finished";
    EXPECT_FALSE(c.wait_for_type("response.done", created->first, 0s));
    gate_->release();
    const auto done = c.wait_for_type("response.done", created->first);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->second["response"]["status"], "completed");
    EXPECT_EQ(done->second["response"]["output"][0]["content"][0]["transcript"], reply);

    const auto events = c.events();
    std::string text;
    size_t last_text = 0;
    for (size_t i = 0; i < events.size(); ++i) {
        if (of_type(events[i], "response.audio_transcript.delta")) {
            text += events[i]["delta"].get<std::string>();
            last_text = i;
        }
    }
    EXPECT_EQ(text, reply);
    EXPECT_LT(first_audio->first, last_text);
    // Three sentences of speech, at 24 kHz: several seconds of it.
    EXPECT_GT(reply_audio(events, id).seconds(), 3.0);
    ASSERT_TRUE(c.wait_for_type("response.audio_transcript.done", created->first));
}

TEST_F(realtime, push_to_talk_commits_and_asks_at_once_and_the_answer_waits_for_the_words) {
    auto s = start();
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));
    c.send({{"type", "session.update"}, {"session", {{"turn_detection", nullptr}}}});
    ASSERT_TRUE(c.wait_for_type("session.updated"));
    c.send_audio(spoken("What is the weather like by the sea?"));
    // As a push-to-talk client does when the button is let go: both at once.
    c.send({{"type", "input_audio_buffer.commit"}});
    c.send({{"type", "response.create"}});
    const auto heard = c.wait_for_type("conversation.item.input_audio_transcription.completed");
    ASSERT_TRUE(heard);
    EXPECT_NE(heard->second["transcript"].get<std::string>().find("weather"), std::string::npos);
    const auto done = c.wait_for_type("response.done");
    ASSERT_TRUE(done);
    EXPECT_EQ(done->second["response"]["status"], "completed");
    EXPECT_GT(done->first, heard->first);
    for (const auto & e : c.events()) EXPECT_FALSE(of_type(e, "error")) << e.dump();
    // Nothing committed: named, and a response asked for behind it says there is nothing to answer.
    c.send({{"type", "input_audio_buffer.commit"}});
    c.send({{"type", "response.create"}});
    const auto empty = c.wait_for_type("error", done->first);
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->second["error"]["code"], "input_audio_buffer_commit_empty");
}

TEST_F(realtime, speech_over_the_reply_stops_it_and_memory_keeps_what_was_heard) {
    const std::string long_reply = "The sea was calm and the sky was very blue today. Then the wind came up. Then it rained.";
    auto replies = std::make_shared<std::atomic<int>>(0);
    script_ = [long_reply, replies](const llm::completion_request &) {
        return (*replies)++ == 0 ? long_reply : std::string("All right.");
    };
    hold_reply_at(12);  // the first sentence and the word that ends it are written
    auto s = start(test::remembering(), {}, "a", true);
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token, "?conversation=walk");
    ASSERT_TRUE(c.wait_for_type("session.created"));
    c.send({{"type", "conversation.item.create"},
            {"item", {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", "Tell me about the sea."}}}}}}});
    c.send({{"type", "response.create"}});
    const auto created = c.wait_for_type("response.created");
    ASSERT_TRUE(created);
    const std::string id = created->second["response"]["id"];
    const std::string item = created->second["response"]["id"].get<std::string>().replace(0, 4, "item");
    ASSERT_TRUE(c.wait_for_type("response.audio.delta", created->first, 30s));

    // The person speaks over it.
    const size_t before = c.events().size();
    c.send_audio(spoken("Wait, stop please."));
    c.send_audio(silence(1.2));
    const auto barge = c.wait_for_type("input_audio_buffer.speech_started", before);
    ASSERT_TRUE(barge);
    const auto cancelled = c.wait_for_type("response.done", created->first);
    ASSERT_TRUE(cancelled);
    EXPECT_EQ(cancelled->second["response"]["status"], "cancelled");
    EXPECT_EQ(cancelled->second["response"]["status_details"]["reason"], "turn_detected");
    gate_->release();
    // No audio of the reply after the speech was detected.
    const auto events = c.events();
    for (size_t i = barge->first; i < events.size(); ++i) {
        EXPECT_FALSE(of_type(events[i], "response.audio.delta") && events[i]["response_id"] == id) << events[i].dump();
    }
    // The client played a little over half of the first piece it got (its
    // first phrase, the rest sent too): memory keeps those words and no more.
    const std::string first_piece = voice::split_sentences(long_reply, first_phrase_chars).front();
    ASSERT_EQ(first_piece, "The sea was calm and the");
    const double first_s = spoken(first_piece).seconds();
    ASSERT_GT(reply_audio(events, id).seconds(), first_s);
    c.send({{"type", "conversation.item.truncate"}, {"item_id", item}, {"content_index", 0},
            {"audio_end_ms", static_cast<int>(first_s * 550)}});
    ASSERT_TRUE(c.wait_for_type("conversation.item.truncated"));
    const std::string db = dir_.file("a") + "/memory.db";
    std::string kept;
    EXPECT_TRUE(test::eventually([&] {
        for (const auto & t : test::turns_of(db, "ada")) {
            if (t.role == role::assistant && t.session == "walk" && t.text.rfind("The sea", 0) == 0) kept = t.text;
        }
        return kept == "The sea was";  // 3 of its 6 words
    })) << kept;
    // The next reply is made from the words that were heard.
    ASSERT_TRUE(c.wait_for([](const json & e) { return of_type(e, "response.done") && e["response"]["status"] == "completed"; },
                           cancelled->first + 1));
}

TEST_F(realtime, the_oss_own_voice_coming_back_does_not_interrupt_it) {
    script_ = [](const llm::completion_request &) { return std::string("The sea was calm today. The boats came home early."); };
    auto s = start();
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));
    c.send_audio(silence(0.5));
    c.send({{"type", "conversation.item.create"},
            {"item", {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", "Hello"}}}}}}});
    c.send({{"type", "response.create"}});
    const auto created = c.wait_for_type("response.created");
    ASSERT_TRUE(created);
    const std::string id = created->second["response"]["id"];
    const auto done = c.wait_for_type("response.done", created->first);
    ASSERT_TRUE(done);
    // The speaker's sound reaches the microphone 40 ms late at half volume, as the reply plays.
    voice::pcm_audio echo = silence(0.04, 24000);
    for (const int16_t v : reply_audio(c.events(), id).samples) echo.samples.push_back(static_cast<int16_t>(v / 2));
    const size_t before = c.events().size();
    c.send_audio(echo);
    c.send_audio(silence(1.0));
    c.send({{"type", "input_audio_buffer.clear"}});
    ASSERT_TRUE(c.wait_for_type("input_audio_buffer.cleared", before));
    for (const auto & e : c.events()) EXPECT_FALSE(of_type(e, "input_audio_buffer.speech_started")) << e.dump();
}

TEST_F(realtime, what_the_os_says_first_is_spoken_to_a_connected_voice_client) {
    constexpr int64_t wednesday_10h = 1796205600;  // 2026-12-02 10:00 UTC
    fake_clock clock(wednesday_10h);
    server_options so = test::remembering();
    so.clock = &clock;
    so.initiative_tick_ms = 50;
    auto s = start(so, {}, "a", true);
    const auto token = *s->users->add("ada");
    test::say(s->port(), token, "Please remind me to water the plants in 2 hours");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));
    ASSERT_TRUE(test::eventually([&] { return s->http->listeners("ada") == 1; }));
    clock.advance(2 * 3600 + 60);
    const auto created = c.wait_for_type("response.created");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->second["response"]["metadata"]["os1_spoke_first"], "true");
    const auto done = c.wait_for_type("response.done", created->first);
    ASSERT_TRUE(done);
    const std::string said = done->second["response"]["output"][0]["content"][0]["transcript"];
    EXPECT_NE(said.find("water the plants"), std::string::npos) << said;
    EXPECT_GT(reply_audio(c.events(), created->second["response"]["id"]).seconds(), 1.0);
}

TEST_F(realtime, with_the_wake_word_only_speech_after_the_oss_name_is_answered) {
    auto s = start(test::remembering(), {}, "a", true);
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));
    // No name yet: the wake word cannot be listened for, and the session says why.
    c.send({{"type", "session.update"}, {"session", {{"wake_word", true}}}});
    const auto no_name = c.wait_for_type("error");
    ASSERT_TRUE(no_name);
    EXPECT_NE(no_name->second["error"]["message"].get<std::string>().find("no name"), std::string::npos);
    ASSERT_EQ(test::http_request(s->port(), "PUT", "/api/v1/persona", R"({"name":"Samantha"})", test::bearer(token)).status, 200);
    c.send({{"type", "session.update"}, {"session", {{"wake_word", true}}}});
    const auto listening = c.wait_for_type("os1.wake_word.listening");
    ASSERT_TRUE(listening);
    EXPECT_EQ(listening->second["name"], "Samantha");

    c.send_audio(silence(0.5));
    c.send_audio(spoken("What time is it?"));
    c.send_audio(silence(1.2));
    const auto ignored = c.wait_for_type("os1.wake_word.not_heard");
    ASSERT_TRUE(ignored);
    for (const auto & e : c.events()) {
        EXPECT_FALSE(of_type(e, "conversation.item.input_audio_transcription.completed") || of_type(e, "response.created")) << e.dump();
    }
    c.send_audio(spoken("Samantha, what time is it?"));
    c.send_audio(silence(1.2));
    ASSERT_TRUE(c.wait_for_type("os1.wake_word.heard", ignored->first));
    const auto heard = c.wait_for_type("conversation.item.input_audio_transcription.completed", ignored->first);
    ASSERT_TRUE(heard);
    EXPECT_NE(heard->second["transcript"].get<std::string>().find("time"), std::string::npos) << heard->second.dump();
    const auto done = c.wait_for_type("response.done", ignored->first);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->second["response"]["status"], "completed");
    // Nothing of what was not said to the OS is in memory.
    for (const auto & t : test::turns_of(dir_.file("a") + "/memory.db", "ada")) {
        EXPECT_TRUE(t.role != role::user || t.text.find("time") == std::string::npos || heard->second["transcript"] == t.text) << t.text;
    }
    const auto all = c.events();
    EXPECT_EQ(std::count_if(all.begin(), all.end(), [](const json & e) { return of_type(e, "response.created"); }), 1);
}

TEST_F(realtime, wrong_events_are_named_and_the_session_goes_on) {
    auto s = start();
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));
    const std::vector<std::pair<std::string, std::string>> wrong = {
        {"{not json", "not valid JSON"},
        {"[1,2]", "object"},
        {R"({"type":"fly.away","event_id":"e1"})", "unknown event type 'fly.away'"},
        {R"({"type":"input_audio_buffer.append","audio":"%%%"})", "'audio' must be base64"},
        {R"({"type":"input_audio_buffer.append","audio":"AA=="})", "even number of bytes"},
        {R"({"type":"input_audio_buffer.append","audio":7})", "'audio' must be a string"},
        {R"({"type":"input_audio_buffer.commit"})", "server_vad"},
        {R"({"type":"response.cancel"})", "no response in progress"},
        {R"({"type":"conversation.item.truncate","item_id":"item_x","audio_end_ms":5})", "no reply 'item_x'"},
        {R"({"type":"conversation.item.truncate","item_id":"item_x"})", "'audio_end_ms' is required"},
        {R"({"type":"session.update","session":{"turn_detection":{"type":"semantic_vad"}}})", "server_vad"},
        {R"({"type":"session.update","session":{"input_audio_format":"g711_ulaw"}})", "pcm16"},
        {R"({"type":"session.update","session":{"voice":"nobody-at-all"}})", "nobody-at-all"},
        {R"({"type":"session.update","session":{"input_audio_rate":1000}})", "input_audio_rate"},
        {R"({"type":"response.create"})", "nothing to answer"},
        {R"({"type":"conversation.item.create","item":{"type":"message","role":"assistant","content":[]}})", "item.role"},
        {std::string(40, '[') + std::string(40, ']'), "deeper than"},
    };
    size_t from = 0;
    for (const auto & [event, says] : wrong) {
        SCOPED_TRACE(event);
        c.send_raw(event);
        const auto e = c.wait_for_type("error", from, 10s);
        ASSERT_TRUE(e);
        EXPECT_NE(e->second["error"]["message"].get<std::string>().find(says), std::string::npos) << e->second.dump();
        from = e->first + 1;
    }
    c.send_raw("\x01\x02", true);
    const auto binary = c.wait_for_type("error", from, 10s);
    ASSERT_TRUE(binary);
    EXPECT_NE(binary->second["error"]["message"].get<std::string>().find("not binary"), std::string::npos);
    EXPECT_EQ(c.wait_for_type("error", 0)->second["error"]["event_id"], nullptr);
    // The event id of the event an error is about comes back with it.
    EXPECT_TRUE(c.wait_for([](const json & e) { return of_type(e, "error") && e["error"]["event_id"] == "e1"; }));
    // After all that, a typed message is answered.
    c.send({{"type", "conversation.item.create"},
            {"item", {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", "Hello"}}}}}}});
    c.send({{"type", "session.update"}, {"session", {{"modalities", {"text"}}}}});
    c.send({{"type", "response.create"}});
    const auto done = c.wait_for_type("response.done");
    ASSERT_TRUE(done);
    EXPECT_EQ(done->second["response"]["output"][0]["content"][0]["text"], "I hear you.");
    EXPECT_FALSE(c.closed());
}

TEST_F(realtime, a_slow_model_s_words_are_spoken_before_its_sentence_ends_so_the_listener_does_not_wait) {
    const std::string reply = "I found a letter from your sister and two bills and a great many newsletters that "
                              "nobody will miss when they are gone for good";
    script_ = [reply](const llm::completion_request &) { return reply; };
    word_hook_ = [](size_t) { std::this_thread::sleep_for(200ms); };  // a model writing five words a second
    auto s = start();
    const auto token = *s->users->add("ada");
    realtime_client c(s->port(), token);
    ASSERT_TRUE(c.wait_for_type("session.created"));
    c.send({{"type", "conversation.item.create"},
            {"item", {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", "Any mail?"}}}}}}});
    c.send({{"type", "response.create"}});
    const auto done = c.wait_for_type("response.done", 0, 60s);
    ASSERT_TRUE(done);
    const auto events = c.events();
    size_t last_word = 0;
    for (size_t i = 0; i < events.size(); ++i) {
        if (of_type(events[i], "response.audio_transcript.delta")) last_word = i;
    }
    double before_the_end = 0;  // seconds of audio sent before the sentence's last word was written
    for (size_t i = 0; i < last_word; ++i) {
        if (of_type(events[i], "response.audio.delta")) before_the_end += base64_decode(events[i]["delta"].get<std::string>())->size() / 48000.0;
    }
    // More than the first phrase: the words written while it played were spoken before the sentence ended.
    const double first_phrase = spoken(voice::split_sentences(reply, first_phrase_chars).front()).seconds();
    EXPECT_GT(before_the_end, first_phrase + 0.3) << "first phrase " << first_phrase << " s";
}

TEST_F(realtime, the_door_wants_a_websocket_and_a_token) {
    auto s = start();
    const auto token = *s->users->add("ada");
    EXPECT_EQ(test::http_request(s->port(), "GET", "/v1/realtime", "", test::bearer(token)).status, 426);
    EXPECT_EQ(test::http_request(s->port(), "GET", "/v1/realtime", "", {}).status, 401);
    EXPECT_THROW(realtime_client(s->port(), "os1_wrong"), boost::system::system_error);
    // A browser offers the token as a subprotocol, and hears "realtime" back.
    realtime_client browser(s->port(), token, "", true);
    EXPECT_EQ(browser.handshake()[boost::beast::http::field::sec_websocket_protocol], "realtime");
    ASSERT_TRUE(browser.wait_for_type("session.created"));
}

TEST_F(realtime, a_server_without_voice_says_so) {
    server_options so;
    so.voice = false;
    auto s = start(so);
    const auto token = *s->users->add("ada");
    EXPECT_THROW(realtime_client(s->port(), token), boost::system::system_error);
}

}  // namespace
}  // namespace os1::server
