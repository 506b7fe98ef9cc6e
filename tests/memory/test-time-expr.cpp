#include <gtest/gtest.h>

#include "memory/time_expr.h"

namespace os1::memory {
namespace {

int64_t at(int y, unsigned m, unsigned d, int h = 12) { return days_from_civil(y, m, d) * 86400 + h * 3600; }
int64_t day(int y, unsigned m, unsigned d) { return days_from_civil(y, m, d) * 86400; }

// Wednesday 2023-05-10, noon.
const int64_t now = at(2023, 5, 10);

TEST(time_expr, civil_dates_round_trip) {
    for (int64_t z : {-1000000LL, -1LL, 0LL, 19487LL, 2932896LL}) {
        int64_t y = 0;
        unsigned m = 0, d = 0;
        civil_from_days(z, y, m, d);
        EXPECT_EQ(days_from_civil(y, m, d), z);
    }
    EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
}

TEST(time_expr, relative_days_and_weeks) {
    auto r = find_time_ranges("What did I do yesterday?", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 5, 9));
    EXPECT_EQ(r[0].to, day(2023, 5, 10));
    EXPECT_EQ(r[0].phrase, "yesterday");

    r = find_time_ranges("three days ago", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 5, 7));

    r = find_time_ranges("last week", now);  // the Monday-to-Sunday week before this one
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 5, 1));
    EXPECT_EQ(r[0].to, day(2023, 5, 8));

    r = find_time_ranges("last Tuesday", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 5, 9));

    r = find_time_ranges("last Wednesday", now);  // not today: a week back
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 5, 3));
}

TEST(time_expr, months_and_years) {
    auto r = find_time_ranges("Where did she move in May?", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 5, 1));
    EXPECT_EQ(r[0].to, day(2023, 6, 1));

    r = find_time_ranges("in August", now);  // the most recent August
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2022, 8, 1));

    r = find_time_ranges("on 7 May 2021 or May 2022", now);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].from, day(2021, 5, 1));  // "May 2021" (the day before it is read as a month)
    EXPECT_EQ(r[1].from, day(2022, 5, 1));

    r = find_time_ranges("June 3, 2022", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2022, 6, 3));
    EXPECT_EQ(r[0].to, day(2022, 6, 4));

    r = find_time_ranges("two years ago", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2021, 1, 1));
    EXPECT_EQ(r[0].to, day(2022, 1, 1));

    r = find_time_ranges("What happened in 2019?", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2019, 1, 1));

    r = find_time_ranges("last month", now);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2023, 4, 1));
    EXPECT_EQ(r[0].to, day(2023, 5, 1));

    r = find_time_ranges("last year", at(2023, 1, 15));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].from, day(2022, 1, 1));
}

TEST(time_expr, words_that_are_not_times_name_none) {
    EXPECT_TRUE(find_time_ranges("May I ask you something?", now).empty());
    EXPECT_TRUE(find_time_ranges("I have 2019 stamps", now).empty());
    EXPECT_TRUE(find_time_ranges("", now).empty());
    EXPECT_TRUE(find_time_ranges("the last one", now).empty());
}

TEST(time_expr, iso_times_parse_and_bad_ones_do_not) {
    int64_t t = 0;
    ASSERT_TRUE(parse_iso_time("2023-05-08T13:56:00", t));
    EXPECT_EQ(t, day(2023, 5, 8) + 13 * 3600 + 56 * 60);
    ASSERT_TRUE(parse_iso_time("2023-05-08", t));
    EXPECT_EQ(t, day(2023, 5, 8));
    ASSERT_TRUE(parse_iso_time("2023-05-08T13:56:00+02:00", t));
    EXPECT_EQ(t, day(2023, 5, 8) + 11 * 3600 + 56 * 60);
    ASSERT_TRUE(parse_iso_time("2023-05-08T13:56Z", t));
    for (const char * bad : {"", "2023-5-8", "2023-13-01", "2023-05-08T25:00:00", "yesterday", "2023-05-08T13:56:00junk"}) {
        EXPECT_FALSE(parse_iso_time(bad, t)) << bad;
    }
}

}  // namespace
}  // namespace os1::memory
