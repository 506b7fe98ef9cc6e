#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "base/files.h"
#include "cli/cli_test.h"
#include "support/http_client.h"

namespace os1::test {
namespace {

using json = nlohmann::json;

TEST(cli_serve, people_with_tokens_talk_and_others_do_not) {
    temp_dir home;
    const std::string token = os1(home, {"users", "add", "alice"}).out.substr(0, 81);
    const int port = free_port();
    auto srv = serve(home, port);
    ASSERT_TRUE(wait_healthy(port, 20000)) << srv->err();
    const std::string body = R"({"messages":[{"role":"user","content":"Hi"}],"max_tokens":4})";
    EXPECT_EQ(http_request(port, "POST", "/v1/chat/completions", body).status, 401);
    EXPECT_EQ(http_request(port, "POST", "/v1/chat/completions", body, {{"Authorization", "Bearer " + token}}).status, 200);
    srv->signal(SIGTERM);
    EXPECT_EQ(srv->wait(20000), 0) << srv->err();
}

// SIGTERM: the reply in flight finishes, every conversation is written to
// disk, the exit code is 0, and the next start finds the conversation.
TEST(cli_serve, sigterm_finishes_replies_saves_and_the_next_start_remembers) {
    temp_dir home;
    const int port = free_port();
    auto srv = serve(home, port, {"--no-auth", "--no-memory"});
    ASSERT_TRUE(wait_healthy(port, 20000)) << srv->err();
    // Long enough to be in flight at the signal (about 500 tokens/s here), short
    // enough to end within the drain time: the random model may never say EOS.
    const std::string first = R"({"messages":[{"role":"user","content":"Hello"}],"max_tokens":1500,"temperature":0,"stream":true})";
    http_result streamed;
    std::thread client([&] { streamed = http_request(port, "POST", "/v1/chat/completions", first, {{"X-OS1-Conversation", "c"}}); });
    // Signal once tokens flow: a fixed sleep raced a loaded machine, where the
    // request was not yet admitted and nothing was resident to save.
    const auto generated = [&] {
        const std::string m = http_request(port, "GET", "/metrics").body;
        const std::string name = "\nos1_completion_tokens_total ";
        const auto at = m.find(name);
        return at == std::string::npos ? 0L : std::atol(m.c_str() + at + name.size());
    };
    for (int i = 0; i < 400 && generated() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const bool flowing = generated() > 0;
    srv->signal(SIGTERM);
    client.join();
    ASSERT_TRUE(flowing) << srv->err();
    EXPECT_EQ(srv->wait(30000), 0) << srv->err();
    EXPECT_NE(srv->err().find("1 conversations saved on disk"), std::string::npos) << srv->err();
    const auto events = sse_data(streamed.body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "[DONE]");  // the stream was finished, not cut

    // The same messages again after a restart: all of the prompt but the token
    // whose logits are needed comes from the saved state. (Sending the noise
    // reply back would not do: random text need not tokenize the same twice.)
    auto again = serve(home, port, {"--no-auth", "--no-memory"});
    ASSERT_TRUE(wait_healthy(port, 20000)) << again->err();
    const std::string turn2 = R"({"messages":[{"role":"user","content":"Hello"}],"max_tokens":4})";
    const auto r = http_request(port, "POST", "/v1/chat/completions", turn2, {{"X-OS1-Conversation", "c"}});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = json::parse(r.body);
    // The shared base character alone would be fewer: its prefix ends before "Hello".
    EXPECT_GE(j["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), j["usage"]["prompt_tokens"].get<int>() - 1);
    again->signal(SIGTERM);
    EXPECT_EQ(again->wait(20000), 0);
}

}  // namespace
}  // namespace os1::test
