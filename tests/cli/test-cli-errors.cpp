// Bad input gets one clear line naming the file or flag, and exit code 2.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "cli/cli_test.h"
#include "llm/model_files.h"

namespace os1::test {
namespace {

void expect_bad_input(const process_result & r, const std::string & names, const std::string & says) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("os1: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(names), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

process_result chat_with(const temp_dir & home, const std::string & model) {
    return os1(home, {"chat", "--model", model}, with_stdin("Hello\n"));
}

TEST(cli_errors, missing_model_file) {
    temp_dir home;
    expect_bad_input(chat_with(home, home.file("nope.gguf")), home.file("nope.gguf"), "does not exist");
}

TEST(cli_errors, random_bytes_model_file) {
    temp_dir home;
    write_noise(home.file("noise.gguf"), 4096);
    expect_bad_input(chat_with(home, home.file("noise.gguf")), home.file("noise.gguf"), "not a GGUF file");
}

TEST(cli_errors, truncated_model_file) {
    temp_dir home;
    const auto size = std::filesystem::file_size(tiny_model_path());
    write_prefix(tiny_model_path(), home.file("cut.gguf"), size / 2 + size / 3);
    expect_bad_input(chat_with(home, home.file("cut.gguf")), home.file("cut.gguf"), "truncated");
    write_prefix(tiny_model_path(), home.file("cut2.gguf"), 50000);
    expect_bad_input(chat_with(home, home.file("cut2.gguf")), home.file("cut2.gguf"), "GGUF metadata");
}

TEST(cli_errors, wrong_architecture_model_file) {
    temp_dir home;
    write_with_architecture(tiny_model_path(), home.file("arch.gguf"), "zzzzz");
    expect_bad_input(chat_with(home, home.file("arch.gguf")), home.file("arch.gguf"), "unknown model architecture");
}

TEST(cli_errors, model_too_large_for_memory) {
    temp_dir home;
    write_sparse_huge_model(home.file("huge.gguf"), 1ull << 40);  // 1 TiB, sparse
    const auto r = chat_with(home, home.file("huge.gguf"));
    expect_bad_input(r, home.file("huge.gguf"), "needs about 1.1 TiB");
    EXPECT_NE(r.err.find("is available"), std::string::npos);
}

TEST(cli_errors, model_is_a_folder) {
    temp_dir home;
    expect_bad_input(chat_with(home, home.path()), home.path(), "is a folder");
}

TEST(cli_errors, no_model_at_all_says_how_to_get_one) {
    temp_dir home;
    const auto r = os1(home, {"chat"}, with_stdin("Hello\n"));
    expect_bad_input(r, "os1 pull", "make-test-model");
}

TEST(cli_errors, unknown_flag_and_subcommand) {
    temp_dir home;
    auto r = os1(home, {"chat", "--frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
    r = os1(home, {"dance"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("dance"), std::string::npos) << r.err;
    r = os1(home, {});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(cli_errors, invalid_flag_values_are_named) {
    temp_dir home;
    expect_bad_input(os1(home, {"chat", "--ctx", "lots"}), "--ctx", "expected a whole number");
    expect_bad_input(os1(home, {"chat", "--temp", "-1"}), "--temp", "must be from 0 to 5");
}

TEST(cli_errors, invalid_config_file) {
    temp_dir home;
    ASSERT_TRUE(write_file_atomic(home.file("bad.toml"), "[model]\nctx = [1, 2\n"));
    expect_bad_input(os1(home, {"--config", home.file("bad.toml"), "models"}), home.file("bad.toml"), "line 2");
    ASSERT_TRUE(write_file_atomic(home.file("bad2.toml"), "[modle]\npath = \"x\"\n"));
    expect_bad_input(os1(home, {"--config", home.file("bad2.toml"), "models"}), home.file("bad2.toml"),
                     "unknown key 'modle.path'");
}

TEST(cli_errors, unreadable_config_file) {
    temp_dir home;
    expect_bad_input(os1(home, {"--config", home.file("absent.toml"), "models"}), home.file("absent.toml"),
                     "No such file");
    expect_bad_input(os1(home, {"--config", home.path(), "models"}), home.path(), "is a folder");
}

TEST(cli_errors, invalid_environment_value) {
    temp_dir home;
    process_options o;
    o.env["OS1_MAX_TOKENS"] = "many";
    expect_bad_input(os1(home, {"models"}, o), "OS1_MAX_TOKENS", "expected a whole number");
}

}  // namespace
}  // namespace os1::test
