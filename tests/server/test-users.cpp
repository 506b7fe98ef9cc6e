#include <gtest/gtest.h>
#include <sys/stat.h>

#include "server/rate_limiter.h"
#include "server/users.h"
#include "support/temp_dir.h"
#include "base/files.h"

namespace os1::server {
namespace {

TEST(users, add_authenticate_remove) {
    test::temp_dir d;
    users_store u(d.file("users.json"));
    auto t = u.add("alice");
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_EQ(t->rfind("os1_", 0), 0u);
    EXPECT_EQ(u.authenticate(*t), "alice");
    EXPECT_FALSE(u.authenticate(*t + "x"));
    EXPECT_FALSE(u.authenticate(""));
    EXPECT_FALSE(u.add("alice"));  // taken
    ASSERT_TRUE(u.remove("alice"));
    EXPECT_FALSE(u.authenticate(*t));
    EXPECT_EQ(u.remove("alice").code(), status_code::not_found);
}

TEST(users, the_file_holds_no_token_and_only_its_owner_reads_it) {
    test::temp_dir d;
    users_store u(d.file("users.json"));
    const auto t = *u.add("alice");
    const auto text = *read_file(d.file("users.json"));
    EXPECT_EQ(text.find(t.substr(18)), std::string::npos);  // the secret part is not stored
    struct stat st {};
    ASSERT_EQ(::stat(d.file("users.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(users, a_second_store_sees_changes_to_the_file) {
    test::temp_dir d;
    users_store server_side(d.file("users.json"));
    EXPECT_FALSE(server_side.authenticate("os1_000000000000_" + std::string(64, '0')));
    users_store cli_side(d.file("users.json"));
    const auto t = *cli_side.add("bob");
    EXPECT_EQ(server_side.authenticate(t), "bob");
}

TEST(users, names_are_checked) {
    for (const char * bad : {"", "-x", "a b", "a/b", "émile", "x\n"}) EXPECT_FALSE(users_store::valid_name(bad)) << bad;
    for (const char * good : {"alice", "Bob.Smith", "u_1-2"}) EXPECT_TRUE(users_store::valid_name(good)) << good;
    EXPECT_FALSE(users_store::valid_name(std::string(65, 'a')));
}

TEST(users, a_damaged_file_is_an_error_not_an_open_door) {
    test::temp_dir d;
    ASSERT_TRUE(write_file_atomic(d.file("users.json"), "{broken"));
    users_store u(d.file("users.json"));
    EXPECT_EQ(u.list().error().code(), status_code::corrupt);
    EXPECT_FALSE(u.authenticate("os1_000000000000_" + std::string(64, '0')));
}

TEST(rate_limiter, bucket_refills_over_time) {
    rate_limiter r(60, 2);  // one per second, two at once
    const auto t0 = rate_limiter::clock::now();
    EXPECT_EQ(r.acquire("a", t0), 0);
    EXPECT_EQ(r.acquire("a", t0), 0);
    EXPECT_GE(r.acquire("a", t0), 1);
    EXPECT_EQ(r.acquire("b", t0), 0);  // per person
    EXPECT_EQ(r.acquire("a", t0 + std::chrono::milliseconds(1100)), 0);
    rate_limiter off(0, 1);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(off.acquire("a", t0), 0);
}

}  // namespace
}  // namespace os1::server
