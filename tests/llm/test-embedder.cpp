// The embedder with a real model file (random weights): the vectors have the
// model's width and unit length, the same text gives the same vector, and bad
// input or a bad file is a clear error.
#include <gtest/gtest.h>

#include <cmath>

#include "llm/embedder.h"
#include "support/temp_dir.h"

namespace os1::llm {
namespace {

double dot(const std::vector<float> & a, const std::vector<float> & b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
    return s;
}

TEST(embedder, vectors_are_unit_length_and_the_same_text_gives_the_same_one) {
    auto e = embedder::open(test::tiny_model_path(), model_options{});
    ASSERT_TRUE(e) << e.error().message();
    EXPECT_GT((*e)->dims(), 0);
    EXPECT_FALSE((*e)->key().empty());
    auto a = (*e)->embed("I adopted a grey cat called Pixel.");
    auto b = (*e)->embed("We hiked near the lake on Sunday.");
    auto a2 = (*e)->embed("I adopted a grey cat called Pixel.");
    ASSERT_TRUE(a && b && a2);
    ASSERT_EQ(a->size(), static_cast<size_t>((*e)->dims()));
    EXPECT_NEAR(dot(*a, *a), 1.0, 1e-4);
    EXPECT_NEAR(dot(*a, *a2), 1.0, 1e-4);  // nothing of the previous text stays behind
    EXPECT_LT(dot(*a, *b), 0.9999);
    // A text longer than the context is cut, not refused.
    std::string book;
    for (int i = 0; i < 400; ++i) book += "The heron came back to the pond again. ";
    auto long_one = (*e)->embed(book);
    ASSERT_TRUE(long_one) << long_one.error().message();
    EXPECT_EQ((*e)->embed("").error().code(), status_code::invalid_argument);
}

TEST(embedder, a_missing_file_is_named) {
    test::temp_dir d;
    auto e = embedder::open(d.file("nope.gguf"), model_options{});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code(), status_code::not_found);
    EXPECT_NE(e.error().message().find("nope.gguf"), std::string::npos);
}

}  // namespace
}  // namespace os1::llm
