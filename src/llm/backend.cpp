#include "llm/backend.h"

#include <llama.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <mutex>

namespace os1::llm {
namespace {

// llama.cpp logs in pieces (GGML_LOG_LEVEL_CONT continues the previous line), so
// each thread assembles lines before handing them on.
thread_local std::string partial_line;
thread_local ggml_log_level partial_level = GGML_LOG_LEVEL_INFO;
thread_local std::deque<std::string> recent_errors;

void emit(ggml_log_level level, std::string line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.empty()) return;
    if (level == GGML_LOG_LEVEL_ERROR) {
        recent_errors.push_back(line);
        if (recent_errors.size() > 4) recent_errors.pop_front();
    }
    // llama.cpp's messages are detail: OS1 reports failures in its own words.
    spdlog::debug("llama.cpp: {}", line);
}

void on_log(ggml_log_level level, const char * text, void *) {
    if (level != GGML_LOG_LEVEL_CONT) {
        if (!partial_line.empty()) emit(partial_level, std::move(partial_line));
        partial_line.clear();
        partial_level = level;
    }
    partial_line += text ? text : "";
    if (!partial_line.empty() && partial_line.back() == '\n') {
        emit(partial_level, std::move(partial_line));
        partial_line.clear();
    }
}

}  // namespace

void ensure_backend() {
    static std::once_flag once;
    std::call_once(once, [] {
        llama_log_set(on_log, nullptr);
        llama_backend_init();
    });
}

std::string backend_system_info() {
    ensure_backend();
    return llama_print_system_info();
}

std::string take_llama_errors() {
    std::string out;
    for (const auto & e : recent_errors) out += (out.empty() ? "" : "; ") + e;
    recent_errors.clear();
    return out;
}

}  // namespace os1::llm
