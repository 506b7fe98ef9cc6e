// os1 chat runs through the companion layer: a new person is interviewed and
// the OS names itself; os1 persona shows, renames and rolls back; --plain is
// the bare model.
#include <gtest/gtest.h>

#include <ctime>

#include "base/files.h"
#include "cli/cli_test.h"
#include "companion/onboarding.h"
#include "memory/memory_store.h"

namespace os1::test {
namespace {

process_options interview_on(std::string stdin_text) {
    process_options o = with_stdin(std::move(stdin_text));
    o.env["OS1_NO_ONBOARDING"] = "0";
    return o;
}

std::vector<std::string> chat_as(const std::string & user, const std::vector<std::string> & extra = {}) {
    std::vector<std::string> a = {"chat", "--model", tiny_model_path(), "--temp", "0", "--max-tokens", "4", "--user", user};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

TEST(cli_companion, chat_interviews_a_new_person_names_itself_and_persona_reads_renames_and_rolls_back) {
    temp_dir home;
    const auto & q = companion::interview_questions();
    auto r = os1(home, chat_as("theo"), interview_on("Hello\nI write letters.\nCompany.\nGently.\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find(q[0] + "\n\n"), 0u) << r.out;
    EXPECT_NE(r.out.find(q[1]), std::string::npos);
    EXPECT_NE(r.out.find(q[2]), std::string::npos);
    const size_t at = r.out.find("I'd like to be called ");
    ASSERT_NE(at, std::string::npos) << r.out;

    r = os1(home, {"persona", "show", "--user", "theo"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const size_t name_at = r.out.find("name:      ");
    ASSERT_NE(name_at, std::string::npos) << r.out;
    const std::string name = r.out.substr(name_at + 11, r.out.find('\n', name_at) - name_at - 11);
    EXPECT_NE(r.out.find("(onboarding)"), std::string::npos) << r.out;

    // The next conversation is an ordinary one: no question again.
    r = os1(home, chat_as("theo"), interview_on("Good morning\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto & question : q) EXPECT_EQ(r.out.find(question), std::string::npos);

    r = os1(home, {"persona", "rename", "Kit", "--user", "theo"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("name:      Kit"), std::string::npos) << r.out;
    r = os1(home, {"persona", "history", "--user", "theo"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("version 2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("name: " + name + " -> Kit"), std::string::npos) << r.out;
    r = os1(home, {"persona", "rollback", "1", "--user", "theo"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("version 3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("name:      " + name), std::string::npos) << r.out;

    // The export holds every version.
    r = os1(home, {"export", "--user", "theo", "--out", home.file("theo.tar")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto tar = read_file(home.file("theo.tar"));
    ASSERT_TRUE(tar);
    EXPECT_NE(tar->find("\"persona_versions\""), std::string::npos);
    EXPECT_NE(tar->find("\"name\": \"Kit\""), std::string::npos);
    EXPECT_NE(tar->find("the person renamed the OS"), std::string::npos);
    EXPECT_NE(tar->find("\"feeling\": {"), std::string::npos);

    r = os1(home, {"persona", "rollback", "9", "--user", "theo"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no persona version 9"), std::string::npos) << r.err;
    r = os1(home, {"persona", "rename", " ", "--user", "theo"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("must not be empty"), std::string::npos) << r.err;
    r = os1(home, {"persona", "show", "--user", "nobody"});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(cli_companion, mood_draws_a_sparkline_of_the_persons_days) {
    temp_dir home;
    auto r = os1(home, chat_as("ann", {"--feelings", "lexicon"}), with_stdin("I am so happy today!\nWonderful news!\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = os1(home, {"mood", "--user", "ann", "--days", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("the last 3 days"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 message(s) read"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n··█\n"), std::string::npos) << r.out;  // two silent days, then a happy one
    EXPECT_NE(r.out.find("most often: joy 2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("read by the word list"), std::string::npos) << r.out;
    r = os1(home, {"mood", "--user", "nobody"});
    EXPECT_EQ(r.exit_code, 2);
    r = os1(home, chat_as("ann", {"--feelings", "sometimes"}), with_stdin("hi\n"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--feelings"), std::string::npos) << r.err;
}

// A reminder asked for in one chat is said at the start of the first chat
// after it is due, once; --no-initiative notices nothing.
TEST(cli_companion, chat_says_a_due_reminder_first_and_only_once) {
    temp_dir home;
    auto r = os1(home, chat_as("ann"), with_stdin("Remind me to stretch my legs in 2 hours\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = os1(home, chat_as("ann"), with_stdin("Hello\n"));
    EXPECT_EQ(r.out.find("remind you"), std::string::npos) << r.out;  // not due yet
    {
        // Two hours pass: the store is told it is due now.
        auto store = memory::memory_store::open(home.file("data") + "/os1/memory.db");
        ASSERT_TRUE(store) << store.error().message();
        auto who = (*store)->person("ann", false);
        ASSERT_TRUE(who);
        auto log = (*store)->initiatives().initiatives(*who, 10);
        ASSERT_TRUE(log);
        ASSERT_EQ(log->size(), 1u);
        EXPECT_EQ((*log)[0].kind, memory::initiative_kind::reminder);
        ASSERT_TRUE((*store)->initiatives().decide_initiative(*who, (*log)[0].id, memory::initiative_state::pending, "", 0, std::time(nullptr) - 1));
    }
    r = os1(home, chat_as("ann"), with_stdin("Hello again\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("OS1: You asked me to remind you: stretch my legs in 2 hours.\n", 0), 0u) << r.out;
    r = os1(home, chat_as("ann"), with_stdin("And again\n"));
    EXPECT_EQ(r.out.find("remind you"), std::string::npos) << r.out;
    r = os1(home, {"initiative", "log", "--user", "ann"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("reminder, sent"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("why: the person asked: \"Remind me to stretch my legs in 2 hours\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("received "), std::string::npos) << r.out;

    r = os1(home, {"initiative", "limits", "--user", "ann", "--opt-out", "--quiet", "23:00-07:30", "--daily-cap", "4"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("never speaks"), std::string::npos) << r.out;
    r = os1(home, {"initiative", "limits", "--user", "ann"});  // kept
    EXPECT_NE(r.out.find("quiet hours: 23:00 to 07:30"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("at most 4 a day"), std::string::npos) << r.out;
    r = os1(home, {"initiative", "limits", "--user", "ann", "--quiet", "late"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--quiet"), std::string::npos) << r.err;

    r = os1(home, chat_as("bo", {"--no-initiative"}), with_stdin("Remind me to call Jo tomorrow\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto store = memory::memory_store::open(home.file("data") + "/os1/memory.db");
    ASSERT_TRUE(store);
    auto bo = (*store)->person("bo", false);
    ASSERT_TRUE(bo);
    EXPECT_TRUE((*store)->initiatives().initiatives(*bo, 10)->empty());
}

TEST(cli_companion, plain_is_the_bare_model_with_no_interview_and_nothing_remembered) {
    temp_dir home;
    auto r = os1(home, chat_as("ann", {"--plain"}), interview_on("Hello\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find(companion::interview_questions()[0]), std::string::npos);
    r = os1(home, {"memory", "list", "--user", "ann"});
    EXPECT_EQ(r.exit_code, 2) << r.out;  // no memories of her at all
}

}  // namespace
}  // namespace os1::test
