// A small HTTP/1.1 server on 127.0.0.1 for tests: fixed routes, Range and
// If-Range, and connections it cuts mid-body on purpose. One connection at a
// time, "Connection: close" on every response.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace os1::test {

class fake_http_server {
public:
    struct route {
        route(std::string body_ = {}, std::string type = "application/octet-stream")
            : body(std::move(body_)), content_type(std::move(type)) {}
        std::string body;
        std::string content_type;
        std::string etag;           // sent as ETag when not empty
        int status = 200;
        uint64_t cut_after_bytes = 0;  // with cut_times > 0: close after this many body bytes
        int cut_times = 0;             // how many responses are cut
        bool ranges = true;            // honour Range requests
    };
    struct request {
        std::string method, path;
        std::map<std::string, std::string> headers;  // lower-case names
    };

    fake_http_server();
    ~fake_http_server();
    fake_http_server(const fake_http_server &) = delete;
    fake_http_server & operator=(const fake_http_server &) = delete;

    int port() const { return port_; }
    std::string url(const std::string & path) const;
    void set(const std::string & path, route r);
    std::vector<request> requests() const;

private:
    void serve();
    void handle(int fd);

    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mu_;
    std::map<std::string, route> routes_;  // GUARDED_BY(mu_)
    std::vector<request> log_;             // GUARDED_BY(mu_)
    std::thread thread_;
};

}  // namespace os1::test
