// Initiative with a fake clock: what is noticed, when it is due, and the
// policy (quiet hours, the daily cap, opt-out, least importance, a pause in
// the conversation), each decision kept with its reason.
#include <gtest/gtest.h>

#include "base/clock.h"
#include "companion/initiative.h"
#include "companion/turn_memory.h"
#include "memory/export.h"
#include "support/temp_dir.h"

namespace os1::companion {
namespace {

constexpr int64_t hour = 3600, day = 86400;
// Monday 2026-06-01 00:00 UTC.
constexpr int64_t monday = 1780272000;

TEST(find_future_time, reads_days_hours_and_spans_ahead_of_now) {
    const int64_t now = monday + 10 * hour;  // Monday 10:00
    auto t = find_future_time("tomorrow at 6pm", now, 0);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->at, monday + day + 18 * hour);
    EXPECT_TRUE(t->clock_given);
    t = find_future_time("I have an interview on Friday", now, 0);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->at, monday + 4 * day + 12 * hour);  // noon when no hour is named
    EXPECT_FALSE(t->clock_given);
    EXPECT_EQ(find_future_time("see you Monday", now, 0)->at, monday + 7 * day + 12 * hour);  // today is Monday: the next one
    EXPECT_EQ(find_future_time("in 2 hours", now, 0)->at, now + 2 * hour);
    EXPECT_EQ(find_future_time("in 10 seconds", now, 0)->at, now + 10);
    EXPECT_EQ(find_future_time("in three days", now, 0)->at, monday + 3 * day + 12 * hour);
    EXPECT_EQ(find_future_time("tonight", now, 0)->at, monday + 20 * hour);
    EXPECT_EQ(find_future_time("at 9:30", now, 0)->at, monday + day + 9 * hour + 30 * 60);  // 9:30 has passed: tomorrow's
    EXPECT_EQ(find_future_time("tomorrow morning", now, 0)->at, monday + day + 9 * hour);
    // Local time: two hours east of UTC, "tomorrow at 6pm" is 16:00 UTC.
    EXPECT_EQ(find_future_time("tomorrow at 6pm", now, 120)->at, monday + day + 16 * hour);
    for (const char * none : {"I had a nice day", "yesterday at 5pm", "two days ago at 9am", "last Friday", "I have 3 cats", "room 101", ""}) {
        EXPECT_FALSE(find_future_time(none, now, 0)) << none;
    }
}

TEST(clock_text, reads_and_writes_a_time_of_day) {
    EXPECT_EQ(parse_clock("22:30"), 22 * 60 + 30);
    EXPECT_EQ(parse_clock("00:00"), 0);
    for (const char * bad : {"24:00", "7:30", "07:60", "07:30x", "", "ab:cd", "07-30"}) EXPECT_FALSE(parse_clock(bad)) << bad;
    EXPECT_EQ(clock_text(7 * 60 + 5), "07:05");
}

TEST(notice_initiatives, a_reminder_asked_for_and_a_follow_up_on_what_they_will_do) {
    const memory::initiative_settings s;
    const int64_t now = monday + 10 * hour;
    auto r = notice_initiatives("Please remind me to call Mum tomorrow at 6pm", 7, now, s);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].kind, memory::initiative_kind::reminder);
    EXPECT_EQ(r[0].text, "You asked me to remind you: call Mum tomorrow at 6pm.");
    EXPECT_EQ(r[0].due_at, monday + day + 18 * hour);
    EXPECT_EQ(r[0].dedup, "reminder:7");
    EXPECT_EQ(r[0].source_turn, 7);

    r = notice_initiatives("I have a job interview on Friday, wish me luck", 8, now, s);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].kind, memory::initiative_kind::follow_up);
    EXPECT_EQ(r[0].text, "You told me: \"I have a job interview on Friday, wish me luck\" How did it go?");
    EXPECT_EQ(r[0].due_at, monday + 4 * day + 19 * hour);  // that evening
    r = notice_initiatives("My exam is tomorrow at 9am", 9, now, s);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].due_at, monday + day + 12 * hour);  // three hours after it
    EXPECT_TRUE(notice_initiatives("The weather is nice", 10, now, s).empty());
    EXPECT_TRUE(notice_initiatives("Friday was great", 11, now, s).empty());  // not something of theirs ahead
}

TEST(check_in_after, a_hard_day_gets_a_check_in_the_next_morning) {
    const memory::initiative_settings s;
    const int64_t now = monday + 21 * hour;
    std::vector<memory::emotion_reading> today = {{1, now, "sadness", -0.7, 0.3, "lexicon"}};
    EXPECT_FALSE(check_in_after(today, now, s));  // one message is not a day
    today.push_back({2, now, "fear", -0.5, 0.6, "lexicon"});
    auto r = check_in_after(today, now, s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, memory::initiative_kind::check_in);
    EXPECT_EQ(r->due_at, monday + day + 10 * hour);
    EXPECT_NEAR(r->importance, 0.7, 1e-9);
    today.push_back({3, now, "joy", 0.9, 0.6, "lexicon"});
    EXPECT_FALSE(check_in_after(today, now, s));  // not so hard after all
}

TEST(decide_initiative, respects_opt_out_importance_quiet_hours_the_cap_and_a_pause) {
    memory::initiative_settings s;  // quiet 22:00-08:00, cap 2, least importance 0.3
    memory::initiative_record r;
    r.kind = memory::initiative_kind::follow_up;
    r.importance = 0.6;
    r.created_at = monday;
    const int64_t noon = monday + 12 * hour;
    EXPECT_EQ(decide_initiative(r, s, noon, monday, 0).state, memory::initiative_state::sent);
    auto d = decide_initiative(r, s, monday + 23 * hour, monday, 0);
    EXPECT_EQ(d.state, memory::initiative_state::pending);
    EXPECT_EQ(d.due_at, monday + day + 8 * hour);
    EXPECT_EQ(d.reason, "quiet hours until 08:00");
    d = decide_initiative(r, s, monday + 6 * hour, monday, 0);  // early morning: the same night's end
    EXPECT_EQ(d.due_at, monday + 8 * hour);
    d = decide_initiative(r, s, noon, monday, 2);
    EXPECT_EQ(d.state, memory::initiative_state::pending);
    EXPECT_EQ(d.due_at, monday + day + 8 * hour);
    EXPECT_NE(d.reason.find("daily cap of 2"), std::string::npos);
    d = decide_initiative(r, s, noon, noon - 5 * 60, 0);
    EXPECT_EQ(d.state, memory::initiative_state::pending);
    EXPECT_EQ(d.due_at, noon + 30 * 60);
    // A reminder they asked for: not capped, not held for a pause, sent even opted out.
    r.kind = memory::initiative_kind::reminder;
    EXPECT_EQ(decide_initiative(r, s, noon, noon - 60, 5).state, memory::initiative_state::sent);
    EXPECT_EQ(decide_initiative(r, s, monday + 23 * hour, monday, 0).state, memory::initiative_state::sent);  // at the hour asked, even if quiet
    s.opted_out = true;
    EXPECT_EQ(decide_initiative(r, s, noon, monday, 0).state, memory::initiative_state::sent);
    r.kind = memory::initiative_kind::follow_up;
    d = decide_initiative(r, s, noon, monday, 0);
    EXPECT_EQ(d.state, memory::initiative_state::dropped);
    EXPECT_NE(d.reason.find("opted out"), std::string::npos);
    s.opted_out = false;
    s.min_importance = 0.8;
    EXPECT_EQ(decide_initiative(r, s, noon, monday, 0).state, memory::initiative_state::dropped);
    s.min_importance = 0.3;
    r.kind = memory::initiative_kind::check_in;
    EXPECT_EQ(decide_initiative(r, s, noon, monday + hour, 0).state, memory::initiative_state::dropped);  // they talked since
    // Quiet hours in their time: 23:00 UTC is 01:00 two hours east.
    s.utc_offset = 120;
    r.kind = memory::initiative_kind::follow_up;
    d = decide_initiative(r, s, monday + 23 * hour, monday, 0);
    EXPECT_EQ(d.due_at, monday + day + 6 * hour);  // 08:00 local
}

// The policy's numbers are options: the defaults above, and others when given.
TEST(decide_initiative, the_policy_numbers_are_options) {
    memory::initiative_settings s;
    memory::initiative_record r;
    r.kind = memory::initiative_kind::follow_up;
    r.importance = 0.6;
    r.created_at = monday;
    const int64_t noon = monday + 12 * hour;
    initiative_policy p;
    p.talking_window_s = 60;  // five minutes ago is a pause already
    EXPECT_EQ(decide_initiative(r, s, noon, noon - 5 * 60, 0, p).state, memory::initiative_state::sent);
    p.talking_window_s = 10 * 60;
    p.talking_wait_s = 5 * 60;
    EXPECT_EQ(decide_initiative(r, s, noon, noon - 5 * 60, 0, p).due_at, noon + 5 * 60);
    // A day averaging -0.3 is hard only for a policy that says so.
    const std::vector<memory::emotion_reading> today = {{1, noon, "sad", -0.3, 0.4, "lexicon"}, {2, noon, "sad", -0.3, 0.4, "lexicon"}};
    EXPECT_FALSE(check_in_after(today, noon, s));
    p.check_in_valence = -0.25;
    p.check_in_minute = 9 * 60;
    auto c = check_in_after(today, noon, s, p);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->due_at, monday + day + 9 * hour);
    // A follow-up on a named hour comes that much later.
    p.follow_up_after_s = hour;
    auto f = notice_initiatives("I have a dentist appointment tomorrow at 3pm", 5, noon, s, p);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].due_at, monday + day + 16 * hour);
    EXPECT_EQ(f[0].importance, p.follow_up_importance);
}

class initiative_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory::memory_store::open(dir_.file("memory.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
    }
    // A message of PERSON at the clock's time, noticed as the server does.
    int64_t say(const std::string & person, const std::string & text) {
        std::vector<llm::chat_message> request = {{role::user, text}};
        auto p = prepare_turn(*store_, {person, "c1", person, "OS1", clock_.now(), ""}, request, "Base.");
        EXPECT_TRUE(p) << p.error().message();
        if (!p) return 0;
        auto n = notice_after_message(*store_, p->person, text, p->user_turn_id, clock_.now());
        EXPECT_TRUE(n) << n.error().message();
        return p->person;
    }
    std::vector<sent_initiative> tick() {
        auto sent = run_due_initiatives(*store_, clock_.now());
        EXPECT_TRUE(sent) << sent.error().message();
        return sent ? *sent : std::vector<sent_initiative>{};
    }

    test::temp_dir dir_;
    std::unique_ptr<memory::memory_store> store_;
    fake_clock clock_{monday + 10 * hour};
};

TEST_F(initiative_store_test, a_follow_up_waits_until_due_is_sent_once_remembered_and_logged) {
    const auto ada = say("ada", "I have my driving test tomorrow at 9am!");
    EXPECT_TRUE(tick().empty());  // not due yet
    clock_.set(monday + day + 12 * hour - 60);
    EXPECT_TRUE(tick().empty());
    clock_.set(monday + day + 12 * hour);
    auto sent = tick();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].person, ada);
    EXPECT_EQ(sent[0].record.kind, memory::initiative_kind::follow_up);
    EXPECT_NE(sent[0].record.decision.find("due; importance 0.60"), std::string::npos) << sent[0].record.decision;
    EXPECT_TRUE(tick().empty());  // once
    auto undelivered = store_->initiatives().undelivered_initiatives(ada);
    ASSERT_EQ(undelivered->size(), 1u);
    ASSERT_TRUE(store_->initiatives().mark_delivered(ada, undelivered->front().id, clock_.now()));
    EXPECT_TRUE(store_->initiatives().undelivered_initiatives(ada)->empty());
    auto turns = store_->turns().session_tail(ada, initiative_conversation(), 5);
    ASSERT_EQ(turns->size(), 1u);  // remembered as the OS's words
    EXPECT_EQ(turns->front().role, role::assistant);
    EXPECT_EQ(turns->front().text, sent[0].record.text);
    auto log = store_->initiatives().initiatives(ada, 10);
    ASSERT_EQ(log->size(), 1u);
    EXPECT_EQ(log->front().state, memory::initiative_state::sent);
    // The person's export holds it, with the decision.
    auto out = memory::export_person(*store_, "ada", clock_.now());
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_NE(out->json.find("\"initiatives\""), std::string::npos);
    EXPECT_NE(out->json.find(sent[0].record.decision), std::string::npos);
    EXPECT_NE(out->markdown.find("follow_up (sent"), std::string::npos) << out->markdown;
}

TEST_F(initiative_store_test, what_the_os_says_first_is_under_the_operators_default_name_until_it_has_one) {
    const auto ada = say("ada", "I have my driving test tomorrow at 9am!");
    clock_.set(monday + day + 12 * hour);
    auto sent = run_due_initiatives(*store_, clock_.now(), "Samantha");
    ASSERT_TRUE(sent) << sent.error().message();
    ASSERT_EQ(sent->size(), 1u);
    auto turns = store_->turns().session_tail(ada, initiative_conversation(), 5);
    ASSERT_EQ(turns->size(), 1u);
    EXPECT_EQ(turns->front().speaker, "Samantha");
}

TEST_F(initiative_store_test, quiet_hours_the_daily_cap_and_opt_out_hold_or_drop_with_reasons) {
    const auto bob = say("bob", "remind me to water the plants at 11pm");
    say("bob", "I'm seeing the dentist tomorrow at 9am");
    say("bob", "My sister's wedding is tomorrow at 10am");
    say("bob", "I will run a race tomorrow at 11am");
    // 23:00: the reminder goes (asked for), nothing else is due.
    clock_.set(monday + 23 * hour);
    auto sent = tick();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].record.kind, memory::initiative_kind::reminder);
    // The next day 14:00: three follow-ups due; the cap of 2 holds the third until tomorrow 08:00.
    clock_.set(monday + day + 14 * hour);
    sent = tick();
    EXPECT_EQ(sent.size(), 2u);
    auto log = store_->initiatives().initiatives(bob, 10);
    int held = 0;
    for (const auto & r : *log) {
        if (r.state == memory::initiative_state::pending && r.decision.find("daily cap") != std::string::npos) {
            ++held;
            EXPECT_EQ(r.due_at, monday + 2 * day + 8 * hour);
        }
    }
    EXPECT_EQ(held, 1);
    // The person opts out: the held one is dropped when it comes due, with the reason.
    auto limits = *store_->initiatives().initiative_limits(bob);
    limits.opted_out = true;
    ASSERT_TRUE(store_->initiatives().set_initiative_limits(bob, limits));
    clock_.set(monday + 2 * day + 9 * hour);
    EXPECT_TRUE(tick().empty());
    log = store_->initiatives().initiatives(bob, 10);
    int dropped = 0;
    for (const auto & r : *log) dropped += r.state == memory::initiative_state::dropped && r.decision.find("opted out") != std::string::npos;
    EXPECT_EQ(dropped, 1);
    // Bad limits are refused.
    limits.quiet_from = 1440;
    EXPECT_EQ(store_->initiatives().set_initiative_limits(bob, limits).code(), status_code::invalid_argument);
    limits.quiet_from = 0;
    limits.daily_cap = -1;
    EXPECT_EQ(store_->initiatives().set_initiative_limits(bob, limits).code(), status_code::invalid_argument);
}

TEST_F(initiative_store_test, a_hard_day_brings_a_check_in_unless_they_talk_first_and_one_person_sees_only_theirs) {
    clock_.set(monday + 20 * hour);
    const auto cy = say("cy", "I'm so sad and lonely today.");
    say("cy", "Everything feels hopeless, I'm exhausted.");
    say("dee", "I'm so sad and lonely today.");  // a single message: no check-in
    clock_.set(monday + day + 10 * hour);
    auto sent = tick();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].person, cy);
    EXPECT_EQ(sent[0].record.kind, memory::initiative_kind::check_in);
    auto dee = store_->person("dee", false);
    EXPECT_TRUE(store_->initiatives().initiatives(*dee, 10)->empty());
    EXPECT_TRUE(store_->initiatives().undelivered_initiatives(*dee)->empty());

    // Another hard day, but they write again before the morning: dropped.
    clock_.set(monday + day + 20 * hour);
    say("cy", "I'm so sad and lonely today.");
    say("cy", "Everything feels hopeless, I'm exhausted.");
    clock_.set(monday + 2 * day + 7 * hour);
    say("cy", "Feeling better this morning.");
    clock_.set(monday + 2 * day + 10 * hour);
    EXPECT_TRUE(tick().empty());
    auto log = store_->initiatives().initiatives(cy, 10);
    EXPECT_EQ(log->front().state, memory::initiative_state::dropped);
    EXPECT_NE(log->front().decision.find("talked since"), std::string::npos);
}

TEST_F(initiative_store_test, forgetting_or_correcting_the_message_takes_its_initiative_along) {
    const auto ada = say("ada", "I have a party tomorrow at 8pm");
    say("ada", "remind me to buy a gift tomorrow at 10am");
    auto turns = store_->turns().list_turns(ada, 0, 10);
    ASSERT_TRUE(turns);
    ASSERT_EQ(store_->initiatives().initiatives(ada, 10)->size(), 2u);
    int64_t party = 0, gift = 0;
    for (const auto & t : *turns) {
        if (t.text.find("party") != std::string::npos) party = t.id;
        if (t.text.find("gift") != std::string::npos) gift = t.id;
    }
    ASSERT_TRUE(store_->turns().forget_turn(ada, party));
    ASSERT_TRUE(store_->turns().edit_turn(ada, gift, "never mind"));
    EXPECT_TRUE(store_->initiatives().initiatives(ada, 10)->empty());

    // Sent, it quotes the message in the OS's own turn: forgetting the message forgets that turn too.
    say("ada", "I have my exam tomorrow at 9am");
    clock_.set(monday + day + 12 * hour);
    ASSERT_EQ(tick().size(), 1u);
    ASSERT_EQ(store_->turns().session_tail(ada, initiative_conversation(), 5)->size(), 1u);
    int64_t exam = 0;
    const auto before = store_->turns().list_turns(ada, 0, 10);
    ASSERT_TRUE(before);
    for (const auto & t : *before) {
        if (t.text.rfind("I have my exam", 0) == 0) exam = t.id;
    }
    ASSERT_TRUE(store_->turns().forget_turn(ada, exam));
    const auto after = store_->turns().list_turns(ada, 0, 10);
    ASSERT_TRUE(after);
    for (const auto & t : *after) EXPECT_EQ(t.text.find("exam"), std::string::npos) << t.text;
    EXPECT_TRUE(store_->turns().session_tail(ada, initiative_conversation(), 5)->empty());
    EXPECT_TRUE(store_->turns().search_turns(ada, {"exam"}, 10).value().empty());
    EXPECT_EQ(store_->turns().forget_turn(ada, exam).error().code(), status_code::not_found);
}

}  // namespace
}  // namespace os1::companion
