#include "llm/model_files.h"

#include <ggml.h>
#include <gguf.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace os1::test {

void write_prefix(const std::string & src, const std::string & dst, uint64_t n) {
    std::ifstream in(src, std::ios::binary);
    std::vector<char> buf(n);
    in.read(buf.data(), static_cast<std::streamsize>(n));
    std::ofstream(dst, std::ios::binary).write(buf.data(), in.gcount());
}

void write_noise(const std::string & dst, uint64_t n) {
    std::ofstream out(dst, std::ios::binary);
    uint64_t x = 88172645463325252ull;
    for (uint64_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        out.put(static_cast<char>(x));
    }
}

void write_with_architecture(const std::string & src, const std::string & dst, const std::string & arch) {
    std::ifstream in(src, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto key = data.find("general.architecture");
    const auto value = data.find("qwen2", key);
    if (key == std::string::npos || value == std::string::npos || arch.size() != 5) {
        throw std::runtime_error("write_with_architecture: unexpected input");
    }
    data.replace(value, 5, arch);
    std::ofstream(dst, std::ios::binary) << data;
}

void write_sparse_huge_model(const std::string & dst, uint64_t tensor_bytes) {
    gguf_context * g = gguf_init_empty();
    gguf_set_val_str(g, "general.architecture", "qwen2");
    gguf_set_val_u32(g, "qwen2.block_count", 1);
    gguf_set_val_u32(g, "qwen2.embedding_length", 4096);
    gguf_set_val_u32(g, "qwen2.attention.head_count", 32);
    ggml_init_params ip{ggml_tensor_overhead() * 2, nullptr, true};
    ggml_context * meta = ggml_init(ip);
    const int64_t ne0 = 4096;
    ggml_tensor * t = ggml_new_tensor_2d(meta, GGML_TYPE_F32, ne0, static_cast<int64_t>(tensor_bytes / (ne0 * 4)));
    ggml_set_name(t, "token_embd.weight");
    gguf_add_tensor(g, t);
    std::vector<uint8_t> header(gguf_get_meta_size(g));
    gguf_get_meta_data(g, header.data());
    const uint64_t total = header.size() + ggml_nbytes(t);
    {
        std::ofstream out(dst, std::ios::binary);
        out.write(reinterpret_cast<const char *>(header.data()), static_cast<std::streamsize>(header.size()));
    }
    if (::truncate(dst.c_str(), static_cast<off_t>(total)) != 0) throw std::runtime_error("truncate failed");
    ggml_free(meta);
    gguf_free(g);
}

}  // namespace os1::test
