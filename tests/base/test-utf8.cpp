#include <gtest/gtest.h>

#include "base/utf8.h"

namespace os1 {
namespace {

TEST(utf8, stream_holds_back_split_characters) {
    utf8_stream s;
    const std::string heart = "\xE2\x9D\xA4";  // three bytes
    EXPECT_EQ(s.push("a" + heart.substr(0, 1)), "a");
    EXPECT_EQ(s.push(heart.substr(1, 1)), "");
    EXPECT_EQ(s.push(heart.substr(2) + "b"), heart + "b");
    EXPECT_EQ(s.flush(), "");
}

TEST(utf8, invalid_bytes_become_replacement_characters) {
    utf8_stream s;
    EXPECT_EQ(s.push("x\xFFy"), "x\xEF\xBF\xBDy");
    EXPECT_EQ(s.push("\xE2\x9D"), "");
    EXPECT_EQ(s.flush(), "\xEF\xBF\xBD");  // an unfinished character at the end
}

TEST(utf8, validity) {
    EXPECT_TRUE(utf8_is_valid("héllo \xF0\x9F\x98\x80"));
    EXPECT_FALSE(utf8_is_valid("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(utf8_is_valid("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(utf8_is_valid("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(utf8_is_valid("\xE2\x9D"));          // cut short
    EXPECT_EQ(utf8_sanitize("a\xC0\xAF" "b"), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
}

}  // namespace
}  // namespace os1
