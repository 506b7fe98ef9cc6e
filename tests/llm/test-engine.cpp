#include <gtest/gtest.h>

#include <cctype>
#include <condition_variable>
#include <mutex>
#include <regex>

#include "base/utf8.h"
#include "llm/chat_template.h"
#include "llm/complete.h"
#include "llm/engine.h"
#include "llm/prompt_tokenizer.h"
#include "llm/engine_runner.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

using test::run_turn;

class engine_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto m = model::load(test::tiny_model_path(), model_options{});
        ASSERT_TRUE(m) << m.error().message();
        model_ = *m;
    }
    static void TearDownTestSuite() { model_.reset(); }

    std::unique_ptr<engine> start(engine_options o = {}) {
        if (o.kv_dir.empty()) o.kv_dir = dir_.file("kv");
        if (o.ctx_tokens == 4096) o.ctx_tokens = 1024;
        auto e = engine::start(model_, o);
        EXPECT_TRUE(e) << e.error().message();
        return e ? std::move(*e) : nullptr;
    }

    static std::shared_ptr<model> model_;
    test::temp_dir dir_;
};
std::shared_ptr<model> engine_test::model_;

const conversation_key alice{"alice", "c1"};
const conversation_key bob{"bob", "c1"};

std::vector<chat_message> two_turns(const std::string & first_reply) {
    return {{role::system, "You are kind."}, {role::user, "Tell me about the sea."}, {role::assistant, first_reply},
            {role::user, "And the mountains?"}};
}

TEST_F(engine_test, one_turn_streams_and_reports) {
    auto e = start();
    test::pending_reply p;
    ASSERT_TRUE(e->submit(p.request(alice, {{role::user, "Hello"}}, 10)));
    const auto r = p.wait();
    ASSERT_TRUE(r.st) << r.st.message();
    EXPECT_FALSE(r.text.empty());
    EXPECT_GT(p.pieces(), 1);
    EXPECT_EQ(r.stats.generated_tokens, 10);
    EXPECT_EQ(r.stats.reason, stop_reason::max_tokens);
    EXPECT_EQ(r.stats.computed_tokens, r.stats.prompt_tokens);
    EXPECT_EQ(e->stats().misses, 1u);
}

// The next turn continues from the KV state wherever it was kept: the reply must
// be the same as if the conversation had stayed in the context.
TEST_F(engine_test, greedy_output_is_the_same_from_every_tier) {
    std::string first, expected;
    {
        auto e = start();
        first = run_turn(*e, alice, {{role::system, "You are kind."}, {role::user, "Tell me about the sea."}}).text;
        const auto r = run_turn(*e, alice, two_turns(first));
        expected = r.text;
        EXPECT_EQ(e->stats().hits_resident, 1u);
        EXPECT_LT(r.stats.computed_tokens, r.stats.prompt_tokens / 2);
    }
    const auto other_turn = [](engine & e) { run_turn(e, {"alice", "other"}, {{role::user, "Something else entirely"}}); };

    {   // to RAM: one sequence, so another conversation pushes it out
        engine_options o;
        o.parallel = 1;
        test::temp_dir d;
        o.kv_dir = d.file("kv");
        auto e = start(o);
        ASSERT_EQ(run_turn(*e, alice, {{role::system, "You are kind."}, {role::user, "Tell me about the sea."}}).text, first);
        other_turn(*e);
        const auto r = run_turn(*e, alice, two_turns(first));
        EXPECT_EQ(e->stats().hits_ram, 1u);
        EXPECT_EQ(r.text, expected);
        EXPECT_LT(r.stats.computed_tokens, r.stats.prompt_tokens / 2);
    }
    {   // to disk: no RAM budget at all
        engine_options o;
        o.parallel = 1;
        o.kv_ram_bytes = 0;
        test::temp_dir d;
        o.kv_dir = d.file("kv");
        auto e = start(o);
        run_turn(*e, alice, {{role::system, "You are kind."}, {role::user, "Tell me about the sea."}});
        other_turn(*e);
        const auto r = run_turn(*e, alice, two_turns(first));
        EXPECT_EQ(e->stats().hits_disk, 1u);
        EXPECT_EQ(r.text, expected);
    }
    {   // across a restart
        test::temp_dir d;
        engine_options o;
        o.kv_dir = d.file("kv");
        {
            auto e = start(o);
            run_turn(*e, alice, {{role::system, "You are kind."}, {role::user, "Tell me about the sea."}});
            e->stop(1000);
            EXPECT_EQ(e->stats().conversations_disk, 1u);
        }
        auto e = start(o);
        const auto r = run_turn(*e, alice, two_turns(first));
        EXPECT_EQ(e->stats().hits_disk, 1u);
        EXPECT_EQ(r.text, expected);
        EXPECT_LT(r.stats.computed_tokens, r.stats.prompt_tokens / 2);
    }
}

// A reply comes back as text and may tokenize otherwise than it was generated
// (this random model often picks splits the tokenizer would not): its cells
// are reused all the same, and only what follows it is computed. (A reply
// with bytes that were not UTF-8 went out with U+FFFD, other text, and is
// computed again from there; one ending in a space loses it to the template.)
TEST_F(engine_test, a_reply_returns_as_the_tokens_it_was_generated_as) {
    auto tok = prompt_tokenizer::open(test::tiny_model_path());
    ASSERT_TRUE(tok) << tok.error().message();
    auto e = start();
    int retokenized = 0, checked = 0;
    for (int i = 0; i < 12; ++i) {
        const conversation_key k{"p" + std::to_string(i), "c1"};
        std::vector<chat_message> msgs = {{role::system, "You are kind."}, {role::user, "Tell me about " + std::to_string(i * 7919)}};
        const auto first = run_turn(*e, k, msgs, 40);
        ASSERT_TRUE(first.st) << first.st.message();
        ASSERT_EQ(first.stats.reason, stop_reason::max_tokens);
        msgs.push_back({role::assistant, first.text});
        msgs.push_back({role::user, "And the mountains?"});
        const auto r = run_turn(*e, k, msgs, 4);
        ASSERT_TRUE(r.st) << r.st.message();
        auto canonical = (*tok)->conversation(msgs);
        ASSERT_TRUE(canonical);
        if (static_cast<int>(canonical->size()) != r.stats.prompt_tokens) ++retokenized;
        if (first.text.find("\xEF\xBF\xBD") != std::string::npos || std::isspace(static_cast<unsigned char>(first.text.back()))) continue;
        ++checked;
        // In the cache: the first prompt and every generated token but the last, never decoded.
        const int cached = first.stats.prompt_tokens + first.stats.generated_tokens - 1;
        EXPECT_EQ(r.stats.computed_tokens, r.stats.prompt_tokens - cached) << "conversation " << i;
    }
    EXPECT_GT(retokenized, 0);  // the case this test is about occurred
    EXPECT_GT(checked, 6);
}

TEST_F(engine_test, the_operators_shared_prompt_is_computed_once_for_everyone) {
    const std::string persona = "You are Samantha, warm and curious. " + std::string(400, 'x');
    engine_options o;
    o.shared_system_prompts = {persona};
    auto e = start(o);
    const auto a = run_turn(*e, alice, {{role::system, persona}, {role::user, "Hi, I am Alice"}});
    const auto b = run_turn(*e, bob, {{role::system, persona}, {role::user, "Hi, I am Bob"}});
    // A second system message (a profile, say) right after the shared one.
    const auto c = run_turn(*e, {"carol", "c1"}, {{role::system, persona}, {role::system, "Carol likes tea."}, {role::user, "Hi"}});
    ASSERT_TRUE(a.st && b.st && c.st);
    EXPECT_LT(a.stats.computed_tokens, 40);  // only the person's own tokens
    EXPECT_LT(b.stats.computed_tokens, 40);
    EXPECT_LT(c.stats.computed_tokens, 40);
    EXPECT_EQ(e->stats().prefix_hits, 3u);
}

TEST_F(engine_test, a_private_system_prompt_is_shared_only_by_its_person) {
    const std::string secret = "Alice's private instructions: " + std::string(300, 'y');
    auto e = start();
    const auto first = run_turn(*e, {"alice", "a"}, {{role::system, secret}, {role::user, "one"}});
    const auto second = run_turn(*e, {"alice", "b"}, {{role::system, secret}, {role::user, "two"}});
    const auto other = run_turn(*e, {"bob", "a"}, {{role::system, secret}, {role::user, "one"}});
    EXPECT_EQ(first.stats.computed_tokens, first.stats.prompt_tokens);
    EXPECT_LT(second.stats.computed_tokens, 20);                  // Alice's second conversation shares
    EXPECT_EQ(other.stats.computed_tokens, other.stats.prompt_tokens);  // Bob computes everything
    EXPECT_EQ(other.text, first.text);  // same tokens, same reply: nothing of Alice's leaked in or out
}

// Canary: the same conversation id under two people are two conversations, and
// one's state never conditions the other's reply.
TEST_F(engine_test, one_persons_state_never_reaches_another) {
    const std::vector<chat_message> bob_msgs = {{role::user, "What is the secret word?"}};
    std::string alone;
    {
        test::temp_dir d;
        engine_options o;
        o.kv_dir = d.file("kv");
        alone = run_turn(*start(o), bob, bob_msgs).text;
    }
    auto e = start();
    run_turn(*e, alice, {{role::user, "The secret word is CANARY-7731. What is the secret word?"}});
    const auto r = run_turn(*e, bob, bob_msgs);
    EXPECT_EQ(r.stats.computed_tokens, r.stats.prompt_tokens);
    EXPECT_EQ(r.text, alone);
    EXPECT_EQ(e->stats().hits_resident + e->stats().hits_ram + e->stats().hits_disk, 0u);
}

// Each conversation attends to its own cells only (decision 0004): its greedy
// reply is the same alone and beside others that are resident or generating in
// the same steps, and an idle conversation between two busy ones is untouched.
TEST_F(engine_test, a_reply_does_not_depend_on_the_other_conversations) {
    const conversation_key a{"alice", "long"}, b{"bob", "idle"}, c{"carol", "late"};
    const std::vector<chat_message> a_msgs = {{role::user, "Tell me a long story about the sea."}};
    const std::vector<chat_message> b_msgs = {{role::user, "What is the secret word?"}};
    const std::vector<chat_message> c_msgs = {{role::user, "Count the stars with me, one by one."}};
    engine_options o;
    o.parallel = 3;
    const auto alone = [&](const conversation_key & k, const std::vector<chat_message> & m, int n) {
        test::temp_dir d;
        engine_options solo = o;
        solo.kv_dir = d.file("kv");
        return run_turn(*start(solo), k, m, n).text;
    };
    const std::string a_alone = alone(a, a_msgs, 200), b_alone = alone(b, b_msgs, 12), c_alone = alone(c, c_msgs, 30);

    auto e = start(o);
    test::pending_reply long_reply;  // sequence 0
    ASSERT_TRUE(e->submit(long_reply.request(a, a_msgs, 200)));
    while (long_reply.pieces() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(run_turn(*e, b, b_msgs).text, b_alone);  // sequence 1, then idle
    // Sequence 2 is admitted within a step, while the 200-token reply still has
    // more than 150 steps to go: its steps hold sequences 0 and 2, not 1.
    EXPECT_EQ(run_turn(*e, c, c_msgs, 30).text, c_alone);
    const auto r = long_reply.wait();
    ASSERT_TRUE(r.st) << r.st.message();
    EXPECT_EQ(r.stats.generated_tokens, 200);
    EXPECT_EQ(r.text, a_alone);
    const auto again = run_turn(*e, b, b_msgs);  // resident: only the last token is evaluated again
    EXPECT_EQ(again.stats.computed_tokens, 1);
    EXPECT_EQ(again.text, b_alone);
}

// States are kept in a form that does not depend on the number of sequences.
TEST_F(engine_test, a_saved_state_survives_a_change_of_parallel) {
    test::temp_dir d;
    engine_options o;
    o.kv_dir = d.file("kv");
    o.parallel = 2;
    std::string first, expected;
    {
        auto e = start(o);
        first = run_turn(*e, alice, {{role::system, "You are kind."}, {role::user, "Tell me about the sea."}}).text;
        expected = run_turn(*e, alice, two_turns(first)).text;
        e->stop(1000);
    }
    o.parallel = 5;
    auto e = start(o);
    const auto r = run_turn(*e, alice, two_turns(first));
    EXPECT_EQ(e->stats().hits_disk, 1u);
    EXPECT_EQ(r.text, expected);
    EXPECT_LT(r.stats.computed_tokens, r.stats.prompt_tokens / 2);
}

// More people than sequences and a RAM tier that holds about one state: each
// returning conversation comes back from RAM or disk and computes only its new turn.
TEST_F(engine_test, people_outnumbering_sequences_come_back_from_the_tiers) {
    engine_options o;
    o.parallel = 3;
    o.kv_ram_bytes = 1;  // every state goes on to disk
    auto e = start(o);
    std::vector<std::vector<chat_message>> talks(7);
    for (int round = 0; round < 3; ++round) {
        for (size_t p = 0; p < talks.size(); ++p) {
            auto & t = talks[p];
            if (t.empty()) t.push_back({role::system, "You are kind. " + std::string(200, 'a' + static_cast<char>(p))});
            t.push_back({role::user, "Round " + std::to_string(round) + ", person " + std::to_string(p) + ": tell me more."});
            const auto r = run_turn(*e, {"p" + std::to_string(p), "c"}, t, 8);
            ASSERT_TRUE(r.st) << r.st.message();
            if (round > 0) {
                EXPECT_LT(r.stats.computed_tokens, 40) << "round " << round << " person " << p;
            }
            t.push_back({role::assistant, r.text});
        }
    }
    EXPECT_EQ(e->stats().misses, 7u);
    EXPECT_EQ(e->stats().hits_disk + e->stats().hits_ram, 14u);
}

TEST_F(engine_test, many_conversations_at_once_all_finish) {
    engine_options o;
    o.parallel = 3;
    auto e = start(o);
    std::vector<std::unique_ptr<test::pending_reply>> replies;
    for (int i = 0; i < 8; ++i) {
        replies.push_back(std::make_unique<test::pending_reply>());
        const conversation_key key{"p" + std::to_string(i % 4), "c" + std::to_string(i)};
        ASSERT_TRUE(e->submit(replies.back()->request(key, {{role::user, "Hello number " + std::to_string(i)}}, 20)));
    }
    for (auto & r : replies) {
        const auto got = r->wait();
        ASSERT_TRUE(got.st) << got.st.message();
        EXPECT_EQ(got.stats.generated_tokens, 20);
    }
    const auto st = e->stats();
    EXPECT_EQ(st.requests, 8u);
    EXPECT_LE(st.conversations_resident, 3u);
    EXPECT_EQ(st.conversations_resident + st.conversations_ram, 8u);
}

TEST_F(engine_test, cancel_stops_a_reply_and_the_conversation_goes_on) {
    auto e = start();
    test::pending_reply p;
    ASSERT_TRUE(e->submit(p.request(alice, {{role::user, "Go on and on"}}, 500)));
    while (p.pieces() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    p.cancel->store(true);
    const auto r = p.wait();
    EXPECT_EQ(r.stats.reason, stop_reason::cancelled);
    EXPECT_LT(r.stats.generated_tokens, 500);
    const auto next = run_turn(*e, alice, {{role::user, "Go on and on"}, {role::assistant, r.text}, {role::user, "Now stop"}});
    EXPECT_TRUE(next.st) << next.st.message();
}

// A turn sent while the conversation's reply is still being generated waits
// for it and then runs, whether that reply ends by itself or is cancelled (the
// web page's stop, then its next message: once, the second waited forever).
TEST_F(engine_test, a_turn_behind_its_conversations_reply_runs_when_that_reply_ends) {
    auto e = start();
    for (const bool cancel_first : {false, true}) {
        const conversation_key key{"alice", cancel_first ? "stopped" : "finished"};
        test::pending_reply first, second;
        ASSERT_TRUE(e->submit(first.request(key, {{role::user, "Go on and on"}}, cancel_first ? 500 : 60)));
        while (first.pieces() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_TRUE(e->submit(second.request(key, {{role::user, "Go on and on"}, {role::user, "And then?"}}, 4)));
        while (e->stats().pending < 1 && !first.ends_within(std::chrono::seconds(0))) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (cancel_first) first.cancel->store(true);
        ASSERT_TRUE(first.ends_within(std::chrono::seconds(120)));
        ASSERT_TRUE(second.ends_within(std::chrono::seconds(120))) << "the second turn was never admitted";
        const auto r = second.wait();
        EXPECT_TRUE(r.st) << r.st.message();
        EXPECT_EQ(r.stats.generated_tokens, 4);
    }
}

TEST_F(engine_test, stop_strings_end_the_reply_and_are_not_shown) {
    auto e = start();
    const auto full = run_turn(*e, {"x", "1"}, {{role::user, "Hello"}}, 20).text;
    ASSERT_GT(full.size(), 6u);
    const std::string stop = full.substr(full.size() / 2, 3);
    test::pending_reply p;
    auto req = p.request({"x", "2"}, {{role::user, "Hello"}}, 20);
    req.stop = {stop};
    ASSERT_TRUE(e->submit(std::move(req)));
    const auto r = p.wait();
    EXPECT_EQ(r.text, full.substr(0, full.find(stop)));
    EXPECT_EQ(r.stats.reason, stop_reason::end_of_turn);
}

// A grammar holds even a model of random weights to the shape asked for.
TEST_F(engine_test, a_grammar_makes_the_reply_follow_it) {
    auto e = start();
    test::pending_reply p;
    auto req = p.request({"x", "g"}, {{role::user, "Answer in JSON"}}, 60);
    req.gen.grammar = R"g(root ::= "{\"mood\": \"" ("calm" | "glad" | "sad") "\", \"n\": " [0-9] [0-9]? "}")g";
    ASSERT_TRUE(e->submit(std::move(req)));
    const auto r = p.wait();
    EXPECT_TRUE(std::regex_match(r.text, std::regex(R"re(\{"mood": "(calm|glad|sad)", "n": [0-9][0-9]?\})re"))) << r.text;
    EXPECT_EQ(r.stats.reason, stop_reason::end_of_turn);  // the grammar's end lets the model end
    test::pending_reply bad;
    auto wrong = bad.request({"x", "h"}, {{role::user, "hi"}}, 5);
    wrong.gen.grammar = "root ::= (";
    const status st = e->submit(std::move(wrong));
    EXPECT_EQ(st.code(), status_code::invalid_argument);
    EXPECT_NE(st.message().find("grammar"), std::string::npos);
}

// Ported from the terminal's former generator (chat_session), which the engine replaced.
TEST_F(engine_test, streamed_pieces_are_whole_utf8_and_add_up_to_the_reply) {
    auto e = start();
    test::pending_reply p;
    auto r = p.request(alice, {{role::user, "Hi"}}, 40);
    auto all_valid = std::make_shared<std::atomic<bool>>(true);
    auto streamed = std::make_shared<std::string>();
    auto inner = std::move(r.on_event);
    r.on_event = [inner, all_valid, streamed](const completion_event & ev) {
        if (ev.type == completion_event::kind::text) {
            if (!utf8_is_valid(ev.text)) all_valid->store(false);
            *streamed += ev.text;  // the engine's thread only
        }
        inner(ev);
    };
    ASSERT_TRUE(e->submit(std::move(r)));
    const auto reply = p.wait();
    ASSERT_TRUE(reply.st) << reply.st.message();
    EXPECT_TRUE(all_valid->load());
    EXPECT_EQ(*streamed, reply.text);
    EXPECT_TRUE(utf8_is_valid(reply.text));
}

TEST_F(engine_test, seeded_sampling_repeats_and_differs_by_seed) {
    auto e = start();
    generation_options g;
    g.sampling.temperature = 0.9f;
    g.max_tokens = 12;
    g.sampling.seed = 5;
    auto a = complete(*e, {"alice", "a"}, {{role::user, "Hi"}}, g);
    auto b = complete(*e, {"alice", "b"}, {{role::user, "Hi"}}, g);
    g.sampling.seed = 6;
    auto c = complete(*e, {"alice", "c"}, {{role::user, "Hi"}}, g);
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->text, b->text);
    EXPECT_NE(a->text, c->text);
}

TEST_F(engine_test, the_models_template_renders_chatml) {
    auto t = chat_template::create(model_->raw());
    ASSERT_TRUE(t) << t.error().message();
    auto text = (*t)->render({{role::system, "S"}, {role::user, "U"}});
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
}

TEST_F(engine_test, a_step_that_throws_ends_the_replies_in_progress_and_the_engine_goes_on) {
    engine_options o;
    auto armed = std::make_shared<std::atomic<bool>>(false);
    o.before_step = [armed] {
        if (armed->exchange(false)) throw std::runtime_error("out of memory (a test)");
    };
    auto e = start(o);
    armed->store(true);
    const auto failed = run_turn(*e, alice, {{role::user, "Hi"}}, 8);
    EXPECT_EQ(failed.st.code(), status_code::internal) << failed.st.message();
    // The same conversation again, and another: answered as on a fresh engine.
    const auto again = run_turn(*e, alice, {{role::user, "Hi"}}, 8);
    ASSERT_TRUE(again.st) << again.st.message();
    const auto other = run_turn(*e, bob, {{role::user, "Hi"}}, 8);
    ASSERT_TRUE(other.st) << other.st.message();
    EXPECT_EQ(again.text, other.text);
}

TEST_F(engine_test, bad_requests_are_refused_at_once) {
    auto e = start();
    test::pending_reply p;
    EXPECT_EQ(e->submit(p.request(alice, {}, 5)).code(), status_code::invalid_argument);
    EXPECT_EQ(e->submit(p.request(alice, {{role::assistant, "hi"}}, 5)).code(), status_code::invalid_argument);
    EXPECT_EQ(e->submit(p.request(alice, {{role::user, "hi"}}, 0)).code(), status_code::invalid_argument);
    std::string huge;
    for (int i = 0; i < 2000; ++i) huge += "word ";
    const status st = e->submit(p.request(alice, {{role::user, huge}}, 5));
    EXPECT_EQ(st.code(), status_code::invalid_argument);
    EXPECT_NE(st.message().find("too long"), std::string::npos);
}

TEST_F(engine_test, a_long_history_is_trimmed_to_fit) {
    auto e = start();
    std::vector<chat_message> msgs = {{role::system, "Keep me."}};
    for (int i = 0; i < 40; ++i) {
        msgs.push_back({role::user, "A fairly long message number " + std::to_string(i) + " about many different things."});
        msgs.push_back({role::assistant, "And an equally long answer number " + std::to_string(i) + " about other things."});
    }
    msgs.push_back({role::user, "Newest"});
    const auto r = run_turn(*e, alice, msgs, 16);
    ASSERT_TRUE(r.st) << r.st.message();
    EXPECT_GT(r.stats.dropped_messages, 0);
    EXPECT_LE(r.stats.prompt_tokens + 16, 1024);
}

// Once a conversation has been cut to fit, the cut stays put: later turns
// compute only their new tokens instead of everything after a moving cut.
TEST_F(engine_test, a_conversation_that_outgrows_the_context_is_cut_rarely) {
    auto e = start();  // 1024 tokens per conversation
    std::vector<chat_message> msgs = {{role::system, "Keep me."}, {role::system, "A profile that is kept too."}};
    int cuts = 0, cheap_turns = 0, turns_after_first_cut = 0;
    for (int turn = 0; turn < 30; ++turn) {
        msgs.push_back({role::user, "Turn " + std::to_string(turn) + ": a message of a few words about the weather today."});
        const auto r = run_turn(*e, alice, msgs, 16);
        ASSERT_TRUE(r.st) << r.st.message();
        if (r.stats.dropped_messages > 0) {
            ++turns_after_first_cut;
            if (r.stats.computed_tokens < 80) ++cheap_turns;
        }
        cuts += r.stats.computed_tokens > 200;
        msgs.push_back({role::assistant, r.text});
    }
    ASSERT_GT(turns_after_first_cut, 5);
    EXPECT_GE(cheap_turns, turns_after_first_cut * 2 / 3);
    EXPECT_LE(cuts, 4);
}

TEST_F(engine_test, a_full_queue_refuses_more) {
    engine_options o;
    o.parallel = 1;
    o.max_pending = 2;
    auto e = start(o);
    std::vector<std::unique_ptr<test::pending_reply>> rs;
    int refused = 0;
    for (int i = 0; i < 6; ++i) {
        rs.push_back(std::make_unique<test::pending_reply>());
        const status st = e->submit(rs.back()->request({"p", std::to_string(i)}, {{role::user, "hello"}}, 200));
        if (!st) {
            EXPECT_EQ(st.code(), status_code::resource_exhausted);
            ++refused;
            rs.pop_back();
        }
    }
    EXPECT_GT(refused, 0);
    for (auto & r : rs) r->cancel->store(true);
    for (auto & r : rs) r->wait();
}

TEST_F(engine_test, drop_forgets_a_conversation_everywhere) {
    engine_options o;
    o.parallel = 1;
    auto e = start(o);
    run_turn(*e, alice, {{role::user, "remember this"}});
    run_turn(*e, bob, {{role::user, "push alice out"}});  // alice now in RAM
    test::drop_and_wait(*e, alice);
    const auto r = run_turn(*e, alice, {{role::user, "remember this"}});
    EXPECT_EQ(r.stats.computed_tokens, r.stats.prompt_tokens);
    test::drop_person_and_wait(*e, "bob");
    const auto b = run_turn(*e, bob, {{role::user, "push alice out"}});
    EXPECT_EQ(b.stats.computed_tokens, b.stats.prompt_tokens);
}

// An erase that comes while the server stops must not leave the state that the
// stop saved for the next start (where a new person of the same name would meet it).
TEST_F(engine_test, a_drop_after_the_stop_forgets_what_the_stop_saved) {
    auto e = start();
    run_turn(*e, alice, {{role::user, "remember this"}});
    run_turn(*e, bob, {{role::user, "and this"}});
    e->stop(0);
    int calls = 0;
    auto * engine = e.get();
    e->drop(alice, [&calls, engine](bool found) {
        EXPECT_TRUE(found);
        ++calls;
        engine->drop_person("bob", [&calls] { ++calls; });  // a callback may drop again
    });
    EXPECT_EQ(calls, 2);  // after the stop, on this thread
    e.reset();
    auto again = start();
    const auto a = run_turn(*again, alice, {{role::user, "remember this"}});
    EXPECT_EQ(a.stats.computed_tokens, a.stats.prompt_tokens);
    const auto b = run_turn(*again, bob, {{role::user, "and this"}});
    EXPECT_EQ(b.stats.computed_tokens, b.stats.prompt_tokens);
}

// Bob's reply holds the one sequence while Alice's state is read from disk
// ahead of her turn; erasing Alice then must leave that read unused.
TEST_F(engine_test, a_state_read_ahead_is_not_used_once_its_person_is_erased) {
    engine_options o;
    o.parallel = 1;
    o.kv_ram_bytes = 0;  // a state that leaves the sequence goes to disk
    auto e = start(o);
    const std::vector<chat_message> hello{{role::user, "remember this"}};
    run_turn(*e, alice, hello);
    run_turn(*e, bob, {{role::user, "push alice out"}});

    std::mutex mu;
    std::condition_variable cv;
    int reached = 0, allowed = 0;
    test::pending_reply b;
    auto req = b.request(bob, {{role::user, "push alice out"}, {role::assistant, "ok"}, {role::user, "go on"}}, 300);
    req.gen.ignore_eos = true;  // Bob's reply is long for certain
    req.on_event = [inner = req.on_event, &mu, &cv, &reached, &allowed](const completion_event & ev) {
        if (ev.type == completion_event::kind::text) {
            std::unique_lock<std::mutex> lock(mu);
            ++reached;
            if (reached == 1 || reached == 30) {  // wait there until the test lets go
                cv.notify_all();
                cv.wait(lock, [&] { return allowed >= reached; });
            }
        }
        inner(ev);
    };
    ASSERT_TRUE(e->submit(std::move(req)));
    const auto wait_for_piece = [&](int n) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return reached >= n; });
    };
    const auto let_go = [&](int n) {
        std::lock_guard<std::mutex> lock(mu);
        allowed = n;
        cv.notify_all();
    };
    wait_for_piece(1);  // Bob holds the sequence
    test::pending_reply a;
    ASSERT_TRUE(e->submit(a.request(alice, hello, 4)));
    let_go(1);
    wait_for_piece(30);  // Alice's read was queued at the next step and has had 29 steps to finish
    let_go(30);
    test::drop_person_and_wait(*e, "alice");  // long before Bob's 300 tokens end

    const auto rb = b.wait();
    ASSERT_TRUE(rb.st) << rb.st.message();
    EXPECT_EQ(rb.stats.generated_tokens, 300);
    const auto ra = a.wait();
    ASSERT_TRUE(ra.st) << ra.st.message();
    EXPECT_EQ(ra.stats.computed_tokens, ra.stats.prompt_tokens);
    EXPECT_EQ(e->stats().hits_disk, 0u);  // Bob stayed resident; Alice's read was not used
}

TEST_F(engine_test, stop_lets_replies_finish_and_refuses_new_ones) {
    auto e = start();
    test::pending_reply p;
    ASSERT_TRUE(e->submit(p.request(alice, {{role::user, "Hello"}}, 30)));
    e->stop(10000);
    const auto r = p.wait();
    EXPECT_TRUE(r.st);
    EXPECT_EQ(r.stats.generated_tokens, 30);  // finished within the drain time
    test::pending_reply q;
    EXPECT_EQ(e->submit(q.request(bob, {{role::user, "late"}}, 5)).code(), status_code::cancelled);
}

}  // namespace
}  // namespace os1::llm
