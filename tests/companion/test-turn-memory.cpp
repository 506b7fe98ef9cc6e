#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <sstream>

#include "companion/turn_memory.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

class turn_memory_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("memory.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
    }
    turn_context ctx(const std::string & person, const std::string & conversation) {
        return {person, conversation, person, "OS1", now_ += 60, ""};
    }
    // One whole turn as a server does it; returns the messages the model saw.
    std::vector<llm::chat_message> say(const turn_context & c, std::vector<llm::chat_message> & history,
                                       const std::string & text, const std::string & reply) {
        history.push_back({role::user, text});
        auto p = prepare_turn(*store_, c, history, "You are OS1.");
        EXPECT_TRUE(p) << p.error().message();
        if (!p) return {};
        EXPECT_TRUE(remember_reply(*store_, c, p->person, reply));
        history.push_back({role::assistant, reply});
        return lay_out(p->parts);
    }

    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    int64_t now_ = 1780000000;
};

TEST_F(turn_memory_test, a_message_is_stored_before_the_reply_and_recalled_in_another_conversation) {
    std::vector<llm::chat_message> first, second;
    say(ctx("ada", "c1"), first, "My sister Zoe moved to Boston in May.", "How exciting for her!");
    const auto seen = say(ctx("ada", "c2"), second, "Where does my sister live now?", "In Boston.");
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].content, "You are OS1.");
    EXPECT_NE(seen[1].content.find("ada: My sister Zoe moved to Boston in May."), std::string::npos) << seen[1].content;
    EXPECT_NE(seen[1].content.find("Where does my sister live now?"), std::string::npos);

    auto ada = store_->person("ada", false);
    ASSERT_TRUE(ada);
    auto turns = store_->turns().list_turns(*ada, 0, 10);
    ASSERT_TRUE(turns);
    ASSERT_EQ(turns->size(), 4u);
    EXPECT_EQ((*turns)[0].role, role::assistant);
    EXPECT_EQ((*turns)[0].speaker, "OS1");
    EXPECT_EQ((*turns)[1].text, "Where does my sister live now?");
    EXPECT_NE((*turns)[1].recalled.find("Boston"), std::string::npos);
}

TEST_F(turn_memory_test, history_is_sent_again_exactly_as_before_so_the_kv_prefix_holds) {
    std::vector<llm::chat_message> old, talk;
    say(ctx("ada", "c1"), old, "I adopted a grey cat named Pixel.", "Lovely.");
    const auto turn1 = say(ctx("ada", "c2"), talk, "Pixel knocked over my cat's water bowl.", "Oh no.");
    ASSERT_NE(turn1.back().content.find("grey cat named Pixel"), std::string::npos);
    const auto turn2 = say(ctx("ada", "c2"), talk, "What should I do about it?", "Get a heavier bowl.");
    // Every message of turn 1 comes back unchanged at the start of turn 2, then the reply.
    ASSERT_GE(turn2.size(), turn1.size() + 2);
    for (size_t i = 0; i < turn1.size(); ++i) EXPECT_EQ(turn2[i].content, turn1[i].content) << i;
    EXPECT_EQ(turn2[turn1.size()].content, "Oh no.");
}

TEST_F(turn_memory_test, what_the_prompt_already_holds_is_not_recalled_again) {
    std::vector<llm::chat_message> talk;
    say(ctx("ada", "c1"), talk, "The heron came back to the pond.", "Wonderful.");
    const auto seen = say(ctx("ada", "c1"), talk, "Do you think the heron will stay?", "Perhaps.");
    EXPECT_EQ(seen.back().content, "Do you think the heron will stay?");
}

// Issue 15: a returning turn computes only what is new. What an earlier block
// of this conversation recalled is still in the prompt, so it is not recalled again.
TEST_F(turn_memory_test, an_item_an_earlier_block_brought_is_not_recalled_again) {
    std::vector<llm::chat_message> old, talk;
    say(ctx("ada", "c1"), old, "My sister Zoe moved to Boston in May.", "How exciting for her!");
    const auto first = say(ctx("ada", "c2"), talk, "Did I tell you about my sister?", "You did.");
    ASSERT_NE(first.back().content.find("Zoe moved to Boston"), std::string::npos) << first.back().content;
    const auto second = say(ctx("ada", "c2"), talk, "I miss my sister so much these days.", "I know.");
    EXPECT_EQ(second.back().content.find("Zoe moved to Boston"), std::string::npos) << second.back().content;
    // It is still there, in the first message of this conversation, as the model saw it.
    EXPECT_NE(second[1].content.find("Zoe moved to Boston"), std::string::npos);
    // In another conversation (its own context) it is recalled again.
    std::vector<llm::chat_message> other;
    const auto elsewhere = say(ctx("ada", "c3"), other, "Did I tell you about my sister?", "Yes.");
    EXPECT_NE(elsewhere.back().content.find("Zoe moved to Boston"), std::string::npos);
}

// Once the history shows recalled items, a turn adds at most recall_words_later
// words of new ones: each block is computed anew, the earlier ones are not.
TEST_F(turn_memory_test, a_later_turn_adds_a_smaller_block_once_the_history_shows_one) {
    std::vector<llm::chat_message> old, talk;
    for (const char * what : {"roses grew tall along the old stone wall by the gate this summer",
                              "tomatoes split after the storm so I made a green chutney with apples",
                              "beans went in too late and the frost took them before the pods filled",
                              "shed roof leaks again and the rain ruined a sack of compost and seed",
                              "pond has frogs now and the heron comes at dawn to look for them",
                              "apple tree gave so much fruit that I left boxes of it at the church",
                              "hedge needs cutting but the blackbirds are nesting in it until June",
                              "soil is heavy clay so I dug in sand and leaf mould all of March",
                              "lavender by the path smells of my grandmother's house in Provence",
                              "bench my father built is rotting and I cannot bring myself to burn it"}) {
        say(ctx("ada", "c1"), old, std::string("In the garden the ") + what + ".", "I see.");
    }
    const auto items_words = [](const std::string & m) {
        int words = 0;
        for (size_t at = m.find("\n- "); at != std::string::npos; at = m.find("\n- ", at + 1)) {
            const size_t end = m.find('\n', at + 3);
            std::istringstream line(m.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3));
            for (std::string w; line >> w;) ++words;
        }
        return words;
    };
    const auto first = say(ctx("ada", "c2"), talk, "Tell me about my garden.", "It is thriving.");
    ASSERT_GT(items_words(first.back().content), 50) << first.back().content;
    const auto second = say(ctx("ada", "c2"), talk, "What else happened in the garden?", "Let me think.");
    const int later = items_words(second.back().content);
    EXPECT_GT(later, 0) << "the other garden turns are still worth recalling: " << second.back().content;
    EXPECT_LE(later, memory_settings{}.recall_words_later) << second.back().content;
    // The first block explained what it is; this one, below it in the prompt, says less.
    EXPECT_EQ(first.back().content.rfind("[From earlier conversations, in case it matters now:\n", 0), 0u) << first.back().content;
    EXPECT_EQ(second.back().content.rfind("[Also from earlier:\n", 0), 0u) << second.back().content;
}

// A memory longer than the later budget still comes, cut to its beginning, and once.
TEST_F(turn_memory_test, a_long_memory_comes_cut_in_a_later_turn_and_only_once) {
    std::vector<llm::chat_message> old, talk;
    say(ctx("ada", "c1"), old, "The garden roses are blooming by the gate.", "Lovely.");
    std::string story = "My violin teacher";
    for (int i = 0; i < 30; ++i) story += " said practice slowly";
    std::vector<llm::chat_message> older;
    say(ctx("ada", "c0"), older, story + ".", "Wise.");
    const auto first = say(ctx("ada", "c2"), talk, "How are the garden roses?", "Blooming.");
    ASSERT_NE(first.back().content.find("roses are blooming"), std::string::npos) << first.back().content;
    ASSERT_EQ(first.back().content.find("violin"), std::string::npos) << first.back().content;
    const auto second = say(ctx("ada", "c2"), talk, "I picked up my violin teacher's old bow.", "Nice.");
    EXPECT_NE(second.back().content.find("My violin teacher said practice slowly"), std::string::npos) << second.back().content;
    EXPECT_NE(second.back().content.find("\u2026"), std::string::npos) << second.back().content;
    const auto third = say(ctx("ada", "c2"), talk, "The violin teacher would be proud.", "Surely.");
    EXPECT_EQ(third.back().content.find("My violin teacher said"), std::string::npos) << third.back().content;
}

// The tone line is sent only when it changes: the model still sees the last one.
TEST_F(turn_memory_test, the_tone_line_comes_again_only_when_the_tone_changes) {
    std::vector<llm::chat_message> talk;
    const auto c = [&] { return ctx("ada", "c1"); };
    EXPECT_EQ(say(c(), talk, "I'm so sad today.", "I'm here.").back().content.rfind("[They seem sad", 0), 0u);
    EXPECT_EQ(say(c(), talk, "Still sad, and tired.", "Rest.").back().content, "Still sad, and tired.");
    EXPECT_EQ(say(c(), talk, "Oh! I'm so happy, she called!", "Wonderful!").back().content.rfind("[They seem happy", 0), 0u);
    EXPECT_EQ(say(c(), talk, "Now I'm sad again.", "Oh.").back().content.rfind("[They seem sad", 0), 0u);
    std::vector<llm::chat_message> fresh;  // another conversation has not seen it
    EXPECT_EQ(say(ctx("ada", "c2"), fresh, "Still sad.", "I know.").back().content.rfind("[They seem sad", 0), 0u);
}

TEST_F(turn_memory_test, a_retried_request_is_stored_once_with_the_same_prompt) {
    std::vector<llm::chat_message> old;
    say(ctx("ada", "c1"), old, "Zoe lives in Boston.", "Noted.");
    const std::vector<llm::chat_message> req = {{role::user, "Tell me about Zoe in Boston"}};
    auto a = prepare_turn(*store_, ctx("ada", "c2"), req, "");
    auto b = prepare_turn(*store_, ctx("ada", "c2"), req, "");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->user_turn_id, b->user_turn_id);
    EXPECT_EQ(lay_out(a->parts).back().content, lay_out(b->parts).back().content);
    EXPECT_EQ(*store_->turns().count_turns(a->person), 3);
}

TEST_F(turn_memory_test, one_person_never_recalls_another_persons_memories) {
    std::vector<llm::chat_message> a, b;
    say(ctx("ada", "c"), a, "My PIN is CANARY-4471 and my sister lives in Boston.", "I will keep it safe.");
    const auto seen = say(ctx("bob", "c"), b, "What is my PIN? Where does my sister live? CANARY Boston", "I don't know.");
    for (const auto & m : seen) EXPECT_EQ(m.content.find("4471"), std::string::npos) << m.content;
    EXPECT_EQ(seen.back().content, "What is my PIN? Where does my sister live? CANARY Boston");
}

TEST_F(turn_memory_test, the_core_profile_is_its_own_system_message_after_the_persona) {
    auto ada = store_->person("ada", true);
    ASSERT_TRUE(ada);
    ASSERT_TRUE(store_->profiles().set_profile(*ada, "Ada paints at night."));
    std::vector<llm::chat_message> talk;
    const auto seen = say(ctx("ada", "c"), talk, "Hello", "Hello, Ada.");
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].content, "You are OS1.");
    EXPECT_NE(seen[1].content.find("Ada paints at night."), std::string::npos);
}

TEST_F(turn_memory_test, learned_facts_join_the_core_profile_which_holds_for_a_whole_conversation) {
    std::vector<llm::chat_message> c1, c2, c3;
    say(ctx("ada", "c1"), c1, "My sister Zoe moved to Boston.", "How exciting!");
    auto ada = store_->person("ada", false);
    ASSERT_TRUE(ada);
    memory::new_fact f;
    f.text = "Her sister Zoe lives in Boston.";
    f.ts = now_;
    f.confidence = 0.9;
    f.sources = {store_->turns().list_turns(*ada, 0, 10)->back().id};
    const int64_t zoe = *store_->facts().add_fact(*ada, f);
    // c1 began without it: its prompt keeps its first profile (none), so its KV prefix holds.
    const auto later = say(ctx("ada", "c1"), c1, "I miss her.", "Call her tonight?");
    EXPECT_EQ(later[1].content, "My sister Zoe moved to Boston.");
    // A new conversation begins with it, and keeps it even as more is learned.
    const auto fresh = say(ctx("ada", "c2"), c2, "Hello again.", "Hello, Ada.");
    ASSERT_GE(fresh.size(), 3u);
    EXPECT_EQ(fresh[1].role, role::system);
    EXPECT_NE(fresh[1].content.find("Learned from your conversations:\n- Her sister Zoe lives in Boston."), std::string::npos)
        << fresh[1].content;
    f.text = "She paints at night.";
    ASSERT_TRUE(store_->facts().add_fact(*ada, f));
    const auto next = say(ctx("ada", "c2"), c2, "What a day.", "Tell me.");
    EXPECT_EQ(next[1].content, fresh[1].content);
    // Forgetting the fact names c2 (its KV state must go) and its next prompt is without it.
    auto affected = store_->facts().forget_fact(*ada, zoe);
    ASSERT_TRUE(affected);
    EXPECT_EQ(*affected, (std::vector<std::string>{"c2"}));
    const auto after = say(ctx("ada", "c2"), c2, "Anyway.", "Yes?");
    for (const auto & m : after) EXPECT_EQ(m.content.find("lives in Boston"), std::string::npos) << m.content;
    EXPECT_NE(after[1].content.find("She paints at night."), std::string::npos);
}

TEST_F(turn_memory_test, a_fact_is_recalled_where_the_profile_has_no_room_for_it) {
    std::vector<llm::chat_message> c1, c2;
    say(ctx("ada", "c1"), c1, "The heron nests by the old mill.", "Lovely.");
    auto ada = store_->person("ada", false);
    memory::new_fact f;
    f.text = "A heron nests by the old mill.";
    f.ts = now_;
    f.confidence = 0.8;
    f.sources = {store_->turns().list_turns(*ada, 0, 10)->back().id};
    const int64_t heron = *store_->facts().add_fact(*ada, f);
    memory_settings s;
    s.profile_facts = 0;  // the profile holds none: recall brings it
    c2.push_back({role::user, "Is the heron still at the mill?"});
    auto p = prepare_turn(*store_, ctx("ada", "c2"), c2, "", s);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_NE(p->parts.recalled.find("(as of "), std::string::npos) << p->parts.recalled;
    EXPECT_NE(p->parts.recalled.find("A heron nests by the old mill."), std::string::npos);
    // The turn keeps which fact it quoted: forgetting the fact clears the block and names the conversation.
    auto affected = store_->facts().forget_fact(*ada, heron);
    ASSERT_TRUE(affected);
    EXPECT_EQ(*affected, (std::vector<std::string>{"c2"}));
    EXPECT_EQ(store_->turns().turn(*ada, p->user_turn_id)->recalled.find("heron nests"), std::string::npos);
}

TEST_F(turn_memory_test, bad_requests_are_refused_and_nothing_is_stored) {
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {}, "").error().code(), status_code::invalid_argument);
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {{role::assistant, "hi"}}, "").error().code(), status_code::invalid_argument);
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {{role::user, std::string("bad \xff utf8")}}, "").error().code(),
              status_code::invalid_argument);
    EXPECT_EQ(prepare_turn(*store_, ctx("ada", "c"), {{role::user, std::string(70000, 'x')}}, "").error().code(),
              status_code::invalid_argument);
    auto ada = store_->person("ada", true);
    EXPECT_EQ(*store_->turns().count_turns(*ada), 0);
}

// A crash at any write while a message is stored: on restart the turn is
// whole (message, feeling, the session's profile and persona, vector) or absent.
class crash_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("base.db"));
        ASSERT_TRUE(s) << s.error().message();
        ASSERT_TRUE((*s)->vectors().use_vector_model("m", 2));
        auto ada = (*s)->person("ada", true);
        ASSERT_TRUE(ada);
        ASSERT_TRUE((*s)->profiles().set_profile(*ada, "Ada keeps bees."));
    }
    // Runs STEP on a copy of the base store in a child process that ends
    // itself before its KILL_AT-th write (0: never); the copy's path. Sets
    // WRITES to how many writes STEP made when it was not ended.
    using step_fn = std::function<bool(memory::memory_store &, memory::person_id)>;
    std::string run_killed(const step_fn & step, int kill_at, int * writes = nullptr) {
        const std::string path = dir_.file("crash-" + std::to_string(kill_at) + ".db");
        std::filesystem::copy_file(dir_.file("base.db"), path);
        int pipe_fd[2];
        if (pipe(pipe_fd) != 0) return "";
        const pid_t pid = fork();
        if (pid == 0) {
            close(pipe_fd[0]);
            auto s = memory::memory_store::open(path);
            if (!s || !(*s)->vectors().use_vector_model("m", 2, false)) _exit(3);
            auto ada = (*s)->person("ada", false);
            if (!ada) _exit(3);
            int n = 0;
            (*s)->before_write([&] {
                if (++n == kill_at) _exit(42);  // no destructor, no rollback: as a crash
            });
            if (!step(**s, *ada)) _exit(4);
            (*s)->before_write({});
            if (write(pipe_fd[1], &n, sizeof n) != sizeof n) _exit(5);
            _exit(0);
        }
        close(pipe_fd[1]);
        int n = 0;
        const bool told = read(pipe_fd[0], &n, sizeof n) == sizeof n;
        close(pipe_fd[0]);
        int wstatus = 0;
        waitpid(pid, &wstatus, 0);
        EXPECT_TRUE(WIFEXITED(wstatus));
        EXPECT_EQ(WEXITSTATUS(wstatus), kill_at > 0 ? 42 : 0) << "killed before write " << kill_at;
        if (writes && told) *writes = n;
        return path;
    }
    // "whole", "absent" or what is half there.
    static std::string state_of(const std::string & path, const std::string & text, bool with_vector) {
        auto s = memory::memory_store::open(path);
        if (!s) return "unreadable: " + s.error().message();
        auto ada = (*s)->person("ada", false);
        auto tail = (*s)->turns().session_tail(*ada, "c1", 10);
        auto feelings = (*s)->feelings().emotions_between(*ada, 0, INT64_MAX, 10);
        auto profile = (*s)->profiles().session_profile(*ada, "c1");
        auto persona = (*s)->profiles().session_persona(*ada, "c1");
        auto no_vector = (*s)->vectors().turns_without_vector(*ada, 10);
        if (!tail || !feelings || !profile || !persona || !no_vector) return "unreadable";
        const bool turn = tail->size() == 1 && tail->front().text == text;
        const std::vector<bool> parts = {turn, feelings->size() == 1, profile->has_value(), persona->has_value(),
                                         with_vector && turn && no_vector->empty()};
        if (std::all_of(parts.begin(), parts.end() - (with_vector ? 0 : 1), [](bool b) { return b; })) return "whole";
        if (tail->empty() && std::none_of(parts.begin(), parts.end(), [](bool b) { return b; })) return "absent";
        std::string half = "half:";
        for (bool b : parts) half += b ? " 1" : " 0";
        return half;
    }
    void expect_whole_or_absent(const step_fn & step, const std::string & text, bool with_vector) {
        int writes = 0;
        EXPECT_EQ(state_of(run_killed(step, 0, &writes), text, with_vector), "whole");
        ASSERT_GE(writes, 4) << "the turn, its session, the profile, the persona, the feeling...";
        for (int k = 1; k <= writes; ++k) {
            const std::string state = state_of(run_killed(step, k), text, with_vector);
            EXPECT_TRUE(state == "whole" || state == "absent") << "killed before write " << k << " of " << writes << ": " << state;
        }
    }
    test::temp_dir dir_;
};

TEST_F(crash_test, a_message_stored_by_the_turn_is_whole_or_absent_after_a_crash_at_any_write) {
    const std::string text = "The bees swarmed into the plum tree this morning.";
    expect_whole_or_absent(
        [&](memory::memory_store & s, memory::person_id) {
            turn_context c{"ada", "c1", "Ada", "OS1", 1780000000, ""};
            return prepare_turn(s, c, {{role::user, text}}, "You are OS1.").is_ok();
        },
        text, false);
}

TEST_F(crash_test, a_message_with_its_vector_is_whole_or_absent_after_a_crash_at_any_write) {
    const std::string text = "The honey is darker this year.";
    expect_whole_or_absent(
        [&](memory::memory_store & s, memory::person_id who) {
            turn_parts w;
            w.turn = turn_of({"ada", "c1", "Ada", "OS1", 1780000000, ""}, role::user, "Ada", text);
            w.feeling = memory::emotion_reading{0, 1780000000, "calm", 0.2, 0.1, "lexicon"};
            w.session_profile = "Ada keeps bees.";
            w.session_persona = "";
            w.vector = {0.6f, 0.8f};
            return store_turn(s, who, "c1", w).is_ok();
        },
        text, true);
}

}  // namespace
}  // namespace os1::companion
