// The llama.cpp backend, initialised once per process, and its log routed into
// OS1's logger. Every entry into llama.cpp goes through ensure_backend() first.
#pragma once

#include <string>

namespace os1::llm {

// Idempotent and thread-safe.
void ensure_backend();

// llama.cpp's description of the CPU features and backends in use.
std::string backend_system_info();

// The most recent error-level lines llama.cpp logged on this thread (at most a
// few), joined by "; ". Used to explain a failed load in one line.
std::string take_llama_errors();

}  // namespace os1::llm
