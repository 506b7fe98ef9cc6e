#include <gtest/gtest.h>

#include <cmath>

#include "memory/recall.h"
#include "memory/time_expr.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

std::vector<float> unit(std::vector<float> v) {
    float n = 0;
    for (const float x : v) n += x * x;
    for (float & x : v) x /= std::sqrt(n);
    return v;
}

class vectors_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = memory_store::open(dir_.file("m.db"));
        ASSERT_TRUE(s) << s.error().message();
        store_ = std::move(*s);
        ada_ = *store_->person("ada", true);
        bob_ = *store_->person("bob", true);
        ASSERT_TRUE(store_->vectors().use_vector_model("model-a", 3));
    }
    int64_t said(person_id who, const std::string & text, std::vector<float> v, const std::string & ext = "") {
        new_turn t;
        t.session = "s";
        t.ts = days_from_civil(2023, 5, 1) * 86400;
        t.speaker = "ada";
        t.role = role::user;
        t.text = text;
        t.ext_id = ext;
        const int64_t id = *store_->turns().add_turn(who, t);
        EXPECT_TRUE(store_->vectors().put_vector(who, id, unit(std::move(v))));
        return id;
    }
    std::vector<int64_t> nearest(person_id who, std::vector<float> q, int k = 10) {
        std::vector<int64_t> out;
        const auto hits = store_->vectors().search_vectors(who, unit(std::move(q)), k);  // kept: the loop reads into it
        for (const auto & h : *hits) out.push_back(h.turn_id);
        return out;
    }
    test::temp_dir dir_;
    std::unique_ptr<memory_store> store_;
    person_id ada_ = 0, bob_ = 0;
};

TEST_F(vectors_test, the_nearest_turns_come_first_and_only_the_persons_own) {
    const int64_t cat = said(ada_, "I adopted a cat.", {1, 0, 0});
    const int64_t lake = said(ada_, "We hiked by the lake.", {0, 1, 0});
    said(bob_, "Bob's secret.", {1, 0.1f, 0});
    EXPECT_EQ(nearest(ada_, {0.9f, 0.2f, 0}), (std::vector<int64_t>{cat, lake}));
    EXPECT_EQ(nearest(ada_, {0, 1, 0.1f}, 1), (std::vector<int64_t>{lake}));
    EXPECT_EQ(nearest(bob_, {1, 0, 0}).size(), 1u);
    // Refused: the wrong size, another person's turn.
    EXPECT_EQ(store_->vectors().put_vector(ada_, cat, {1, 0}).code(), status_code::invalid_argument);
    EXPECT_EQ(store_->vectors().put_vector(bob_, cat, unit({1, 1, 1})).code(), status_code::invalid_argument);
    EXPECT_EQ(nearest(ada_, {1, 0, 0}).front(), cat);  // unchanged by the refused one
}

TEST_F(vectors_test, forgetting_or_correcting_a_turn_takes_its_vector_and_erase_takes_all) {
    const int64_t cat = said(ada_, "I adopted a cat.", {1, 0, 0});
    const int64_t lake = said(ada_, "We hiked by the lake.", {0, 1, 0});
    ASSERT_EQ(nearest(ada_, {1, 0, 0}).size(), 2u);  // read into memory: forgetting must reach it there too
    ASSERT_TRUE(store_->turns().forget_turn(ada_, cat));
    EXPECT_EQ(nearest(ada_, {1, 0, 0}), (std::vector<int64_t>{lake}));
    ASSERT_TRUE(store_->turns().edit_turn(ada_, lake, "We swam in the lake."));
    EXPECT_TRUE(nearest(ada_, {0, 1, 0}).empty());
    auto missing = store_->vectors().turns_without_vector(ada_, 10);
    ASSERT_EQ(missing->size(), 1u);  // to be made again
    EXPECT_EQ(missing->front().id, lake);
    ASSERT_TRUE(store_->vectors().put_vector(ada_, lake, unit({0, 1, 1})));
    EXPECT_TRUE(store_->vectors().turns_without_vector(ada_, 10)->empty());
    ASSERT_TRUE(store_->erase_person(ada_));
    auto again = memory_store::open(dir_.file("m.db"));
    ASSERT_TRUE(again);
    ASSERT_TRUE((*again)->vectors().use_vector_model("model-a", 3));
    EXPECT_TRUE((*again)->vectors().search_vectors(ada_, unit({0, 1, 1}), 10)->empty());
}

TEST_F(vectors_test, another_model_empties_the_vectors_or_is_refused) {
    said(ada_, "I adopted a cat.", {1, 0, 0});
    EXPECT_EQ(store_->vectors().use_vector_model("model-b", 4, /*replace=*/false).code(), status_code::invalid_argument);
    EXPECT_EQ(nearest(ada_, {1, 0, 0}).size(), 1u);
    ASSERT_TRUE(store_->vectors().use_vector_model("model-b", 4));
    EXPECT_TRUE(store_->vectors().search_vectors(ada_, unit({1, 0, 0, 0}), 10)->empty());
    EXPECT_EQ(store_->vectors().turns_without_vector(ada_, 10)->size(), 1u);
}

TEST_F(vectors_test, recall_fuses_the_nearest_turns_with_the_full_text) {
    said(ada_, "I adopted a grey cat called Pixel.", {1, 0, 0}, "cat");
    said(ada_, "We hiked near the lake on Sunday.", {0, 1, 0}, "lake");
    said(ada_, "The lake was cold.", {0.3f, 0, 1}, "cold");
    const auto q = unit({0.95f, 0.1f, 0});  // "my pet": no word in common with the cat's turn
    recall_options o;
    o.k = 3;
    EXPECT_TRUE(recall(*store_, ada_, "Tell me about my pet", o)->empty());
    o.query_vector = &q;
    auto got = recall(*store_, ada_, "Tell me about my pet", o);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_EQ(got->size(), 3u);
    EXPECT_EQ(got->front().prov, (std::vector<std::string>{"cat"}));
    EXPECT_EQ(got->front().kind, memory::recalled_kind::turn);
    // A turn that both lists rank well beats one that only one list has.
    const auto lake = unit({0, 1, 0});
    o.query_vector = &lake;
    got = recall(*store_, ada_, "the lake", o);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->front().prov, (std::vector<std::string>{"lake"}));
    // Another person's question never reaches Ada's vectors.
    EXPECT_TRUE(recall(*store_, bob_, "Tell me about my pet", o)->empty());
}

}  // namespace
}  // namespace os1::memory
