#include <gtest/gtest.h>

#include "base/sha256.h"

namespace os1 {
namespace {

// FIPS 180-4 examples.
TEST(sha256, known_vectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256, incremental_equals_one_shot_at_every_split) {
    std::string data;
    for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7));
    const std::string whole = sha256_hex(data);
    for (size_t split = 0; split <= data.size(); split += 13) {
        sha256 h;
        h.update(data.substr(0, split));
        h.update(data.substr(split));
        EXPECT_EQ(h.hex_digest(), whole) << split;
    }
}

}  // namespace
}  // namespace os1
