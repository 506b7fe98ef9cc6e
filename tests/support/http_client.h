// A plain HTTP/1.1 client over POSIX sockets for tests: exact bytes out, the
// whole response back (chunked bodies decoded), and SSE events split.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace os1::test {

struct http_result {
    int status = 0;                              // 0 when no response came
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // de-chunked
};

// Sends one request with "Connection: close" and reads until the server closes.
http_result http_request(int port, const std::string & method, const std::string & path, const std::string & body = "",
                         const std::map<std::string, std::string> & headers = {});

// Sends raw bytes and returns everything received until close or `timeout_ms`.
std::string raw_exchange(int port, const std::string & bytes, int timeout_ms = 5000);

// Parses raw response bytes.
http_result parse_response(const std::string & raw);

// The payloads of "data: ..." lines of a server-sent-events body.
std::vector<std::string> sse_data(const std::string & body);

// A connected socket (for tests of idle and cut connections); -1 on failure.
int connect_local(int port);

}  // namespace os1::test
