#include <gtest/gtest.h>

#include "companion/prompt_layout.h"

#include "base/utf8.h"

namespace os1::companion {
namespace {

memory::recalled_item item(const std::string & text, int64_t id) {
    memory::recalled_item i;
    i.kind = memory::recalled_kind::turn;
    i.text = text;
    i.turn_ids = {id};
    return i;
}

// The golden layout: persona | core profile | history | recalled | message.
TEST(prompt_layout, parts_come_in_the_order_that_keeps_the_kv_prefix) {
    prompt_parts p;
    p.persona = "You are OS1.";
    p.core_profile = "Ada, a painter in Lyon.";
    p.history = {{role::user, "Hi"}, {role::assistant, "Hello, Ada."}};
    p.recalled = "[From earlier conversations, in case it matters now:\n- (2026-05-01) Ada: I paint at night.]\n\n";
    p.message = "Any plans tonight?";
    const auto m = lay_out(p);
    ASSERT_EQ(m.size(), 5u);
    EXPECT_EQ(m[0].role, role::system);
    EXPECT_EQ(m[0].content, "You are OS1.");
    EXPECT_EQ(m[1].role, role::system);
    EXPECT_EQ(m[1].content, "What you know about the person you are talking with:\nAda, a painter in Lyon.");
    EXPECT_EQ(m[2].content, "Hi");
    EXPECT_EQ(m[3].content, "Hello, Ada.");
    EXPECT_EQ(m[4].role, role::user);
    EXPECT_EQ(m[4].content, "[From earlier conversations, in case it matters now:\n- (2026-05-01) Ada: I paint at night.]\n\n"
                            "Any plans tonight?");
}

TEST(prompt_layout, merged_for_templates_with_one_system_message) {
    prompt_parts p;
    p.persona = "You are OS1.";
    p.core_profile = "Ada.";
    p.message = "Hi";
    const auto m = lay_out(p, true);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].content, "You are OS1.\n\nWhat you know about the person you are talking with:\nAda.");
    p.core_profile.clear();
    p.persona.clear();
    const auto bare = lay_out(p);
    ASSERT_EQ(bare.size(), 1u);
    EXPECT_EQ(bare[0].content, "Hi");
}

TEST(prompt_layout, the_recalled_block_keeps_to_its_word_budget_with_whole_items) {
    std::vector<int64_t> chosen;
    const auto block = recalled_block({item("one two three four five", 1), item("six seven eight nine ten eleven", 2),
                                       item("twelve", 3)},
                                      6, chosen);
    EXPECT_EQ(block, "[From earlier conversations, in case it matters now:\n- one two three four five\n- twelve]\n\n");
    EXPECT_EQ(chosen, (std::vector<int64_t>{1, 3}));
    chosen.clear();
    // The best one comes first even when it is too long: its beginning.
    const auto cut = recalled_block({item("too many words here", 1), item("and many more", 2)}, 2, chosen);
    EXPECT_EQ(cut, "[From earlier conversations, in case it matters now:\n- too many\u2026]\n\n");
    EXPECT_EQ(chosen, (std::vector<int64_t>{1}));
    EXPECT_TRUE(shown_in("\n" + cut, item("too many words here", 1)));
    EXPECT_FALSE(shown_in("\n" + cut, item("too few words here", 3)));  // known by the words shown
    EXPECT_FALSE(shown_in("\n" + cut, item("and many more", 2)));
    chosen.clear();
    EXPECT_EQ(recalled_block({item("too many words here", 1)}, 0, chosen), "");
    EXPECT_TRUE(chosen.empty());
}

TEST(prompt_layout, a_later_block_says_less_once_the_prompt_explains_what_a_block_is) {
    std::vector<int64_t> chosen;
    const auto first = recalled_block({item("I paint at night", 1)}, 50, chosen);
    ASSERT_EQ(first, "[From earlier conversations, in case it matters now:\n- I paint at night]\n\n");
    const auto later = recalled_block({item("the cat is called Tom", 2)}, 50, chosen, nullptr, default_recall_bytes, first);
    EXPECT_EQ(later, "[Also from earlier:\n- the cat is called Tom]\n\n");
    // An item the short block brought is known as shown, like any other.
    EXPECT_TRUE(shown_in(first + later, item("the cat is called Tom", 2)));
    // A prompt whose explained block was cut away (only short ones left) explains again.
    const auto again = recalled_block({item("rain on Sunday", 3)}, 50, chosen, nullptr, default_recall_bytes, later);
    EXPECT_EQ(again, "[From earlier conversations, in case it matters now:\n- rain on Sunday]\n\n");
}

// Regression: a 30,000-character message without spaces was one "word", recalled
// whole into every later prompt, and made unrelated messages too long for the context.
TEST(prompt_layout, the_recall_budget_counts_bytes_and_cuts_a_long_item) {
    std::vector<int64_t> chosen;
    const std::string wall(30000, 'x');
    const auto block = recalled_block({item(wall, 1), item("a short one", 2)}, 200, chosen);
    EXPECT_LE(block.size(), default_recall_bytes + 100);
    EXPECT_NE(block.find(std::string(default_recall_bytes / 2, 'x') + "\u2026"), std::string::npos);
    EXPECT_NE(block.find("- a short one"), std::string::npos);
    EXPECT_EQ(chosen, (std::vector<int64_t>{1, 2}));
    // A cut never splits a character.
    chosen.clear();
    std::string hangul;
    while (hangul.size() < 3000) hangul += "\xea\xb0\x80";  // U+AC00
    const auto cut = recalled_block({item(hangul, 1)}, 200, chosen, nullptr, 1001);
    EXPECT_TRUE(utf8_is_valid(cut));
}

TEST(prompt_layout, the_core_profile_is_the_persons_words_then_whole_facts_within_its_size) {
    const auto fact = [](const std::string & text) {
        memory::fact_record f;
        f.text = text;
        return f;
    };
    const std::vector<memory::fact_record> facts = {fact("Her sister Zoe lives in Boston."), fact("She paints at night."),
                                                    fact("She has a grey cat called Pixel.")};
    EXPECT_EQ(core_profile("Ada, a painter.", "", facts, 1000),
              "Ada, a painter.\n\nLearned from your conversations:\n- Her sister Zoe lives in Boston.\n"
              "- She paints at night.\n- She has a grey cat called Pixel.");
    EXPECT_EQ(core_profile("", "", {facts[1]}, 1000), "Learned from your conversations:\n- She paints at night.");
    // Within the size, whole facts in their order: the third does not fit, nor does anything after it.
    const std::string two = core_profile("Ada, a painter.", "", facts, 120);
    EXPECT_LE(two.size(), 120u);
    EXPECT_NE(two.find("She paints at night."), std::string::npos);
    EXPECT_EQ(two.find("Pixel"), std::string::npos);
    EXPECT_EQ(core_profile("Ada, a painter.", "", facts, 10), "Ada, a painter.");
    EXPECT_EQ(core_profile("", "", {}, 1000), "");
    // A portrait that does not fit beside the person's own words is left out, not cut.
    EXPECT_EQ(core_profile(std::string(90, 'a'), std::string(20, 'p'), {}, 100), std::string(90, 'a'));
    EXPECT_EQ(core_profile("Ada.", "Ada paints and misses Zoe.", {facts[1]}, 1000),
              "Ada.\n\nIn short: Ada paints and misses Zoe.\n\nLearned from your conversations:\n- She paints at night.");
}

}  // namespace
}  // namespace os1::companion
