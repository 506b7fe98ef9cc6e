// The people's list and serve's refusals: the os1 program, no tokens generated.
#include <gtest/gtest.h>

#include "base/files.h"
#include "cli/cli_test.h"

namespace os1::test {
namespace {

TEST(cli_users, add_list_remove) {
    temp_dir home;
    const auto add = os1(home, {"users", "add", "alice"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    EXPECT_EQ(add.out.rfind("os1_", 0), 0u);
    EXPECT_NE(add.err.find("shown only once"), std::string::npos);
    EXPECT_EQ(os1(home, {"users", "add", "alice"}).exit_code, 2);
    EXPECT_EQ(os1(home, {"users", "add", "not ok"}).exit_code, 2);
    const auto list = os1(home, {"users", "list"});
    EXPECT_NE(list.out.find("alice"), std::string::npos);
    EXPECT_EQ(list.out.find("os1_"), std::string::npos);  // tokens are never listed
    EXPECT_EQ(os1(home, {"users", "remove", "alice"}).exit_code, 2);  // not on a terminal: --yes is needed
    EXPECT_EQ(os1(home, {"users", "remove", "alice", "--yes"}).exit_code, 0);
    EXPECT_EQ(os1(home, {"users", "remove", "alice", "--yes"}).exit_code, 2);
}

TEST(cli_serve, refuses_what_it_cannot_do_safely) {
    temp_dir home;
    auto r = os1(home, {"serve", "--model", tiny_model_path(), "--no-auth", "--host", "0.0.0.0", "--port", "0"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--no-auth"), std::string::npos) << r.err;
    ASSERT_TRUE(write_file_atomic(home.file("bad.gguf"), "not a model"));
    r = os1(home, {"serve", "--model", home.file("bad.gguf"), "--no-auth", "--port", "0"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad.gguf"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace os1::test
