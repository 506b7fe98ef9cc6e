// The bench model is 530 MB: generated and checked only in the `slow` label.
#include <gtest/gtest.h>

#include "llm/gguf_probe.h"
#include "llm/model.h"
#include "llm/test_model.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

TEST(bench_model, has_the_size_and_parameters_of_qwen25_05b_q8_0) {
    test::temp_dir d;
    auto shape = find_test_model_shape("bench");
    ASSERT_TRUE(shape);
    ASSERT_TRUE(make_test_model(d.file("bench.gguf"), *shape, 1));
    auto info = probe_gguf(d.file("bench.gguf"));
    ASSERT_TRUE(info) << info.error().message();
    // Qwen2.5-0.5B: 494M parameters with tied embeddings; Q8_0 is 8.5 bits each.
    EXPECT_NEAR(static_cast<double>(info->n_params), 494e6, 5e6);
    EXPECT_NEAR(static_cast<double>(info->file_bytes), 530e6, 20e6);
    EXPECT_EQ(info->file_type, "Q8_0");
    model_options mo;
    mo.ctx_tokens = 512;
    auto m = model::load(d.file("bench.gguf"), mo);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ((*m)->n_ctx_train(), 32768);
}

}  // namespace
}  // namespace os1::llm
