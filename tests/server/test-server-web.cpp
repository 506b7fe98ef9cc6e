// The web page's files at / and /assets/NAME: types, caching, the policy that
// keeps script to the page's own files, and nothing but what was built.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "server/running_server.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

namespace os1::server {
namespace {

using test::fake_server_test;
using test::http_request;

class web_test : public fake_server_test {
protected:
    void SetUp() override {
        ASSERT_TRUE(make_dirs(web_.file("assets")));
        ASSERT_TRUE(write_file_atomic(web_.file("index.html"), "<!doctype html><title>OS1</title>"));
        ASSERT_TRUE(write_file_atomic(web_.file("assets/index-Ab12.js"), "console.log(1)"));
        ASSERT_TRUE(write_file_atomic(web_.file("assets/index-Cd34.css"), "body{}"));
        ASSERT_TRUE(write_file_atomic(web_.file("assets/tool.exe"), "MZ"));
        ASSERT_TRUE(write_file_atomic(web_.file("secret.txt"), "not for the web"));
    }
    server_options with_web() {
        server_options so;
        so.web_root = web_.path();
        return so;
    }
    test::temp_dir web_;
};

TEST_F(web_test, the_page_and_its_assets_come_with_their_types_caching_and_policy) {
    auto s = start(with_web());  // a server with tokens: the page itself needs none
    const auto page = http_request(s->port(), "GET", "/");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.body, "<!doctype html><title>OS1</title>");
    EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.headers.at("cache-control"), "no-cache");
    EXPECT_EQ(page.headers.at("x-content-type-options"), "nosniff");
    const std::string csp = page.headers.at("content-security-policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;  // no inline script or style, no eval
    EXPECT_EQ(csp.find("http"), std::string::npos) << csp;    // no other origin

    const auto js = http_request(s->port(), "GET", "/assets/index-Ab12.js");
    ASSERT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "console.log(1)");
    EXPECT_EQ(js.headers.at("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.headers.at("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(http_request(s->port(), "GET", "/assets/index-Cd34.css").headers.at("content-type"), "text/css; charset=utf-8");

    // Asked again with its tag: 304 and no body.
    const auto again = http_request(s->port(), "GET", "/assets/index-Ab12.js", "", {{"If-None-Match", js.headers.at("etag")}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(http_request(s->port(), "GET", "/assets/index-Ab12.js", "", {{"If-None-Match", "\"other\""}}).status, 200);

    // HEAD: the headers a GET would have, the length of its body, and no body.
    const auto head = http_request(s->port(), "HEAD", "/assets/index-Ab12.js");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(head.headers.at("content-length"), "14");
    EXPECT_EQ(head.headers.at("etag"), js.headers.at("etag"));
    EXPECT_EQ(head.headers.at("content-security-policy"), page.headers.at("content-security-policy"));
    EXPECT_EQ(http_request(s->port(), "HEAD", "/").headers.at("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(http_request(s->port(), "HEAD", "/assets/nothing.js").status, 404);
    EXPECT_EQ(http_request(s->port(), "HEAD", "/v1/models").status, 405);  // the API's routes are GET

    // On one connection, a HEAD and then a broken request: the error that
    // follows carries its body (the HEAD was the request before, not this one).
    const std::string raw = test::raw_exchange(
        s->port(), "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n");
    const auto second = raw.find("HTTP/1.1 400");
    ASSERT_NE(second, std::string::npos) << raw;
    const auto broken = test::parse_response(raw.substr(second));
    EXPECT_NE(broken.body.find("malformed HTTP request"), std::string::npos) << raw;
}

TEST_F(web_test, only_what_was_built_is_served_never_a_path_to_elsewhere) {
    auto s = start(with_web());
    ASSERT_TRUE(write_file_atomic(web_.file("assets/later.js"), "late"));  // after the start: not read
    for (const char * path : {"/assets/tool.exe", "/assets/later.js", "/secret.txt", "/index.html", "/assets/..%2fsecret.txt",
                              "/assets/%2e%2e%2fsecret.txt", "/assets/../secret.txt", "/assets/", "/assets"}) {
        const auto r = http_request(s->port(), "GET", path);
        EXPECT_EQ(r.status, 404) << path << ": " << r.body;
        EXPECT_EQ(r.body.find("not for the web"), std::string::npos) << path;
        const auto header = [&r](const char * name) { return r.headers.count(name) ? r.headers.at(name) : std::string(); };
        EXPECT_EQ(header("x-content-type-options"), "nosniff") << path;  // the path it names is never markup
        EXPECT_EQ(header("content-type").find("html"), std::string::npos) << path;
    }
    EXPECT_EQ(http_request(s->port(), "POST", "/", "{}").status, 405);
}

TEST_F(fake_server_test, without_a_built_page_the_root_says_how_to_build_it) {
    server_options so;
    so.web_root = dir_.file("no-such-folder");
    auto s = start(so);
    const auto r = http_request(s->port(), "GET", "/");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("scripts/setup"), std::string::npos) << r.body;
    EXPECT_EQ(http_request(s->port(), "GET", "/health").status, 200);
}

}  // namespace
}  // namespace os1::server
