// The companion's turn (companion/turn.h) over the scripted fake engine and a
// real memory store: what every front end gets from it, without a model.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "companion/honesty.h"
#include "companion/turn.h"
#include "fakes/fake_llm.h"
#include "llm/engine_runner.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

using kind = turn_event::kind;

// What a front end heard, in order; `log` also records the learning hook.
class listener {
public:
    turn_sink sink() {
        return [this](const turn_event & ev) { add(ev); };
    }
    void add(const turn_event & ev, const char * note = nullptr) {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(ev);
        if (note) notes_.push_back(note);
        else notes_.push_back(ev.type == kind::started ? "started" : ev.type == kind::text ? "text"
                              : ev.type == kind::done    ? "done" : "failed");
        cv_.notify_all();
    }
    void note(const char * what) { add({kind::text, {}, {}, {}}, what); }
    // Waits for the turn's last event (done or failed) and gives every event.
    std::vector<turn_event> wait() {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return ended(); });
        return events_;
    }
    std::vector<std::string> wait_for_note(const std::string & what) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return std::find(notes_.begin(), notes_.end(), what) != notes_.end(); });
        return notes_;
    }
    static std::string text(const std::vector<turn_event> & events) {
        std::string t;
        for (const auto & e : events) if (e.type == kind::text) t += e.text;
        return t;
    }

private:
    bool ended() const {
        for (const auto & e : events_) if (e.type == kind::done || e.type == kind::failed) return true;
        return false;
    }
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<turn_event> events_;
    std::vector<std::string> notes_;
};

class turn_test : public ::testing::Test {
protected:
    turn_test() : llm_([this](const llm::completion_request & r) { return script_(r); }) {}

    void start(bool memory = true, prompt_executor prompts = {}) {
        if (memory) {
            auto s = memory::memory_store::open(dir_.file("memory.db"));
            ASSERT_TRUE(s) << s.error().message();
            worker_ = std::make_unique<memory::memory_worker>(std::move(*s));
        }
        if (!prompts) prompts = [](std::function<void()> job) { job(); return true; };
        runner_ = std::make_unique<turn_runner>(llm_, worker_.get(), clock_, std::move(prompts), settings_);
    }
    turn_request request(const std::string & text, const std::string & person = "theo") {
        turn_request r;
        r.context = {person, "c1", person, "OS1", 0, ""};
        r.messages = {{role::user, text}};
        r.gen.max_tokens = 64;
        return r;
    }
    std::vector<turn_event> run(turn_request r) {
        listener l;
        runner_->run(std::move(r), l.sink());
        return l.wait();
    }
    std::vector<memory::turn_record> stored(const std::string & person = "theo") {
        return worker_->call([&](memory::memory_store & s) {
            auto who = s.person(person, false);
            if (!who) return std::vector<memory::turn_record>{};
            auto t = s.turns().session_tail(*who, "c1", 100);
            return t ? *t : std::vector<memory::turn_record>{};
        });
    }
    bool known(const std::string & person) {
        return worker_->call([&](memory::memory_store & s) { return static_cast<bool>(s.person(person, false)); });
    }
    void TearDown() override {
        llm_.stop(0);
        worker_.reset();  // its last jobs run first
    }

    std::function<std::string(const llm::completion_request &)> script_ = [](const llm::completion_request & r) {
        return "you said " + r.messages.back().content;
    };
    test::temp_dir dir_;
    test::fake_llm llm_;
    fake_clock clock_{1780000000};
    turn_settings settings_ = [] {
        turn_settings s;
        s.onboarding.enabled = false;
        s.default_persona = "You are a kind companion.";
        return s;
    }();
    std::unique_ptr<memory::memory_worker> worker_;
    std::unique_ptr<turn_runner> runner_;
};

TEST_F(turn_test, without_memory_the_messages_go_to_the_model_as_given_and_the_reply_streams_in_order) {
    start(false);
    auto r = request("hello there");
    r.messages.insert(r.messages.begin(), {role::system, "be brief"});
    const auto events = run(std::move(r));
    ASSERT_GE(events.size(), 3u);
    EXPECT_EQ(events.front().type, kind::started);
    EXPECT_EQ(events.back().type, kind::done);
    EXPECT_EQ(listener::text(events), "you said hello there");
    const auto asked = llm_.requests();
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0].key, (llm::conversation_key{"theo", "c1"}));
    ASSERT_EQ(asked[0].messages.size(), 2u);
    EXPECT_EQ(asked[0].messages[0].content, "be brief");
}

TEST_F(turn_test, the_reply_is_stored_before_done_and_learning_comes_after_it) {
    listener l;
    settings_.learn = [&l](memory::memory_store & s, memory::person_id who, const std::string & person) {
        EXPECT_EQ(person, "theo");
        auto tail = s.turns().session_tail(who, "c1", 10);
        EXPECT_TRUE(tail && tail->size() == 2u);
        l.note("learn");
    };
    start();
    runner_->run(request("I planted tomatoes today"), l.sink());
    const auto notes = l.wait_for_note("learn");
    ASSERT_GE(notes.size(), 4u);
    EXPECT_EQ(notes.front(), "started");
    EXPECT_EQ(notes[notes.size() - 2], "done");  // done was heard before learning began
    const auto turns = stored();
    ASSERT_EQ(turns.size(), 2u);
    EXPECT_EQ(turns[0].role, role::user);
    EXPECT_EQ(turns[0].text, "I planted tomatoes today");
    EXPECT_EQ(turns[1].role, role::assistant);
    EXPECT_EQ(turns[1].text, "you said I planted tomatoes today");
    // The model saw the persona the request lacked.
    const auto asked = llm_.requests();
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0].messages.front().role, role::system);
    EXPECT_NE(asked[0].messages.front().content.find("You are a kind companion."), std::string::npos);
}

TEST_F(turn_test, a_later_turn_recalls_an_earlier_conversation) {
    start();
    ASSERT_EQ(run(request("My sister Alma lives in Lisbon and paints boats")).back().type, kind::done);
    auto second = request("Where does my sister Alma live?");
    second.context.conversation = "c2";
    ASSERT_EQ(run(std::move(second)).back().type, kind::done);
    const auto asked = llm_.requests();
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_NE(asked[1].messages.back().content.find("Lisbon"), std::string::npos) << asked[1].messages.back().content;
}

TEST_F(turn_test, a_question_about_the_others_gets_the_true_live_figures) {
    settings_.talking_now = [] { return uint64_t{7}; };
    start();
    ASSERT_EQ(run(request("How many people are you talking to right now?")).back().type, kind::done);
    const auto asked = llm_.requests();
    ASSERT_EQ(asked.size(), 1u);
    const std::string note = live_figures_note(7, 0);
    EXPECT_NE(asked[0].messages.back().content.find(note), std::string::npos) << asked[0].messages.back().content;
}

TEST_F(turn_test, a_new_person_is_interviewed_without_the_model_then_the_os_names_itself) {
    settings_.onboarding.enabled = true;
    script_ = [](const llm::completion_request & r) -> std::string {
        if (r.gen.grammar.empty()) return "ordinary reply";
        return R"({"name":"Juniper","description":"a curious and gentle companion"})";
    };
    start();
    const auto & q = interview_questions();
    std::vector<std::string> answers = {"Hello?", "I write letters.", "Someone to talk to.", "Gently."};
    for (size_t i = 0; i < q.size(); ++i) {
        const auto events = run(request(answers[i]));
        ASSERT_EQ(events.back().type, kind::done);
        EXPECT_EQ(events.back().stats.generated_tokens, 0);
        EXPECT_EQ(listener::text(events), q[i]);
    }
    EXPECT_TRUE(llm_.requests().empty());  // the questions need no model
    const auto named = run(request(answers[3]));
    ASSERT_EQ(named.back().type, kind::done);
    EXPECT_NE(listener::text(named).find("Juniper"), std::string::npos) << listener::text(named);
    const auto asked = llm_.requests();
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0].key.conversation, naming_conversation());
    // The naming's state held the person's answers: it is dropped. The fake
    // drops in order, so once a later drop is done, so is that one.
    test::drop_and_wait(llm_, {"theo", "nothing"});
    EXPECT_FALSE(llm_.holds(asked[0].key));
}

TEST_F(turn_test, a_person_erased_while_the_os_chooses_its_name_gets_no_persona) {
    settings_.onboarding.enabled = true;
    auto current = std::make_shared<std::atomic<bool>>(true);
    script_ = [current](const llm::completion_request &) -> std::string {
        current->store(false);
        return R"({"name":"Juniper","description":"a curious and gentle companion"})";
    };
    start();
    std::vector<std::string> answers = {"Hello?", "I write letters.", "Someone to talk to.", "Gently."};
    for (size_t i = 0; i + 1 < answers.size(); ++i) ASSERT_EQ(run(request(answers[i])).back().type, kind::done);
    auto last = request(answers.back());
    last.still_current = [current] { return current->load(); };
    const auto events = run(std::move(last));
    ASSERT_EQ(events.back().type, kind::failed);
    EXPECT_EQ(events.back().error.code(), status_code::permission_denied);
    const auto version = worker_->call([](memory::memory_store & s) {
        auto who = s.person("theo", false);
        auto p = who ? s.personas().persona(*who) : result<memory::persona_record>(who.error());
        return p ? p->version : int64_t{-1};
    });
    EXPECT_EQ(version, 0);
}

TEST_F(turn_test, a_message_the_model_refuses_is_not_remembered) {
    start();
    llm_.refuse_next({status_code::invalid_argument, "too long for the context"});
    settings_.default_persona.clear();
    const auto events = run(request("a message the engine will not take"));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, kind::failed);
    EXPECT_EQ(events[0].error.code(), status_code::invalid_argument);
    EXPECT_TRUE(stored().empty());
}

TEST_F(turn_test, a_template_that_takes_one_system_message_gets_them_merged) {
    start();
    ASSERT_TRUE(worker_->call([](memory::memory_store & s) {
        auto who = s.person("theo", true);
        return who && s.profiles().set_profile(*who, "I am a letter writer.");
    }));
    llm_.refuse_next({status_code::invalid_argument, "one system message only"});
    const auto events = run(request("hello"));
    ASSERT_EQ(events.back().type, kind::done) << events.back().error.message();
    const auto asked = llm_.requests();  // the refused try is not recorded by the fake
    ASSERT_EQ(asked.size(), 1u);
    ASSERT_EQ(asked[0].messages.size(), 2u);  // the persona and the profile in one, then the message
    EXPECT_EQ(asked[0].messages[0].role, role::system);
    EXPECT_NE(asked[0].messages[0].content.find("You are a kind companion."), std::string::npos);
    EXPECT_NE(asked[0].messages[0].content.find("I am a letter writer."), std::string::npos);
}

TEST_F(turn_test, a_person_erased_before_the_turn_is_prepared_gets_nothing_written) {
    start();
    auto r = request("hello");
    r.still_current = [] { return false; };
    const auto events = run(std::move(r));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].error.code(), status_code::permission_denied);
    EXPECT_FALSE(known("theo"));
    EXPECT_TRUE(llm_.requests().empty());
}

TEST_F(turn_test, a_person_erased_while_the_reply_is_made_does_not_get_it_stored) {
    auto current = std::make_shared<std::atomic<bool>>(true);
    script_ = [current](const llm::completion_request &) {
        current->store(false);
        return "a reply nobody keeps";
    };
    start();
    auto r = request("hello");
    r.still_current = [current] { return current->load(); };
    const auto events = run(std::move(r));
    EXPECT_EQ(events.front().type, kind::started);
    EXPECT_EQ(events.back().type, kind::failed);
    EXPECT_EQ(events.back().error.code(), status_code::permission_denied);
    const auto turns = stored();
    ASSERT_EQ(turns.size(), 1u);  // the message, stored before; the erase takes it
    EXPECT_EQ(turns[0].role, role::user);
}

TEST_F(turn_test, a_cancelled_reply_is_done_but_not_remembered) {
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    script_ = [cancel](const llm::completion_request &) {
        cancel->store(true);
        return "words that are never said";
    };
    start();
    auto r = request("hello");
    r.cancelled = cancel;
    const auto events = run(std::move(r));
    ASSERT_EQ(events.back().type, kind::done);
    EXPECT_EQ(events.back().stats.reason, llm::stop_reason::cancelled);
    const auto turns = stored();
    ASSERT_EQ(turns.size(), 1u);
    EXPECT_EQ(turns[0].role, role::user);
}

TEST_F(turn_test, a_full_prompt_queue_is_busy_not_an_error) {
    start(true, [](std::function<void()>) { return false; });
    const auto events = run(request("hello"));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, kind::failed);
    EXPECT_EQ(events[0].error.code(), status_code::resource_exhausted);
}

TEST_F(turn_test, an_empty_request_is_refused) {
    start();
    turn_request r = request("x");
    r.messages.clear();
    const auto events = run(std::move(r));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].error.code(), status_code::invalid_argument);
}

}  // namespace
}  // namespace os1::companion
