// The OpenAI-compatible wire format: request bodies into os1 types, and
// responses, stream chunks and error objects out. JSON stops here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llm/chat_types.h"
#include "llm/llm_i.h"
#include "os1/status.h"
#include "server/server_options.h"

namespace os1::server {

struct chat_request {
    std::string model;
    std::vector<llm::chat_message> messages;
    llm::generation_options gen;
    std::vector<std::string> stop;
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
    std::string user;
};

// invalid_argument naming the field: malformed JSON, wrong types, values out of
// range, unsupported features (tools, n > 1).
result<chat_request> parse_chat_request(std::string_view body, const server_options & opts);

struct usage {
    int prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0;
};

const char * finish_reason(llm::stop_reason r);

std::string completion_json(const std::string & id, int64_t created, const std::string & model, const std::string & text,
                            llm::stop_reason reason, const usage & u);
// One SSE event ("data: {...}\n\n"). role and content are omitted when empty;
// finish is omitted unless `finished`.
std::string chunk_event(const std::string & id, int64_t created, const std::string & model, const std::string & role,
                        const std::string & content, bool finished, llm::stop_reason reason);
std::string usage_event(const std::string & id, int64_t created, const std::string & model, const usage & u);
std::string error_event(const std::string & message);

// {"error":{"message":...,"type":...,"param":...,"code":...}}
std::string error_json(const std::string & message, const std::string & type, const std::string & param = "",
                       const std::string & code = "");
std::string models_json(const std::string & model, int64_t created);
// GET /api/v1/status (docs/api.md).
std::string status_json(uint64_t people_talking_now, const llm::engine_stats & e, int64_t window_s, const std::string & model,
                        int64_t started_unix);

}  // namespace os1::server
