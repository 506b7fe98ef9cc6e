// os1 chat remembers; os1 memory, os1 export and os1 erase give the person
// control of what is remembered.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>

#include "base/files.h"
#include "cli/cli_test.h"

namespace os1::test {
namespace {

std::vector<std::string> chat_as(const std::string & user, const std::vector<std::string> & extra = {}) {
    std::vector<std::string> a = {"chat", "--model", tiny_model_path(), "--temp", "0", "--max-tokens", "4", "--user", user};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

std::string every_byte_under(const std::string & dir) {
    std::string out;
    for (const auto & e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        if (auto bytes = read_file(e.path().string())) out += *bytes;
    }
    return out;
}

// Conversation KV state files under DATA (shared prompts' states not counted).
int conversation_states(const std::string & data) {
    int n = 0;
    for (const auto & e : std::filesystem::recursive_directory_iterator(data + "/kv")) {
        n += e.is_regular_file() && e.path().extension() == ".kv" && e.path().string().find("/prefixes/") == std::string::npos;
    }
    return n;
}

TEST(cli_memory, chat_remembers_across_runs_and_the_person_reads_corrects_and_forgets) {
    temp_dir home;
    ASSERT_EQ(os1(home, chat_as("ada"), with_stdin("My sister Zoe moved to Boston in May.\n")).exit_code, 0);
    ASSERT_EQ(os1(home, chat_as("ada", {"--verbose"}), with_stdin("Where does my sister Zoe live?\n")).exit_code, 0);

    const auto list = os1(home, {"memory", "list", "--user", "ada"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("My sister Zoe moved to Boston in May."), std::string::npos) << list.out;
    const auto found = os1(home, {"memory", "search", "--user", "ada", "Boston"});
    ASSERT_EQ(found.exit_code, 0) << found.err;
    const std::string id = found.out.substr(0, found.out.find(' '));
    EXPECT_NE(found.out.find("ada: My sister Zoe moved to Boston in May."), std::string::npos) << found.out;
    // The second run's message was sent with what was recalled for it.
    const auto newest = os1(home, {"memory", "list", "--user", "ada", "--limit", "2"});
    const std::string asked = newest.out.substr(newest.out.find('\n') + 1);
    const auto shown = os1(home, {"memory", "show", "--user", "ada", asked.substr(0, asked.find(' '))});
    EXPECT_NE(shown.out.find("recalled with it:"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("Boston"), std::string::npos) << shown.out;

    EXPECT_EQ(os1(home, {"memory", "list", "--user", "bob"}).exit_code, 2);  // nothing of Ada's for Bob
    EXPECT_EQ(os1(home, {"memory", "show", "--user", "bob", id}).exit_code, 2);

    ASSERT_EQ(os1(home, {"memory", "edit", "--user", "ada", id, "My sister Zoe moved to Denver."}).exit_code, 0);
    EXPECT_EQ(os1(home, {"memory", "search", "--user", "ada", "Boston"}).out.find("Zoe moved"), std::string::npos);
    ASSERT_EQ(os1(home, {"memory", "forget", "--user", "ada", id}).exit_code, 0);
    EXPECT_EQ(os1(home, {"memory", "show", "--user", "ada", id}).exit_code, 2);
    EXPECT_EQ(os1(home, {"memory", "search", "--user", "ada", "Denver"}).out.find("Denver"), std::string::npos);

    ASSERT_EQ(os1(home, {"memory", "profile", "--user", "ada", "--set", "Ada paints at night."}).exit_code, 0);
    EXPECT_EQ(os1(home, {"memory", "profile", "--user", "ada"}).out, "Ada paints at night.\n");
    EXPECT_EQ(os1(home, {"memory", "profile", "--user", "ada", "--set", std::string(3000, 'x')}).exit_code, 2);
}

// The model (random weights here) learns under its grammars: facts may be
// refused for citing turns that are not there, but a summary of the right
// shape is stored, and the person's portrait from it.
TEST(cli_memory, distill_writes_summaries_and_chat_learns_when_it_ends) {
    temp_dir home;
    ASSERT_EQ(os1(home, chat_as("ada", {"--distill-every", "0"}), with_stdin("My sister Zoe moved to Boston.\nShe loves it.\n")).exit_code, 0);
    ASSERT_EQ(os1(home, chat_as("ada", {"--distill-every", "0"}), with_stdin("Hello again.\n")).exit_code, 0);
    EXPECT_NE(os1(home, {"memory", "summaries", "--user", "ada"}).err.find("no summaries yet"), std::string::npos);
    const auto learned = os1(home, {"memory", "distill", "--user", "ada", "--model", tiny_model_path()});
    EXPECT_NE(learned.out.find("fact change(s) stored"), std::string::npos) << learned.err;
    EXPECT_NE(learned.out.find("summary(ies) written"), std::string::npos) << learned.err;
    const auto sums = os1(home, {"memory", "summaries", "--user", "ada"});
    ASSERT_EQ(sums.exit_code, 0) << sums.err;
    EXPECT_NE(sums.out.find("In short: "), std::string::npos) << sums.out;
    EXPECT_NE(sums.out.find("chat-"), std::string::npos) << sums.out;  // a conversation's summary
    EXPECT_NE(os1(home, {"memory", "summaries", "--user", "bob"}).exit_code, 0);  // nothing of Ada's for Bob

    // A chat that ends learns from itself; with --distill-every 0 it does not.
    const auto chat = os1(home, chat_as("bob", {"--distill-every", "2"}), with_stdin("I keep bees.\nThey swarmed today.\n"));
    ASSERT_EQ(chat.exit_code, 0);
    EXPECT_NE(chat.err.find("learning from this conversation"), std::string::npos) << chat.err;
    const auto quiet = os1(home, chat_as("cy", {"--distill-every", "0"}), with_stdin("a\nb\nc\nd\n"));
    EXPECT_EQ(quiet.err.find("learning"), std::string::npos);
}

TEST(cli_memory, with_an_embedding_model_chat_and_search_use_vectors) {
    temp_dir home;
    ASSERT_EQ(os1(home, chat_as("ada"), with_stdin("I adopted a grey cat called Pixel.\n")).exit_code, 0);
    // The turns from before the model was configured get their vectors when the next chat ends.
    ASSERT_EQ(os1(home, chat_as("ada", {"--embed-model", tiny_model_path()}), with_stdin("Hello again.\n")).exit_code, 0);
    EXPECT_EQ(os1(home, {"memory", "search", "--user", "ada", "Tell me about my pet"}).out.find("Pixel"), std::string::npos);
    const auto dense = os1(home, {"memory", "search", "--user", "ada", "--embed-model", tiny_model_path(), "Tell me about my pet"});
    ASSERT_EQ(dense.exit_code, 0) << dense.err;
    EXPECT_NE(dense.out.find("Pixel"), std::string::npos) << dense.out;
}

TEST(cli_memory, export_is_one_tar_with_json_and_markdown_of_that_person_only) {
    temp_dir home;
    ASSERT_EQ(os1(home, chat_as("ada", {"--no-memory"}), with_stdin("not remembered\n")).exit_code, 0);
    ASSERT_EQ(os1(home, chat_as("ada"), with_stdin("first note\nsecond note\n")).exit_code, 0);
    ASSERT_EQ(os1(home, chat_as("bob"), with_stdin("bob's own words\n")).exit_code, 0);
    const auto r = os1(home, {"export", "--user", "ada", "--out", home.file("ada.tar")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("4 memories"), std::string::npos) << r.out;
    // Unpacked by the system's own tar: the format is open.
    const auto un = run_process({"/usr/bin/env", "tar", "-xf", home.file("ada.tar"), "-C", home.path()});
    ASSERT_EQ(un.exit_code, 0) << un.err;
    auto js = read_file(home.file("os1-export/memories.json"));
    auto md = read_file(home.file("os1-export/memories.md"));
    ASSERT_TRUE(js && md);
    for (const char * s : {"first note", "second note", "\"person\": \"ada\"", "\"role\": \"assistant\""}) {
        EXPECT_NE(js->find(s), std::string::npos) << s;
    }
    EXPECT_NE(md->find("first note"), std::string::npos);
    EXPECT_EQ(js->find("bob's own words"), std::string::npos);
    EXPECT_EQ(js->find("not remembered"), std::string::npos);
    EXPECT_EQ(os1(home, {"export", "--user", "nobody", "--out", home.file("x.tar")}).exit_code, 2);
}

// Issue 4: after erase, 0 of 20 planted strings are in any file of the data folder.
TEST(cli_memory, erase_leaves_nothing_of_the_person_in_any_file) {
    temp_dir home;
    const std::string token = os1(home, {"users", "add", "ada"}).out.substr(0, 81);
    ASSERT_EQ(os1(home, {"users", "add", "bob"}).exit_code, 0);
    const int port = free_port();
    auto srv = serve(home, port);
    ASSERT_TRUE(wait_healthy(port, 20000)) << srv->err();
    std::vector<std::string> planted;
    for (int i = 0; i < 20; ++i) {
        planted.push_back("PLANTED" + std::to_string(5300 + i) + "zx");
        const std::string body = R"({"messages":[{"role":"user","content":"remember )" + planted.back() +
                                 R"("}],"max_tokens":2})";
        ASSERT_EQ(http_request(port, "POST", "/v1/chat/completions", body,
                               {{"Authorization", "Bearer " + token}, {"X-OS1-Conversation", "c" + std::to_string(i % 3)}})
                      .status,
                  200);
    }
    srv->signal(SIGTERM);
    ASSERT_EQ(srv->wait(30000), 0) << srv->err();
    ASSERT_EQ(os1(home, chat_as("ada"), with_stdin("typed " + planted[0] + "\n")).exit_code, 0);
    const std::string data = home.file("data/os1");
    ASSERT_NE(every_byte_under(data).find(planted[1]), std::string::npos);  // the check sees them before
    ASSERT_GT(conversation_states(data), 0);

    EXPECT_EQ(os1(home, {"erase", "--user", "ada"}).exit_code, 2);  // not a terminal and no --yes
    const auto r = os1(home, {"erase", "--user", "ada", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("their server account"), std::string::npos) << r.out;
    const std::string after = every_byte_under(data);
    int found = 0;
    for (const auto & p : planted) {
        std::string lower = p;
        for (auto & c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        found += after.find(p) != std::string::npos || after.find(lower) != std::string::npos;
    }
    EXPECT_EQ(found, 0);
    EXPECT_EQ(after.find("\"ada\""), std::string::npos);  // not among the server's people either
    EXPECT_EQ(conversation_states(data), 0);  // she was the only one who talked
    EXPECT_NE(os1(home, {"users", "list"}).out.find("bob"), std::string::npos);
}

}  // namespace
}  // namespace os1::test
