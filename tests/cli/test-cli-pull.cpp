#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "base/sha256.h"
#include "cli/cli_test.h"
#include "fakes/http_server.h"

namespace os1::test {
namespace {

std::string tiny_bytes() { return *read_file(tiny_model_path()); }

std::string models_dir(const temp_dir & home) { return home.file("data/os1/models"); }

TEST(cli_pull, url_download_cut_in_the_middle_resumes_and_is_verified) {
    fake_http_server srv;
    const auto body = tiny_bytes();
    fake_http_server::route r{body};
    r.etag = "\"t1\"";
    r.cut_after_bytes = body.size() / 3;
    r.cut_times = 1;
    srv.set("/files/tiny.gguf", r);
    temp_dir home;
    const auto p = os1(home, {"pull", srv.url("/files/tiny.gguf") + "#sha256=" + sha256_hex(body)});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_NE(p.err.find("sha256 verified"), std::string::npos) << p.err;
    EXPECT_EQ(sha256_hex(*read_file(models_dir(home) + "/tiny.gguf")), sha256_hex(body));
    EXPECT_FALSE(path_exists(models_dir(home) + "/tiny.gguf.part"));
    const auto reqs = srv.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[1].headers.at("range"), "bytes=" + std::to_string(body.size() / 3) + "-");
}

TEST(cli_pull, a_failed_pull_keeps_its_part_and_the_next_one_resumes) {
    fake_http_server srv;
    const auto body = tiny_bytes();
    fake_http_server::route r{body};
    r.etag = "\"t1\"";
    r.cut_after_bytes = body.size() / 4;
    r.cut_times = 1;
    r.ranges = false;  // while ranges are off, every retry restarts and is cut again
    srv.set("/tiny.gguf", r);
    temp_dir home;
    // A pre-existing part, as left by an earlier run that was killed.
    std::filesystem::create_directories(models_dir(home));
    ASSERT_TRUE(write_file_atomic(models_dir(home) + "/tiny.gguf.part", body.substr(0, 1000000)));
    ASSERT_TRUE(write_file_atomic(models_dir(home) + "/tiny.gguf.part.meta", srv.url("/tiny.gguf") + "\n\"t1\"\n"));
    r.cut_times = 0;
    r.ranges = true;
    srv.set("/tiny.gguf", r);
    const auto p = os1(home, {"pull", srv.url("/tiny.gguf")});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_NE(p.err.find("resumed from"), std::string::npos) << p.err;
    EXPECT_EQ(*read_file(models_dir(home) + "/tiny.gguf"), body);
    EXPECT_EQ(srv.requests().back().headers.at("range"), "bytes=1000000-");
}

TEST(cli_pull, checksum_mismatch_deletes_the_download) {
    fake_http_server srv;
    srv.set("/tiny.gguf", {tiny_bytes()});
    temp_dir home;
    const auto p = os1(home, {"pull", srv.url("/tiny.gguf") + "#sha256=" + std::string(64, '0')});
    EXPECT_EQ(p.exit_code, 2) << p.err;
    EXPECT_NE(p.err.find("checksum mismatch"), std::string::npos) << p.err;
    EXPECT_FALSE(path_exists(models_dir(home) + "/tiny.gguf"));
    EXPECT_FALSE(path_exists(models_dir(home) + "/tiny.gguf.part"));
}

TEST(cli_pull, hugging_face_repo_with_quantization) {
    fake_http_server srv;
    const auto body = tiny_bytes();
    srv.set("/api/models/someone/Tiny-GGUF/tree/main",
            {R"([{"type":"file","path":"tiny-q8_0.gguf","size":1,"lfs":{"oid":")" + sha256_hex(body) +
                 R"(","size":)" + std::to_string(body.size()) + "}}]",
             "application/json"});
    srv.set("/someone/Tiny-GGUF/resolve/main/tiny-q8_0.gguf", {body});
    temp_dir home;
    const auto p = os1(home, {"pull", "someone/Tiny-GGUF:Q8_0", "--hf-endpoint", srv.url("")});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_NE(p.err.find("sha256 verified"), std::string::npos) << p.err;
    EXPECT_NE(p.out.find("tiny-q8_0.gguf"), std::string::npos) << p.out;
    const auto again = os1(home, {"pull", "someone/Tiny-GGUF:Q8_0", "--hf-endpoint", srv.url("")});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_NE(again.out.find("already here"), std::string::npos) << again.out;
    const auto models = os1(home, {"models"});
    EXPECT_NE(models.out.find("tiny-q8_0.gguf"), std::string::npos) << models.out;
}

TEST(cli_pull, something_that_is_not_a_model_is_not_installed) {
    fake_http_server srv;
    srv.set("/page.gguf", {"<html>not a model</html>", "text/html"});
    temp_dir home;
    const auto p = os1(home, {"pull", srv.url("/page.gguf")});
    EXPECT_EQ(p.exit_code, 2) << p.err;
    EXPECT_NE(p.err.find("not a usable model"), std::string::npos) << p.err;
    EXPECT_FALSE(path_exists(models_dir(home) + "/page.gguf"));
}

TEST(cli_pull, offline_and_bad_specs_say_what_went_wrong) {
    temp_dir home;
    int port;
    {
        fake_http_server srv;
        port = srv.port();
    }
    const std::string dead = "http://127.0.0.1:" + std::to_string(port);
    auto p = os1(home, {"pull", "--hf-endpoint", dead});  // the default model, with no network
    EXPECT_EQ(p.exit_code, 1);
    EXPECT_NE(p.err.find("cannot fetch"), std::string::npos) << p.err;
    p = os1(home, {"pull", "not a model"});
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_NE(p.err.find("USER/REPO"), std::string::npos) << p.err;
    p = os1(home, {"pull", "--list"});
    EXPECT_EQ(p.exit_code, 0);
    EXPECT_NE(p.out.find("(default)"), std::string::npos) << p.out;
}

}  // namespace
}  // namespace os1::test
