#include "sse_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace os1::bench {
namespace {

double ms(bench_clock::time_point a, bench_clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Handles one "data: ..." payload.
void on_data(const std::string & payload, stream_result & r, bench_clock::time_point sent, bench_clock::time_point & last) {
    if (payload == "[DONE]") {
        if (r.ttft_ms >= 0) r.done_ms = ms(last, bench_clock::now());
        return;
    }
    const auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object()) return;
    if (j.contains("error")) {
        r.error = j["error"].value("message", "error in stream");
        return;
    }
    if (j.contains("usage") && j["usage"].is_object()) {
        r.prompt_tokens = j["usage"].value("prompt_tokens", 0);
        r.completion_tokens = j["usage"].value("completion_tokens", 0);
        if (j["usage"].contains("prompt_tokens_details") && j["usage"]["prompt_tokens_details"].is_object()) {
            r.cached_tokens = j["usage"]["prompt_tokens_details"].value("cached_tokens", 0);
        }
    }
    if (j.contains("timings") && j["timings"].is_object()) r.processed_tokens = j["timings"].value("prompt_n", -1);
    if (!j.contains("choices") || j["choices"].empty()) return;
    const auto & delta = j["choices"][0]["delta"];
    if (!delta.is_object() || !delta.contains("content") || !delta["content"].is_string()) return;
    const std::string piece = delta["content"];
    if (piece.empty()) return;
    const auto now = bench_clock::now();
    if (r.ttft_ms < 0) {
        r.ttft_ms = ms(sent, now);
    } else {
        r.token_gaps_ms.push_back(ms(last, now));
    }
    last = now;
    r.text += piece;
}

}  // namespace

stream_result stream_chat(const std::string & host, int port, const std::string & body,
                          const std::map<std::string, std::string> & headers, int timeout_s) {
    stream_result r;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        r.error = "connect failed";
        return r;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto & [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "\r\n" + body;
    const auto sent = bench_clock::now();
    for (size_t off = 0; off < req.size();) {
        const ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            ::close(fd);
            r.error = "send failed";
            return r;
        }
        off += static_cast<size_t>(n);
    }
    // Read; parse the status line, then scan for complete SSE lines as bytes
    // arrive (chunk-size lines are skipped: they never start with "data: ").
    std::string buf;
    size_t scan = 0;
    bool head_done = false;
    auto last = sent;
    const auto deadline = sent + std::chrono::seconds(timeout_s);
    char tmp[16384];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - bench_clock::now()).count();
        if (left <= 0) {
            r.error = "timeout";
            break;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0) break;
        buf.append(tmp, static_cast<size_t>(n));
        if (!head_done) {
            const auto end = buf.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            r.http_status = std::atoi(buf.c_str() + 9);
            head_done = true;
            scan = end + 4;
            if (r.http_status != 200) {
                // Read the rest for the message.
                continue;
            }
        }
        for (;;) {
            const auto nl = buf.find('\n', scan);
            if (nl == std::string::npos) break;
            std::string line = buf.substr(scan, nl - scan);
            scan = nl + 1;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.rfind("data: ", 0) == 0) on_data(line.substr(6), r, sent, last);
        }
    }
    ::close(fd);
    if (r.http_status != 200 && r.error.empty()) {
        r.error = "HTTP " + std::to_string(r.http_status) + ": " + buf.substr(std::min(scan, buf.size()), 300);
    }
    r.ok = r.http_status == 200 && r.error.empty() && r.ttft_ms >= 0;
    return r;
}

}  // namespace os1::bench
