// Broken and unusual model files for the tests of loading and of the CLI.
#pragma once

#include <cstdint>
#include <string>

namespace os1::test {

// The first `n_bytes` of `src`.
void write_prefix(const std::string & src, const std::string & dst, uint64_t n_bytes);
// `n_bytes` of pseudo-random bytes.
void write_noise(const std::string & dst, uint64_t n_bytes);
// `src` with its general.architecture renamed to `arch` (same length as "qwen2").
void write_with_architecture(const std::string & src, const std::string & dst, const std::string & arch);
// A qwen2 GGUF whose header declares `tensor_bytes` of weights, written as a
// sparse file so that it takes no disk space: valid, complete, and too large.
void write_sparse_huge_model(const std::string & dst, uint64_t tensor_bytes);

}  // namespace os1::test
