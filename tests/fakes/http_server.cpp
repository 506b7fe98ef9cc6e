#include "fakes/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace os1::test {
namespace {

bool send_all(int fd, const char * p, size_t n) {
    while (n > 0) {
        const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

}  // namespace

fake_http_server::fake_http_server() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0) {
        throw std::runtime_error("fake_http_server: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

fake_http_server::~fake_http_server() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::string fake_http_server::url(const std::string & path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void fake_http_server::set(const std::string & path, route r) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_[path] = std::move(r);
}

std::vector<fake_http_server::request> fake_http_server::requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
}

void fake_http_server::serve() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        handle(fd);
        ::close(fd);
    }
}

void fake_http_server::handle(int fd) {
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        head.append(buf, static_cast<size_t>(n));
    }
    request req;
    std::istringstream in(head.substr(0, head.find("\r\n\r\n")));
    std::string line;
    std::getline(in, line);
    std::istringstream first(line);
    first >> req.method >> req.path;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        req.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }

    route r;
    bool found = false;
    bool cut = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        log_.push_back(req);
        if (auto it = routes_.find(req.path); it != routes_.end()) {
            found = true;
            if (it->second.cut_times > 0) {
                --it->second.cut_times;
                cut = true;
            }
            r = it->second;
        }
    }
    std::ostringstream out;
    std::string body;
    if (!found) {
        body = "not found";
        out << "HTTP/1.1 404 Not Found\r\nContent-Length: " << body.size() << "\r\n";
    } else if (r.status != 200) {
        body = r.body;
        out << "HTTP/1.1 " << r.status << " Status\r\nContent-Length: " << body.size() << "\r\n";
    } else {
        uint64_t start = 0;
        const auto range = req.headers.find("range");
        const auto if_range = req.headers.find("if-range");
        const bool range_ok = r.ranges && range != req.headers.end() &&
                              (if_range == req.headers.end() || if_range->second == r.etag);
        if (range_ok) start = std::stoull(range->second.substr(range->second.find('=') + 1));
        if (range_ok && start >= r.body.size()) {
            out << "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" << r.body.size()
                << "\r\nContent-Length: 0\r\n";
        } else if (range_ok) {
            body = r.body.substr(start);
            out << "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " << start << "-" << r.body.size() - 1 << "/"
                << r.body.size() << "\r\nContent-Length: " << body.size() << "\r\n";
        } else {
            body = r.body;
            out << "HTTP/1.1 200 OK\r\nContent-Length: " << body.size() << "\r\n";
        }
        out << "Content-Type: " << r.content_type << "\r\n";
        if (!r.etag.empty()) out << "ETag: " << r.etag << "\r\n";
        out << "Accept-Ranges: bytes\r\n";
    }
    out << "Connection: close\r\n\r\n";
    const std::string head_out = out.str();
    if (!send_all(fd, head_out.data(), head_out.size())) return;
    if (req.method == "HEAD") return;
    const size_t n = cut ? std::min<size_t>(body.size(), r.cut_after_bytes) : body.size();
    send_all(fd, body.data(), n);
    // A cut: close with the body incomplete, as a dropped connection would.
}

}  // namespace os1::test
