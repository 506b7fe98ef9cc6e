// Outgoing HTTP(S) through libcurl: small GETs and POSTs (APIs) and resumable downloads.
// The only code that includes curl.h. Blocking; call from a worker thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "os1/status.h"

namespace os1::net {

struct http_response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // names lower-cased; the last response's
};

struct http_options {
    std::map<std::string, std::string> headers;  // extra request headers
    long connect_timeout_s = 30;
    long stall_timeout_s = 60;        // give up when under 1 byte/s for this long
    uint64_t max_body_bytes = 16u << 20;  // of a response kept in memory (http_get, http_post)
};

// GET into memory. network_error when the server cannot be reached or the body
// exceeds max_body_bytes; any HTTP status is returned as a response.
result<http_response> http_get(const std::string & url, const http_options & opts = {});

// POST of BODY (CONTENT_TYPE) into memory; errors as http_get's.
result<http_response> http_post(const std::string & url, const std::string & body, const std::string & content_type,
                                const http_options & opts = {});

struct download_progress {
    uint64_t done_bytes = 0;      // in the file, resumed part included
    uint64_t total_bytes = 0;     // 0 = unknown
    uint64_t session_bytes = 0;   // received by this call (for the rate)
};

struct download_options : http_options {
    int max_attempts = 5;         // a cut connection is resumed this many times in all
    long retry_delay_ms = 1000;
    std::function<void(const download_progress &)> on_progress;
    const std::atomic<bool> * cancel = nullptr;
};

struct download_result {
    uint64_t bytes = 0;           // size of the finished file
    uint64_t resumed_from = 0;    // bytes already present when this call began
    int attempts = 0;
    std::string etag;
};

// Downloads `url` into `part_path`, resuming what is already there (HTTP Range,
// with If-Range on the ETag remembered in `part_path`.meta so that a changed
// file starts over). On success the file is complete and fsync'd; renaming it
// is the caller's step. On failure the part stays for the next call.
// Errors: network_error, not_found (404), invalid_argument (other 4xx),
// io_error (local disk), cancelled.
result<download_result> download_file(const std::string & url, const std::string & part_path,
                                      const download_options & opts = {});

}  // namespace os1::net
