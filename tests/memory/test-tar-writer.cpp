#include <gtest/gtest.h>

#include "base/files.h"
#include "memory/tar_writer.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace os1::memory {
namespace {

TEST(tar_writer, the_systems_tar_unpacks_what_it_writes) {
    test::temp_dir d;
    const std::string big(1500, 'x');  // more than one block, not a multiple of 512
    const std::string long_name = "out/" + std::string(150, 'n') + ".txt";  // more than ustar's 100 bytes
    auto tar = tar_archive({{"out/a.json", "{\"a\":1}\n"}, {"out/b.md", big}, {"out/empty.txt", ""}, {long_name, "long"}},
                           1780000000);
    ASSERT_TRUE(tar) << tar.error().message();
    EXPECT_EQ(tar->size() % 512, 0u);
    ASSERT_TRUE(write_file_atomic(d.file("x.tar"), *tar));
    const auto r = test::run_process({"/usr/bin/env", "tar", "-xf", d.file("x.tar"), "-C", d.path()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(*read_file(d.file("out/a.json")), "{\"a\":1}\n");
    EXPECT_EQ(*read_file(d.file("out/b.md")), big);
    EXPECT_EQ(*read_file(d.file("out/empty.txt")), "");
    EXPECT_EQ(*read_file(d.file(long_name)), "long");
}

TEST(tar_writer, names_that_could_escape_are_refused) {
    for (const char * bad : {"", "/etc/passwd", "../x", "a/../../b"}) {
        EXPECT_EQ(tar_archive({{bad, "x"}}, 0).error().code(), status_code::invalid_argument) << bad;
    }
}

}  // namespace
}  // namespace os1::memory
