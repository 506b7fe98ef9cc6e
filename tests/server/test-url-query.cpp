#include <gtest/gtest.h>

#include "server/url_query.h"

namespace os1::server {
namespace {

TEST(url_query, decodes_escapes_and_plus_and_keeps_malformed_ones_as_text) {
    const auto q = url_query("/api/v1/memories/search?q=where+is%20my%20sister%3F&limit=5&empty&bad=%zz%4");
    EXPECT_EQ(q.at("q"), "where is my sister?");
    EXPECT_EQ(q.at("limit"), "5");
    EXPECT_EQ(q.at("empty"), "");
    EXPECT_EQ(q.at("bad"), "%zz%4");
    EXPECT_TRUE(url_query("/no/query").empty());
    EXPECT_TRUE(url_query("/x?").empty());
}

}  // namespace
}  // namespace os1::server
