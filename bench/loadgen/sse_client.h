// One streaming chat completion over a fresh HTTP/1.1 connection, with the
// arrival time of every event. Blocking; one thread per simulated person.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace os1::bench {

using bench_clock = std::chrono::steady_clock;

struct stream_result {
    bool ok = false;
    std::string error;
    int http_status = 0;
    double ttft_ms = -1;                 // request sent -> first content
    std::vector<double> token_gaps_ms;   // between content events
    double done_ms = -1;                 // last content -> "data: [DONE]"
    std::string text;
    int prompt_tokens = 0, cached_tokens = 0, completion_tokens = 0;
    int processed_tokens = -1;           // llama-server's timings.prompt_n when given
};

stream_result stream_chat(const std::string & host, int port, const std::string & body,
                          const std::map<std::string, std::string> & headers, int timeout_s);

}  // namespace os1::bench
