#include <gtest/gtest.h>

#include "base/files.h"
#include "base/tar_writer.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace os1 {
namespace {

TEST(tar_writer, the_systems_tar_unpacks_what_it_writes) {
    test::temp_dir d;
    const std::string big(1500, 'x');  // more than one block, not a multiple of 512
    auto tar = tar_archive({{"out/a.json", "{\"a\":1}\n"}, {"out/b.md", big}, {"out/empty.txt", ""}}, 1780000000);
    ASSERT_TRUE(tar) << tar.error().message();
    EXPECT_EQ(tar->size() % 512, 0u);
    ASSERT_TRUE(write_file_atomic(d.file("x.tar"), *tar));
    const auto r = test::run_process({"/usr/bin/env", "tar", "-xf", d.file("x.tar"), "-C", d.path()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(*read_file(d.file("out/a.json")), "{\"a\":1}\n");
    EXPECT_EQ(*read_file(d.file("out/b.md")), big);
    EXPECT_EQ(*read_file(d.file("out/empty.txt")), "");
}

TEST(tar_writer, names_that_could_escape_or_do_not_fit_are_refused) {
    for (const char * bad : {"", "/etc/passwd", "../x", "a/../../b"}) {
        EXPECT_EQ(tar_archive({{bad, "x"}}, 0).error().code(), status_code::invalid_argument) << bad;
    }
    EXPECT_FALSE(tar_archive({{std::string(120, 'a'), "x"}}, 0));
}

}  // namespace
}  // namespace os1
