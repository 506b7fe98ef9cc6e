#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "fakes/http_server.h"
#include "net/http_client.h"
#include "support/temp_dir.h"

namespace os1::net {
namespace {

std::string payload(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131) ^ (i >> 8));
    return s;
}

download_options quick(int attempts) {
    download_options o;
    o.max_attempts = attempts;
    o.retry_delay_ms = 10;
    return o;
}

TEST(download, whole_file) {
    test::fake_http_server srv;
    const auto body = payload(300000);
    srv.set("/m.gguf", {body});
    test::temp_dir d;
    uint64_t last_done = 0;
    auto opts = quick(1);
    opts.on_progress = [&](const download_progress & p) {
        EXPECT_GE(p.done_bytes, last_done);
        EXPECT_EQ(p.total_bytes, body.size());
        last_done = p.done_bytes;
    };
    auto r = download_file(srv.url("/m.gguf"), d.file("m.part"), opts);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->bytes, body.size());
    EXPECT_EQ(r->resumed_from, 0u);
    EXPECT_EQ(last_done, body.size());
    EXPECT_EQ(*read_file(d.file("m.part")), body);
}

TEST(download, a_cut_download_resumes_on_the_next_call) {
    test::fake_http_server srv;
    const auto body = payload(500000);
    test::fake_http_server::route r{body};
    r.etag = "\"v1\"";
    r.cut_after_bytes = 200000;
    r.cut_times = 1;
    srv.set("/m.gguf", r);
    test::temp_dir d;
    auto first = download_file(srv.url("/m.gguf"), d.file("m.part"), quick(1));
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code(), status_code::network_error);
    EXPECT_EQ(std::filesystem::file_size(d.file("m.part")), 200000u);

    auto second = download_file(srv.url("/m.gguf"), d.file("m.part"), quick(1));
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(second->resumed_from, 200000u);
    EXPECT_EQ(*read_file(d.file("m.part")), body);
    const auto reqs = srv.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[1].headers.at("range"), "bytes=200000-");
    EXPECT_EQ(reqs[1].headers.at("if-range"), "\"v1\"");
}

TEST(download, a_cut_connection_is_retried_within_one_call) {
    test::fake_http_server srv;
    const auto body = payload(400000);
    test::fake_http_server::route r{body};
    r.cut_after_bytes = 100000;
    r.cut_times = 2;
    srv.set("/m.gguf", r);
    test::temp_dir d;
    auto got = download_file(srv.url("/m.gguf"), d.file("m.part"), quick(5));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->attempts, 3);
    EXPECT_EQ(*read_file(d.file("m.part")), body);
}

TEST(download, a_changed_file_starts_over) {
    test::fake_http_server srv;
    test::fake_http_server::route r{payload(300000)};
    r.etag = "\"v1\"";
    r.cut_after_bytes = 1000;
    r.cut_times = 1;
    srv.set("/m.gguf", r);
    test::temp_dir d;
    ASSERT_FALSE(download_file(srv.url("/m.gguf"), d.file("m.part"), quick(1)));
    // The file changes on the server: If-Range no longer matches, so a full 200 comes back.
    std::string v2 = payload(250000);
    v2[0] = 'X';
    test::fake_http_server::route r2{v2};
    r2.etag = "\"v2\"";
    srv.set("/m.gguf", r2);
    auto got = download_file(srv.url("/m.gguf"), d.file("m.part"), quick(1));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(*read_file(d.file("m.part")), v2);
}

TEST(download, a_complete_part_is_recognised) {
    test::fake_http_server srv;
    const auto body = payload(1000);
    srv.set("/m.gguf", {body});
    test::temp_dir d;
    ASSERT_TRUE(download_file(srv.url("/m.gguf"), d.file("m.part"), quick(1)));
    auto again = download_file(srv.url("/m.gguf"), d.file("m.part"), quick(1));  // 416 from the server
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*read_file(d.file("m.part")), body);
}

TEST(download, a_part_of_another_url_is_not_reused) {
    test::fake_http_server srv;
    srv.set("/a.gguf", {payload(5000)});
    srv.set("/b.gguf", {std::string(7000, 'b')});
    test::temp_dir d;
    ASSERT_TRUE(download_file(srv.url("/a.gguf"), d.file("x.part"), quick(1)));
    ASSERT_TRUE(download_file(srv.url("/b.gguf"), d.file("x.part"), quick(1)));
    EXPECT_EQ(*read_file(d.file("x.part")), std::string(7000, 'b'));
}

TEST(download, http_errors_are_named) {
    test::fake_http_server srv;
    test::temp_dir d;
    auto missing = download_file(srv.url("/nope.gguf"), d.file("m.part"), quick(3));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), status_code::not_found);
    EXPECT_NE(missing.error().message().find("404"), std::string::npos);
    EXPECT_EQ(srv.requests().size(), 1u);  // a 404 is not retried

    test::fake_http_server::route denied{"no"};
    denied.status = 403;
    srv.set("/gated.gguf", denied);
    auto gated = download_file(srv.url("/gated.gguf"), d.file("g.part"), quick(3));
    ASSERT_FALSE(gated);
    EXPECT_NE(gated.error().message().find("HF_TOKEN"), std::string::npos);
}

TEST(download, nobody_listening_is_a_network_error) {
    int port;
    {
        test::fake_http_server srv;
        port = srv.port();
    }
    test::temp_dir d;
    auto r = download_file("http://127.0.0.1:" + std::to_string(port) + "/m.gguf", d.file("m.part"), quick(2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), status_code::network_error);
}

TEST(download, cancel_stops_and_keeps_the_part) {
    test::fake_http_server srv;
    srv.set("/m.gguf", {payload(2000000)});
    test::temp_dir d;
    std::atomic<bool> cancel{false};
    auto opts = quick(1);
    opts.cancel = &cancel;
    opts.on_progress = [&](const download_progress & p) {
        if (p.done_bytes > 100000) cancel = true;
    };
    auto r = download_file(srv.url("/m.gguf"), d.file("m.part"), opts);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), status_code::cancelled);
    EXPECT_TRUE(path_exists(d.file("m.part")));
}

TEST(http_get, body_and_limits) {
    test::fake_http_server srv;
    srv.set("/api", {"{\"a\":1}", "application/json"});
    auto r = http_get(srv.url("/api"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"a\":1}");
    EXPECT_EQ(r->headers.at("content-type"), "application/json");
    http_options small;
    small.max_body_bytes = 3;
    EXPECT_FALSE(http_get(srv.url("/api"), small));
}

}  // namespace
}  // namespace os1::net
