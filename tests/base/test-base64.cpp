#include <gtest/gtest.h>

#include <random>

#include "base/base64.h"

namespace os1 {
namespace {

TEST(base64, the_rfc_4648_vectors) {
    const std::pair<const char *, const char *> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                             {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                             {"foobar", "Zm9vYmFy"}};
    for (const auto & [plain, coded] : vectors) {
        EXPECT_EQ(base64_encode(plain), coded);
        EXPECT_EQ(base64_decode(coded), std::string(plain));
    }
}

TEST(base64, any_bytes_come_back) {
    std::mt19937 rng(7);
    for (int n = 0; n < 200; ++n) {
        std::string bytes(static_cast<size_t>(n), '\0');
        for (auto & b : bytes) b = static_cast<char>(rng());
        EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
    }
}

TEST(base64, what_is_not_base64_is_refused) {
    for (const char * bad : {"Zg", "Zg=", "Z===", "Zm9v!A==", "Zg==Zm9v", "Zm=v", "Zh==", "Zm9=", "Zm 9v", "====",
                             "Zm9v\n"}) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
}

}  // namespace
}  // namespace os1
