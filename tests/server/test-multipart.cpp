// multipart/form-data as upload clients send it (curl, the OpenAI libraries,
// browsers): the parts and their fields, binary data kept byte for byte, and
// every malformed or oversized form refused with a message naming the problem.
#include <gtest/gtest.h>

#include "server/multipart.h"

namespace os1::server {
namespace {

// What `curl -F file=@a.wav -F model=whisper-1` sends, with a boundary of its own.
std::string form(const std::string & b, const std::string & audio) {
    return "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n" +
           audio + "\r\n--" + b + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--" + b + "--\r\n";
}

TEST(multipart, a_file_and_a_field_with_binary_data_kept_byte_for_byte) {
    static const char bytes[] = "RIFF\0\0\r\n--not-the-boundary\r\n\xff\x00";
    const std::string audio(bytes, sizeof bytes - 1);
    const std::string body = form("------------------------d74496d66958873e", audio);
    auto b = multipart_boundary("multipart/form-data; boundary=------------------------d74496d66958873e");
    ASSERT_TRUE(b) << b.error().message();
    auto parts = parse_multipart(body, *b);
    ASSERT_TRUE(parts) << parts.error().message();
    ASSERT_EQ(parts->size(), 2u);
    const form_part * file = find_part(*parts, "file");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->filename, "a.wav");
    EXPECT_EQ(file->content_type, "audio/wav");
    EXPECT_EQ(file->data, audio);
    ASSERT_NE(find_part(*parts, "model"), nullptr);
    EXPECT_EQ(find_part(*parts, "model")->data, "whisper-1");
    EXPECT_EQ(find_part(*parts, "language"), nullptr);
}

TEST(multipart, quoted_boundaries_parameters_in_any_case_a_preamble_and_quoted_names) {
    auto b = multipart_boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b;c\"");
    ASSERT_TRUE(b) << b.error().message();
    EXPECT_EQ(*b, "a b;c");
    const std::string body = "a preamble to ignore\r\n--a b;c\r\ncontent-disposition: form-data; filename=\"x \\\"y\\\".ogg\"; name=\"file\"\r\n\r\n"
                             "DATA\r\n--a b;c--";
    auto parts = parse_multipart(body, *b);
    ASSERT_TRUE(parts) << parts.error().message();
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ((*parts)[0].name, "file");
    EXPECT_EQ((*parts)[0].filename, "x \"y\".ogg");
    EXPECT_EQ((*parts)[0].data, "DATA");
}

TEST(multipart, what_is_not_a_form_is_refused_in_words) {
    const auto refused = [](const result<std::vector<form_part>> & r, const std::string & says) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code(), status_code::invalid_argument);
        EXPECT_NE(r.error().message().find(says), std::string::npos) << r.error().message();
    };
    EXPECT_FALSE(multipart_boundary("application/json"));
    EXPECT_NE(multipart_boundary("application/json").error().message().find("multipart/form-data"), std::string::npos);
    EXPECT_FALSE(multipart_boundary("multipart/form-data"));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
    EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));

    const std::string good = form("B", "abc");
    refused(parse_multipart("", "B"), "boundary never appears");
    refused(parse_multipart("no boundary here", "B"), "boundary never appears");
    refused(parse_multipart(good.substr(0, good.size() - 10), "B"), "without its closing boundary");  // cut in the last field
    refused(parse_multipart("--B\r\nContent-Disposition: form-data; name=\"file\"\r\nno blank line", "B"), "no blank line");
    refused(parse_multipart("--B\r\nContent-Type: audio/wav\r\n\r\nabc\r\n--B--", "B"), "no 'Content-Disposition");
    refused(parse_multipart("--B\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nabc\r\n--B--", "B"), "no 'Content-Disposition");
    refused(parse_multipart("--Bjunk\r\n", "B"), "not followed by a line break");
    std::string many;
    for (int i = 0; i < 17; ++i) many += "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
    refused(parse_multipart(many + "--B--", "B"), "more than 16 parts");
    refused(parse_multipart("--B\r\nContent-Disposition: form-data; name=\"f\"\r\nX: " + std::string(5000, 'y') + "\r\n\r\nx\r\n--B--", "B"),
            "longer than 4096 bytes");
}

TEST(multipart, an_empty_form_and_an_empty_part) {
    auto none = parse_multipart("--B--\r\n", "B");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto empty = parse_multipart("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--B--", "B");
    ASSERT_TRUE(empty) << empty.error().message();
    ASSERT_EQ(empty->size(), 1u);
    EXPECT_EQ((*empty)[0].data, "");
}

}  // namespace
}  // namespace os1::server
