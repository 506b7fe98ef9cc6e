#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/files.h"
#include "base/units.h"
#include "support/temp_dir.h"

namespace os1 {
namespace {

TEST(files, atomic_write_replaces_and_leaves_no_temporary) {
    test::temp_dir d;
    const auto p = d.file("a.txt");
    ASSERT_TRUE(write_file_atomic(p, "one"));
    ASSERT_TRUE(write_file_atomic(p, "two"));
    auto text = read_file(p);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "two");
    int n = 0;
    for ([[maybe_unused]] const auto & e : std::filesystem::directory_iterator(d.path())) ++n;
    EXPECT_EQ(n, 1);
}

TEST(files, read_missing_file_is_not_found_and_names_it) {
    auto text = read_file("/nonexistent/x");
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code(), status_code::not_found);
    EXPECT_NE(text.error().message().find("/nonexistent/x"), std::string::npos);
}

TEST(files, write_into_missing_folder_fails_cleanly) {
    const status st = write_file_atomic("/nonexistent/dir/x", "data");
    EXPECT_FALSE(st);
    EXPECT_NE(st.message().find("/nonexistent/dir"), std::string::npos);
}

TEST(files, make_dirs_is_idempotent) {
    test::temp_dir d;
    EXPECT_TRUE(make_dirs(d.file("a/b/c")));
    EXPECT_TRUE(make_dirs(d.file("a/b/c")));
    EXPECT_TRUE(path_exists(d.file("a/b/c")));
}

TEST(units, bytes_and_durations) {
    EXPECT_EQ(format_bytes(512), "512 B");
    EXPECT_EQ(format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(format_bytes(3ull << 30), "3.0 GiB");
    EXPECT_EQ(format_duration_s(5), "5 s");
    EXPECT_EQ(format_duration_s(125), "2 min 05 s");
    EXPECT_EQ(format_duration_s(7260), "2 h 01 min");
    EXPECT_EQ(format_duration_s(-1), "?");
}

}  // namespace
}  // namespace os1
