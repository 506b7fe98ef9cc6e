#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_test.h"

namespace os1::test {
namespace {

using nlohmann::json;

std::vector<json> replies(const std::string & out) {
    std::vector<json> r;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) r.push_back(json::parse(line));
    return r;
}

TEST(cli_memory_adapter, speaks_the_b2_protocol_and_keeps_scopes_apart) {
    temp_dir home;
    const std::string input =
        R"({"op":"reset","scope":"a"})" "\n"
        R"({"op":"ingest","scope":"a","session":"D1","ts":"2023-05-08T13:56:00","turn":"D1:1","speaker":"Ann","role":"user","text":"I adopted a cat called Pixel."})" "\n"
        R"({"op":"ingest","scope":"b","session":"D1","ts":"2023-05-08T13:56:00","turn":"D1:1","speaker":"Bo","role":"user","text":"My cat is called Zorro."})" "\n"
        R"({"op":"end_session","scope":"a","session":"D1","ts":"2023-05-08T14:00:00"})" "\n"
        R"({"op":"query","scope":"a","q":"What is the cat called?","as_of":"2023-05-09T10:00:00","k":5})" "\n"
        "this is not json\n"
        R"({"op":"ingest","scope":"a","session":"D1","ts":"not a time","speaker":"Ann","role":"user","text":"x"})" "\n"
        R"({"op":"fly","scope":"a"})" "\n"
        R"({"op":"ingest","scope":"a","session":"D1","ts":"2023-05-08T13:56:00","speaker":"R","role":"robot","text":"x"})" "\n"
        R"({"op":"reset","scope":"a"})" "\n"
        R"({"op":"query","scope":"a","q":"cat","k":5})" "\n";
    const auto r = os1(home, {"memory-adapter"}, with_stdin(input));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto out = replies(r.out);
    ASSERT_EQ(out.size(), 11u) << r.out;
    for (int i : {0, 1, 2, 3}) EXPECT_EQ(out[static_cast<size_t>(i)].value("ok", false), true) << out[static_cast<size_t>(i)];
    const auto & items = out[4]["items"];
    ASSERT_EQ(items.size(), 1u) << out[4];  // only scope a's turn
    EXPECT_EQ(items[0]["prov"], json::array({"D1:1"}));
    EXPECT_EQ(items[0]["kind"], "turn");
    EXPECT_NE(items[0]["text"].get<std::string>().find("Pixel"), std::string::npos);
    EXPECT_EQ(out[5]["ok"], false);
    EXPECT_NE(out[5]["error"].get<std::string>().find("malformed JSON"), std::string::npos);
    EXPECT_NE(out[6]["error"].get<std::string>().find("'ts'"), std::string::npos);
    EXPECT_NE(out[7]["error"].get<std::string>().find("unknown op"), std::string::npos);
    EXPECT_NE(out[8]["error"].get<std::string>().find("role must be user, assistant or system, not 'robot'"), std::string::npos) << out[8];
    EXPECT_TRUE(out[10]["items"].empty()) << out[10];  // reset forgot everything of a
}

// With an embedding model, a question that shares no word with a turn still
// reaches it through the vectors, and only within its scope.
TEST(cli_memory_adapter, an_embedding_model_adds_the_nearest_turns) {
    temp_dir home;
    const std::string input =
        R"({"op":"ingest","scope":"a","session":"D1","ts":"2023-05-08T13:56:00","turn":"a1","speaker":"Ann","role":"user","text":"I adopted a cat called Pixel."})" "\n"
        R"({"op":"ingest","scope":"b","session":"D1","ts":"2023-05-08T13:56:00","turn":"b1","speaker":"Bo","role":"user","text":"My cat is called Zorro."})" "\n"
        R"({"op":"query","scope":"a","q":"Tell me about my pet","k":5})" "\n";
    const auto plain = replies(os1(home, {"memory-adapter"}, with_stdin(input)).out);
    ASSERT_EQ(plain.size(), 3u);
    EXPECT_TRUE(plain[2]["items"].empty()) << plain[2];  // no word in common
    const auto r = os1(home, {"memory-adapter", "--embed-model", tiny_model_path()}, with_stdin(input));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto dense = replies(r.out);
    ASSERT_EQ(dense.size(), 3u);
    ASSERT_EQ(dense[2]["items"].size(), 1u) << dense[2];
    EXPECT_EQ(dense[2]["items"][0]["prov"], json::array({"a1"}));
    const auto missing = os1(home, {"memory-adapter", "--embed-model", home.file("none.gguf")}, with_stdin(input));
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("--embed-model"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace os1::test
