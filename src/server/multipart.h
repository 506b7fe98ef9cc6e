// multipart/form-data bodies (RFC 7578), as clients upload a file with its
// fields (the OpenAI audio routes' `file`, `model`, `response_format`...).
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "os1/status.h"

namespace os1::server {

struct form_part {
    std::string name;          // Content-Disposition's name
    std::string filename;      // its filename, "" for a plain field
    std::string content_type;  // the part's Content-Type, "" when it has none
    std::string_view data;     // into the body given to parse_multipart
};

struct multipart_limits {
    size_t max_parts = 16;
    size_t max_part_header_bytes = 4096;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted
// or not). Errors: invalid_argument naming what is missing or wrong.
result<std::string> multipart_boundary(std::string_view content_type);

// The parts of BODY, in order; their data views BODY, which must outlive them.
// Errors: invalid_argument naming the problem (no first boundary, a part
// without its blank line or name, no closing boundary, more parts or longer
// part headers than LIMITS allow).
result<std::vector<form_part>> parse_multipart(std::string_view body, std::string_view boundary,
                                               const multipart_limits & limits = {});

// The first part named NAME, or null.
const form_part * find_part(const std::vector<form_part> & parts, std::string_view name);

}  // namespace os1::server
