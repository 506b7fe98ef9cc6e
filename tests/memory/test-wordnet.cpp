#include <gtest/gtest.h>

#include <algorithm>

#include "memory/wordnet.h"

namespace os1::memory {
namespace {

bool has(const std::vector<related_word> & rs, const std::string & w, word_relation r) {
    return std::any_of(rs.begin(), rs.end(), [&](const related_word & x) { return x.word == w && x.relation == r; });
}

class wordnet_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto w = wordnet::open();
        if (!w) GTEST_SKIP() << w.error().message();
        wn = *w;
    }
    std::shared_ptr<const wordnet> wn;
};

TEST_F(wordnet_test, an_inflected_word_finds_its_synonyms) {
    const auto r = wn->related("kids");
    EXPECT_TRUE(has(r, "child", word_relation::synonym));
    EXPECT_TRUE(has(wn->related("children"), "kid", word_relation::synonym));  // an irregular plural
}

TEST_F(wordnet_test, derived_forms_and_narrower_kinds_are_found) {
    const auto r = wn->related("painted");
    EXPECT_TRUE(has(r, "painter", word_relation::derived));
    EXPECT_TRUE(has(r, "watercolor", word_relation::narrower));
    wordnet_options o;
    o.narrower = false;
    EXPECT_FALSE(has(wn->related("painted", o), "watercolor", word_relation::narrower));
}

TEST_F(wordnet_test, results_are_single_plain_words_without_the_word_itself_or_repeats) {
    const auto r = wn->related("Dog");
    ASSERT_FALSE(r.empty());
    std::vector<std::string> words;
    for (const auto & x : r) {
        EXPECT_TRUE(std::all_of(x.word.begin(), x.word.end(), [](char c) { return c >= 'a' && c <= 'z'; })) << x.word;
        EXPECT_NE(x.word, "dog");
        words.push_back(x.word);
    }
    std::sort(words.begin(), words.end());
    EXPECT_EQ(std::adjacent_find(words.begin(), words.end()), words.end());
    wordnet_options few;
    few.max_words = 3;
    EXPECT_LE(wn->related("dog", few).size(), 3u);
}

TEST_F(wordnet_test, an_unknown_or_empty_word_has_no_relations) {
    EXPECT_TRUE(wn->related("zxqvbnm").empty());
    EXPECT_TRUE(wn->related("").empty());
    EXPECT_TRUE(wn->related("\"*NEAR(").empty());
}

}  // namespace
}  // namespace os1::memory
