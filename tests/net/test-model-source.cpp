#include <gtest/gtest.h>

#include "fakes/http_server.h"
#include "net/model_catalog.h"
#include "net/model_source.h"

namespace os1::net {
namespace {

const char * tree_json = R"([
  {"type":"file","path":"README.md","size":100},
  {"type":"file","path":"model-q4_k_m.gguf","size":10,"lfs":{"oid":"AABBCC","size":1000}},
  {"type":"file","path":"model-q8_0.gguf","size":10,"lfs":{"oid":"ddeeff","size":2000}},
  {"type":"file","path":"mmproj-model-q8_0.gguf","size":5},
  {"type":"directory","path":"sub"}
])";

source_options local(const test::fake_http_server & srv) {
    source_options o;
    o.hf_endpoint = srv.url("");
    return o;
}

TEST(model_source, repo_picks_the_quantization_and_its_checksum) {
    test::fake_http_server srv;
    srv.set("/api/models/someone/model-GGUF/tree/main", {tree_json, "application/json"});
    auto s = resolve_model_source("someone/model-GGUF", local(srv));  // Q4_K_M by default
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->file_name, "model-q4_k_m.gguf");
    EXPECT_EQ(s->url, srv.url("/someone/model-GGUF/resolve/main/model-q4_k_m.gguf"));
    EXPECT_EQ(s->sha256, "aabbcc");
    EXPECT_EQ(s->size_bytes, 1000u);

    auto q8 = resolve_model_source("someone/model-GGUF:Q8_0", local(srv));
    ASSERT_TRUE(q8) << q8.error().message();
    EXPECT_EQ(q8->file_name, "model-q8_0.gguf");  // not the mmproj file
}

TEST(model_source, a_missing_quantization_lists_what_there_is) {
    test::fake_http_server srv;
    srv.set("/api/models/someone/model-GGUF/tree/main", {tree_json, "application/json"});
    auto s = resolve_model_source("someone/model-GGUF:Q2_K", local(srv));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), status_code::invalid_argument);
    EXPECT_NE(s.error().message().find("model-q8_0.gguf"), std::string::npos) << s.error().message();
}

TEST(model_source, unknown_repo_and_garbage_answers) {
    test::fake_http_server srv;
    auto s = resolve_model_source("nobody/nothing", local(srv));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), status_code::not_found);
    srv.set("/api/models/a/b/tree/main", {"<html>", "text/html"});
    s = resolve_model_source("a/b", local(srv));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), status_code::network_error);
}

TEST(model_source, catalog_names_are_saved_under_their_name) {
    test::fake_http_server srv;
    const auto & def = default_chat_model();
    srv.set(std::string("/api/models/") + def.repo + "/tree/main",
            {R"([{"type":"file","path":"x-q4_k_m.gguf","size":3}])", "application/json"});
    auto s = resolve_model_source(def.name, local(srv));
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->file_name, std::string(def.name) + ".gguf");
    EXPECT_TRUE(s->sha256.empty());
}

TEST(model_source, urls_with_and_without_checksum) {
    source_options o;
    auto s = resolve_model_source("https://example.org/dir/m.gguf?download=true", o);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->file_name, "m.gguf");
    const std::string sum(64, 'a');
    s = resolve_model_source("http://example.org/m.gguf#sha256=" + sum, o);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->sha256, sum);
    EXPECT_EQ(s->url, "http://example.org/m.gguf");
    EXPECT_FALSE(resolve_model_source("https://example.org/readme.txt", o));
}

TEST(model_source, other_specs_are_refused_with_the_forms) {
    auto s = resolve_model_source("not a model", {});
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message().find("USER/REPO"), std::string::npos);
    EXPECT_FALSE(resolve_model_source("ftp://x/m.gguf", {}));
    EXPECT_FALSE(resolve_model_source("../../etc/passwd", {}));
}

}  // namespace
}  // namespace os1::net
