#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <map>

#include "base/config.h"
#include "support/temp_dir.h"

namespace os1 {
namespace {

env_lookup fake_env(std::map<std::string, std::string> vars) {
    return [vars](const char * name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string write(const test::temp_dir & d, const std::string & text) {
    const std::string p = d.file("os1.toml");
    std::ofstream(p) << text;
    return p;
}

TEST(config, defaults_without_any_file) {
    test::temp_dir d;
    auto o = load_options("", fake_env({{"HOME", d.path()}}));
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->model.ctx_tokens, 4096);
    EXPECT_EQ(o->sampling.seed, -1);
    finalize_options(*o, fake_env({{"HOME", d.path()}}));
    EXPECT_EQ(o->paths.data_dir, d.path() + "/.local/share/os1");
    EXPECT_EQ(o->paths.models_dir, d.path() + "/.local/share/os1/models");
}

TEST(config, xdg_folders_are_honoured) {
    test::temp_dir d;
    std::ofstream(d.file("os1.toml"));
    std::filesystem::create_directories(d.file("cfg/os1"));
    std::ofstream(d.file("cfg/os1/os1.toml")) << "[model]\nctx = 1024\n";
    const auto env = fake_env({{"HOME", "/nonexistent"}, {"XDG_CONFIG_HOME", d.file("cfg")}, {"XDG_DATA_HOME", d.file("data")}});
    auto o = load_options("", env);
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->model.ctx_tokens, 1024);
    finalize_options(*o, env);
    EXPECT_EQ(o->paths.data_dir, d.file("data") + "/os1");
}

TEST(config, file_then_environment_precedence) {
    test::temp_dir d;
    const auto p = write(d, "[model]\nctx = 2048\nthreads = 3\n[sampling]\ntemperature = 0.5\n[log]\njson = true\n");
    auto o = load_options(p, fake_env({{"OS1_THREADS", "5"}}));
    ASSERT_TRUE(o) << o.error().message();
    EXPECT_EQ(o->model.ctx_tokens, 2048);
    EXPECT_EQ(o->model.threads, 5);  // environment beats the file
    EXPECT_FLOAT_EQ(o->sampling.temperature, 0.5f);
    EXPECT_TRUE(o->log.json);
}

TEST(config, named_file_must_exist) {
    auto o = load_options("/nonexistent/os1.toml", fake_env({}));
    ASSERT_FALSE(o);
    EXPECT_EQ(o.error().code(), status_code::invalid_argument);
    EXPECT_NE(o.error().message().find("/nonexistent/os1.toml"), std::string::npos);
}

TEST(config, invalid_toml_names_file_and_line) {
    test::temp_dir d;
    const auto p = write(d, "[model]\nctx = = 3\n");
    auto o = load_options(p, fake_env({}));
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find(p), std::string::npos);
    EXPECT_NE(o.error().message().find("line 2"), std::string::npos) << o.error().message();
}

TEST(config, unknown_key_and_wrong_type_are_named) {
    test::temp_dir d;
    auto o = load_options(write(d, "[model]\nctxx = 3\n"), fake_env({}));
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find("unknown key 'model.ctxx'"), std::string::npos);
    o = load_options(write(d, "[model]\nctx = \"big\"\n"), fake_env({}));
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find("model.ctx: must be a whole number"), std::string::npos) << o.error().message();
    o = load_options(write(d, "model = 3\n"), fake_env({}));
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find("must be a [table]"), std::string::npos);
}

TEST(config, ranges_are_checked_everywhere) {
    test::temp_dir d;
    auto o = load_options(write(d, "[model]\nctx = 10\n"), fake_env({}));
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find("from 256 to 1048576"), std::string::npos) << o.error().message();
    o = load_options("", fake_env({{"OS1_TEMP", "hot"}}));
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message().find("OS1_TEMP"), std::string::npos);
    options opts;
    const auto * e = find_option("--top-p");
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(apply_option(opts, *e, "1.5", "--top-p"));
    EXPECT_TRUE(apply_option(opts, *e, "0.5", "--top-p"));
    EXPECT_FLOAT_EQ(opts.sampling.top_p, 0.5f);
    EXPECT_FALSE(apply_option(opts, *find_option("--ctx"), "12abc", "--ctx"));
    EXPECT_FALSE(apply_option(opts, *find_option("--verbose"), "maybe", "--verbose"));
}

TEST(config, home_is_expanded_in_paths) {
    options opts;
    ASSERT_TRUE(apply_option(opts, *find_option("--data"), "~/x", "--data"));
    EXPECT_EQ(opts.paths.data_dir.find('~'), std::string::npos);
    ASSERT_TRUE(apply_option(opts, *find_option("--system"), "~ stays", "--system"));
    EXPECT_EQ(opts.chat.system, "~ stays");
}

TEST(config, default_text_parses_back_to_defaults) {
    test::temp_dir d;
    auto o = load_options(write(d, default_config_text()), fake_env({}));
    ASSERT_TRUE(o) << o.error().message();
    options defaults;
    EXPECT_EQ(o->model.ctx_tokens, defaults.model.ctx_tokens);
    EXPECT_EQ(o->chat.system, defaults.chat.system);
    EXPECT_EQ(o->pull.hf_endpoint, defaults.pull.hf_endpoint);
}

TEST(config, every_row_has_a_distinct_key_env_and_flag) {
    std::set<std::string> seen;
    for (const auto & e : option_table()) {
        EXPECT_TRUE(seen.insert(e.key).second) << e.key;
        EXPECT_TRUE(seen.insert(e.env).second) << e.env;
        EXPECT_TRUE(seen.insert(e.flag).second) << e.flag;
        EXPECT_EQ(std::string(e.env).rfind("OS1_", 0), 0u) << e.env;
    }
}

}  // namespace
}  // namespace os1
