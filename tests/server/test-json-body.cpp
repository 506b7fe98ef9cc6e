#include <gtest/gtest.h>

#include "server/json_body.h"
#include "server/request_bodies.h"

namespace os1::server {
namespace {

TEST(json_body, depth_counts_brackets_outside_strings_only) {
    EXPECT_EQ(json_nesting_depth("1", 32), 0);
    EXPECT_EQ(json_nesting_depth(R"({"a":[1,{"b":2}]})", 32), 3);
    EXPECT_EQ(json_nesting_depth(R"(["[[[[", "\"[[[", {"]]]":1}])", 32), 2);
    EXPECT_EQ(json_nesting_depth(std::string(100000, '['), 32), 33);  // stops counting past the limit
}

TEST(json_body, a_body_deeper_than_the_limit_is_refused_and_one_at_it_is_read) {
    const std::string at = std::string(max_json_depth, '[') + std::string(max_json_depth, ']');
    EXPECT_TRUE(parse_json_body(at));
    const auto over = parse_json_body("[" + at + "]");
    ASSERT_FALSE(over);
    EXPECT_NE(over.error().message().find("deeper than 32"), std::string::npos);
    EXPECT_NE(parse_json_body("{\"a\":").error().message().find("not valid JSON"), std::string::npos);
}

TEST(json_body, whole_numbers_are_never_wrapped_into_range) {
    const auto doc = *parse_json_body(R"({"u":18446744073709551606,"neg":-5,"f":1.5,"s":"3","ok":7})");
    int64_t n = 0;
    EXPECT_FALSE(read_int(doc, "u", -840, 840, n));
    EXPECT_FALSE(read_int(doc, "u", 0, INT64_MAX, n));
    EXPECT_FALSE(read_int(doc, "neg", 0, 10, n));
    EXPECT_FALSE(read_int(doc, "f", 0, 10, n));
    EXPECT_FALSE(read_int(doc, "s", 0, 10, n));
    EXPECT_EQ(n, 0);
    EXPECT_TRUE(read_int(doc, "ok", 0, 10, n));
    EXPECT_EQ(n, 7);
    EXPECT_TRUE(read_int(doc, "absent", 0, 10, n));
    EXPECT_EQ(n, 7);
    EXPECT_NE(read_int(doc, "u", 0, 50, n).message().find("'u' must be a whole number from 0 to 50"), std::string::npos);
}

TEST(request_bodies, initiative_settings_are_checked_field_by_field) {
    auto p = parse_initiative_settings(R"({"daily_cap":3,"quiet_from":"21:15","min_importance":0.5})");
    ASSERT_TRUE(p) << p.error().message();
    const auto s = apply_settings({}, *p);
    EXPECT_EQ(s.daily_cap, 3);
    EXPECT_EQ(s.quiet_from, 21 * 60 + 15);
    EXPECT_EQ(s.quiet_to, 8 * 60);  // untouched
    EXPECT_DOUBLE_EQ(s.min_importance, 0.5);
    for (const char * bad : {R"({"daily_cap":51})", R"({"utc_offset_minutes":18446744073709551606})", R"({"opted_out":1})",
                             R"({"quiet_to":"8am"})", R"({"min_importance":-0.1})", R"({"volume":3})", "[]", "{"}) {
        EXPECT_FALSE(parse_initiative_settings(bad)) << bad;
    }
}

TEST(request_bodies, persona_and_text_bodies) {
    EXPECT_EQ(*parse_text_body(R"({"text":"corrected"})"), "corrected");
    EXPECT_FALSE(parse_text_body(R"({"text":1})"));
    EXPECT_EQ(*parse_persona_name(R"({"name":"Samantha"})"), "Samantha");
    EXPECT_EQ(*parse_persona_version(R"({"version":3})"), 3);
    for (const char * bad : {R"({"version":18446744073709551615})", R"({"version":-1})", R"({"version":0})", R"({})", "3"}) {
        EXPECT_FALSE(parse_persona_version(bad)) << bad;
    }
}

}  // namespace
}  // namespace os1::server
