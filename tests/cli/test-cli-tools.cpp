#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/files.h"
#include "base/sha256.h"
#include "cli/cli_test.h"

namespace os1::test {
namespace {

TEST(cli_tools, version_names_os1_llama_and_the_build) {
    temp_dir home;
    const auto r = os1(home, {"--version"});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("os1 0."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("llama.cpp v0.4.0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("build: "), std::string::npos) << r.out;
}

TEST(cli_tools, every_subcommand_has_help) {
    temp_dir home;
    for (const char * sub : {"chat", "make-test-model", "pull", "models", "doctor", "config", "memory-adapter"}) {
        const auto r = os1(home, {sub, "--help"});
        EXPECT_EQ(r.exit_code, 0) << sub;
        EXPECT_NE(r.out.find(sub), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("--help"), std::string::npos) << r.out;
    }
    const auto root = os1(home, {"--help"});
    EXPECT_EQ(root.exit_code, 0);
    EXPECT_NE(root.out.find("make-test-model"), std::string::npos);
}

TEST(cli_tools, make_test_model_same_seed_same_bytes) {
    temp_dir home;
    auto a = os1(home, {"make-test-model", "--out", home.file("a.gguf"), "--seed", "42"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_NE(a.out.find("noise"), std::string::npos);  // it says what it is
    EXPECT_EQ(sha256_hex(*read_file(home.file("a.gguf"))), sha256_hex(*read_file(tiny_model_path())));
    auto bad = os1(home, {"make-test-model", "--out", home.file("b.gguf"), "--shape", "giant"});
    EXPECT_EQ(bad.exit_code, 2);
    auto nowhere = os1(home, {"make-test-model", "--out", "/nonexistent/x.gguf"});
    EXPECT_EQ(nowhere.exit_code, 1);
    EXPECT_NE(nowhere.err.find("/nonexistent"), std::string::npos);
}

TEST(cli_tools, models_lists_files_and_partial_downloads) {
    temp_dir home;
    const std::string dir = home.file("data/os1/models");
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(tiny_model_path(), dir + "/tiny.gguf");
    ASSERT_TRUE(write_file_atomic(dir + "/big.gguf.part", "12345"));
    ASSERT_TRUE(write_file_atomic(dir + "/broken.gguf", "nope"));
    const auto r = os1(home, {"models"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("tiny.gguf"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("qwen2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("test model"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("partial download"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("not a GGUF file"), std::string::npos) << r.out;
    const auto empty = os1(home, {"--models", home.file("none"), "models"});
    EXPECT_NE(empty.out.find("os1 pull"), std::string::npos);
}

TEST(cli_tools, doctor_reports_what_is_missing_with_the_fix) {
    temp_dir home;
    auto r = os1(home, {"doctor"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("MISSING"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("fix: os1 pull"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("cores"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("available"), std::string::npos) << r.out;

    r = os1(home, {"doctor", "--model", tiny_model_path()});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("everything OS1 needs is here"), std::string::npos) << r.out;
}

TEST(cli_tools, doctor_says_whether_large_allocations_use_huge_pages) {
    temp_dir home;
    std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    std::getline(thp, modes);
    const bool kernel_has = modes.find('[') != std::string::npos && modes.find("[never]") == std::string::npos;
    auto r = os1(home, {"doctor", "--model", tiny_model_path()});
    EXPECT_NE(r.out.find(kernel_has ? "huge pages   on: " : "huge pages   off: this kernel"), std::string::npos) << r.out;
    process_options off;
    off.env.emplace("OS1_HUGE_PAGES", "0");
    r = os1(home, {"doctor", "--model", tiny_model_path()}, off);
    EXPECT_NE(r.out.find(kernel_has ? "huge pages   off: OS1_HUGE_PAGES=0" : "huge pages   off: this kernel"),
              std::string::npos)
        << r.out;
}

TEST(cli_tools, doctor_checks_the_memory_database) {
    temp_dir home;
    const std::string data = home.file("d");
    std::filesystem::create_directories(data);
    auto r = os1(home, {"doctor", "--data", data, "--model", tiny_model_path()});
    EXPECT_NE(r.out.find("memory.db does not exist yet"), std::string::npos) << r.out;

    const auto made = os1(home, {"memory-adapter", "--db", data + "/memory.db"},
                          with_stdin(R"({"op":"ingest","scope":"a","session":"s","ts":"2024-01-01","speaker":"A","role":"user","text":"hi"})" "\n"));
    ASSERT_EQ(made.exit_code, 0) << made.err;
    r = os1(home, {"doctor", "--data", data, "--model", tiny_model_path()});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("integrity ok"), std::string::npos) << r.out;

    ASSERT_TRUE(write_file_atomic(data + "/memory.db", std::string(8192, 'x')));
    r = os1(home, {"doctor", "--data", data, "--model", tiny_model_path()});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("memory.db"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("move it aside"), std::string::npos) << r.out;
}

TEST(cli_tools, config_defaults_round_trip) {
    temp_dir home;
    const auto d = os1(home, {"config", "--defaults"});
    ASSERT_EQ(d.exit_code, 0);
    ASSERT_TRUE(write_file_atomic(home.file("os1.toml"), d.out));
    process_options o;
    o.env["OS1_CTX"] = "2048";
    const auto eff = os1(home, {"--config", home.file("os1.toml"), "config"}, o);
    ASSERT_EQ(eff.exit_code, 0) << eff.err;
    EXPECT_NE(eff.out.find("model.ctx              = 2048"), std::string::npos) << eff.out;
    const auto path = os1(home, {"config", "--path"});
    EXPECT_EQ(path.out, home.file("config") + "/os1/os1.toml\n");
}

}  // namespace
}  // namespace os1::test
