#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace os1::test {

int connect_local(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string raw_exchange(int port, const std::string & bytes, int timeout_ms) {
    const int fd = connect_local(port);
    if (fd < 0) return {};
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[16384];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

http_result parse_response(const std::string & raw) {
    http_result r;
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) return r;
    std::istringstream head(raw.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    if (line.rfind("HTTP/1.1 ", 0) != 0) return r;
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    std::string body = raw.substr(head_end + 4);
    if (r.headers.count("transfer-encoding") && r.headers["transfer-encoding"] == "chunked") {
        std::string decoded;
        size_t pos = 0;
        while (pos < body.size()) {
            const auto eol = body.find("\r\n", pos);
            if (eol == std::string::npos) break;
            const size_t n = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
            if (n == 0) break;
            decoded += body.substr(eol + 2, n);
            pos = eol + 2 + n + 2;
        }
        body = decoded;
    }
    r.body = body;
    return r;
}

http_result http_request(int port, const std::string & method, const std::string & path, const std::string & body,
                         const std::map<std::string, std::string> & headers) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto & [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST") {
        if (!headers.count("Content-Type")) req += "Content-Type: application/json\r\n";  // unless the caller says
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    return parse_response(raw_exchange(port, req, 120000));
}

std::vector<std::string> sse_data(const std::string & body) {
    std::vector<std::string> out;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("data: ", 0) == 0) out.push_back(line.substr(6));
    }
    return out;
}

}  // namespace os1::test
