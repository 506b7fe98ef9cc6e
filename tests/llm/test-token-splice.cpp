// Splicing a conversation's own earlier tokens into its next prompt, over a
// made-up vocabulary: the spans that spell the same text, and never more.
#include <gtest/gtest.h>

#include <map>

#include "llm/token_splice.h"

namespace os1::llm {
namespace {

const std::map<int32_t, std::string> vocab = {
    {0, "<sys>"}, {1, "he"}, {2, "llo"}, {3, "hello"}, {4, " world"}, {6, " wor"}, {7, "ld"}, {8, "!"}, {9, "<end>"},
};
constexpr int32_t end_marker = 5;  // a control token, spelled "<end>" by no text

std::optional<std::string> text(int32_t t) {
    if (t == end_marker) return std::nullopt;
    return vocab.at(t);
}

using tokens = std::vector<int32_t>;

TEST(token_splice, a_reply_tokenized_otherwise_is_put_back_as_generated) {
    tokens prompt = {0, 3, end_marker, 8};
    EXPECT_EQ(splice_known_tokens({0, 1, 2}, prompt, text, 100), 3u);
    EXPECT_EQ(prompt, (tokens{0, 1, 2, end_marker, 8}));
}

TEST(token_splice, other_text_is_left_as_it_is) {
    tokens prompt = {0, 4, 8};
    EXPECT_EQ(splice_known_tokens({0, 1, 2}, prompt, text, 100), 1u);
    EXPECT_EQ(prompt, (tokens{0, 4, 8}));
}

TEST(token_splice, text_that_spells_a_control_token_is_not_one) {
    tokens prompt = {0, end_marker};
    EXPECT_EQ(splice_known_tokens({0, 9}, prompt, text, 100), 1u);
    EXPECT_EQ(prompt, (tokens{0, end_marker}));
}

TEST(token_splice, the_prompt_stays_within_its_room) {
    tokens prompt = {0, 3, end_marker, 8};
    EXPECT_EQ(splice_known_tokens({0, 1, 2}, prompt, text, 4), 1u);
    EXPECT_EQ(prompt, (tokens{0, 3, end_marker, 8}));
}

TEST(token_splice, nothing_before_the_shared_prefix_is_touched) {
    tokens prompt = {3, end_marker};
    EXPECT_EQ(splice_known_tokens({1, 2}, prompt, text, 100, 1), 0u);
    EXPECT_EQ(prompt, (tokens{3, end_marker}));
}

TEST(token_splice, a_cut_reply_is_spliced_up_to_the_last_whole_match) {
    // The reply was generated on to " wor" and stopped; the client sent " world".
    tokens prompt = {0, 3, 4, end_marker};
    EXPECT_EQ(splice_known_tokens({0, 1, 2, 6}, prompt, text, 100), 3u);
    EXPECT_EQ(prompt, (tokens{0, 1, 2, 4, end_marker}));
}

TEST(token_splice, each_earlier_span_is_spliced) {
    tokens prompt = {0, 3, end_marker, 4, 8};
    EXPECT_EQ(splice_known_tokens({0, 1, 2, end_marker, 6, 7}, prompt, text, 100), 6u);
    EXPECT_EQ(prompt, (tokens{0, 1, 2, end_marker, 6, 7, 8}));
}

TEST(token_splice, the_same_tokens_need_no_splice) {
    tokens prompt = {0, 3, end_marker, 8};
    EXPECT_EQ(splice_known_tokens({0, 3, end_marker}, prompt, text, 100), 3u);
    EXPECT_EQ(prompt, (tokens{0, 3, end_marker, 8}));
}

}  // namespace
}  // namespace os1::llm
