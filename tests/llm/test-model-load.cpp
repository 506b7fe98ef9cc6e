#include <gtest/gtest.h>

#include <filesystem>

#include "llm/memory_fit.h"
#include "llm/model.h"
#include "llm/model_files.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

status load_error(const std::string & path, uint64_t available = 0) {
    auto m = model::load(path, model_options{}, available);
    EXPECT_FALSE(m) << path << " loaded";
    return m ? status::ok() : m.error();
}

void expect_names(const status & st, const std::string & path, const std::string & words) {
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(words), std::string::npos) << st.message();
}

TEST(model_load, tiny_loads) {
    auto m = model::load(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ((*m)->info().architecture, "qwen2");
    EXPECT_EQ((*m)->n_ctx_train(), 4096);
}

TEST(model_load, missing_file) {
    const status st = load_error("/nonexistent/model.gguf");
    EXPECT_EQ(st.code(), status_code::not_found);
    expect_names(st, "/nonexistent/model.gguf", "does not exist");
}

TEST(model_load, random_bytes) {
    test::temp_dir d;
    test::write_noise(d.file("noise.gguf"), 100000);
    const status st = load_error(d.file("noise.gguf"));
    EXPECT_EQ(st.code(), status_code::corrupt);
    expect_names(st, d.file("noise.gguf"), "not a GGUF file");
}

TEST(model_load, empty_file) {
    test::temp_dir d;
    test::write_noise(d.file("empty.gguf"), 0);
    const status st = load_error(d.file("empty.gguf"));
    expect_names(st, d.file("empty.gguf"), "too short");
}

TEST(model_load, truncated_in_the_metadata) {
    test::temp_dir d;
    test::write_prefix(test::tiny_model_path(), d.file("t.gguf"), 100000);
    const status st = load_error(d.file("t.gguf"));
    EXPECT_EQ(st.code(), status_code::corrupt);
    expect_names(st, d.file("t.gguf"), "unreadable GGUF metadata");
}

TEST(model_load, truncated_in_the_weights) {
    test::temp_dir d;
    const uint64_t full = std::filesystem::file_size(test::tiny_model_path());
    test::write_prefix(test::tiny_model_path(), d.file("t.gguf"), full - 100000);
    const status st = load_error(d.file("t.gguf"));
    EXPECT_EQ(st.code(), status_code::corrupt);
    expect_names(st, d.file("t.gguf"), "is truncated");
}

TEST(model_load, unknown_architecture) {
    test::temp_dir d;
    test::write_with_architecture(test::tiny_model_path(), d.file("a.gguf"), "qwfoo");
    const status st = load_error(d.file("a.gguf"));
    EXPECT_EQ(st.code(), status_code::unsupported);
    expect_names(st, d.file("a.gguf"), "unknown model architecture: 'qwfoo'");
}

TEST(model_load, too_large_for_memory_is_refused_before_loading_with_sizes) {
    test::temp_dir d;
    test::write_sparse_huge_model(d.file("huge.gguf"), 64ull << 30);
    const status st = load_error(d.file("huge.gguf"), 8ull << 30);
    EXPECT_EQ(st.code(), status_code::resource_exhausted);
    expect_names(st, d.file("huge.gguf"), "needs about");
    EXPECT_NE(st.message().find("64.0 GiB"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("8.0 GiB is available"), std::string::npos) << st.message();
}

TEST(memory_fit, estimate_counts_weights_context_and_buffers) {
    gguf_summary s;
    s.tensor_bytes = 1ull << 30;
    s.n_layer = 24;
    s.n_embd = 896;
    s.n_head = 14;
    s.n_head_kv = 2;
    const auto e = estimate_memory(s, 4096);
    EXPECT_EQ(e.weights_bytes, 1ull << 30);
    EXPECT_EQ(e.kv_bytes, 2ull * 24 * 4096 * 2 * 64 * 2);  // K and V, f16: 48 MiB
    EXPECT_GT(e.compute_bytes, 0u);
    EXPECT_TRUE(check_fits(s, e, 0));               // unknown: let it try
    EXPECT_TRUE(check_fits(s, e, e.total()));
    EXPECT_FALSE(check_fits(s, e, e.total() - 1));
}

}  // namespace
}  // namespace os1::llm
