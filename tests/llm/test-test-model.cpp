#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/sha256.h"
#include "base/files.h"
#include "llm/gguf_probe.h"
#include "llm/test_model.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

TEST(test_model, tiny_is_small_and_described_by_its_header) {
    const auto & p = test::tiny_model_path();
    auto info = probe_gguf(p);
    ASSERT_TRUE(info) << info.error().message();
    EXPECT_LE(info->file_bytes, 10u * 1000 * 1000);
    EXPECT_EQ(info->architecture, "qwen2");
    EXPECT_EQ(info->n_layer, 2u);
    EXPECT_EQ(info->n_head_kv, 1u);
    EXPECT_TRUE(info->has_chat_template);
    EXPECT_NE(info->name.find("random weights"), std::string::npos);
}

TEST(test_model, same_seed_same_bytes_other_seed_other_bytes) {
    test::temp_dir d;
    auto shape = find_test_model_shape("tiny");
    ASSERT_TRUE(shape);
    ASSERT_TRUE(make_test_model(d.file("a.gguf"), *shape, 42));
    ASSERT_TRUE(make_test_model(d.file("b.gguf"), *shape, 7));
    EXPECT_EQ(sha256_hex(*read_file(d.file("a.gguf"))), sha256_hex(*read_file(test::tiny_model_path())));
    EXPECT_NE(sha256_hex(*read_file(d.file("a.gguf"))), sha256_hex(*read_file(d.file("b.gguf"))));
}

TEST(test_model, unknown_shape_is_refused) {
    auto shape = find_test_model_shape("huge");
    ASSERT_FALSE(shape);
    EXPECT_NE(shape.error().message().find("tiny or bench"), std::string::npos);
}

TEST(test_model, bench_shape_is_qwen25_05b) {
    auto s = find_test_model_shape("bench");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->n_embd, 896u);
    EXPECT_EQ(s->n_layer, 24u);
    EXPECT_EQ(s->n_head, 14u);
    EXPECT_EQ(s->n_head_kv, 2u);
    EXPECT_EQ(s->n_ff, 4864u);
}

TEST(test_model, unwritable_destination_is_an_error) {
    auto shape = find_test_model_shape("tiny");
    const status st = make_test_model("/nonexistent/dir/m.gguf", *shape, 1);
    EXPECT_EQ(st.code(), status_code::io_error);
    EXPECT_NE(st.message().find("/nonexistent/dir"), std::string::npos);
}

}  // namespace
}  // namespace os1::llm
