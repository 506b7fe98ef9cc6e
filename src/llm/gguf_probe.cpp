#include "llm/gguf_probe.h"

#include <ggml.h>
#include <gguf.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "base/units.h"
#include "llm/backend.h"

namespace os1::llm {
namespace {

struct gguf_deleter {
    void operator()(gguf_context * c) const { gguf_free(c); }
};

uint32_t get_u32(const gguf_context * ctx, const std::string & key) {
    const int64_t id = gguf_find_key(ctx, key.c_str());
    if (id < 0) return 0;
    switch (gguf_get_kv_type(ctx, id)) {
        case GGUF_TYPE_UINT32: return gguf_get_val_u32(ctx, id);
        case GGUF_TYPE_INT32: return static_cast<uint32_t>(gguf_get_val_i32(ctx, id));
        case GGUF_TYPE_UINT64: return static_cast<uint32_t>(gguf_get_val_u64(ctx, id));
        case GGUF_TYPE_INT64: return static_cast<uint32_t>(gguf_get_val_i64(ctx, id));
        default: return 0;  // arrays (per-layer values) and other types: not summarised
    }
}

std::string get_str(const gguf_context * ctx, const char * key) {
    const int64_t id = gguf_find_key(ctx, key);
    if (id < 0 || gguf_get_kv_type(ctx, id) != GGUF_TYPE_STRING) return {};
    return gguf_get_val_str(ctx, id);
}

status corrupt(const std::string & path, const std::string & why) {
    return {status_code::corrupt, "model file '" + path + "' " + why};
}

}  // namespace

result<gguf_summary> probe_gguf(const std::string & path) {
    ensure_backend();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return status(status_code::not_found, "model file '" + path + "' does not exist");
        return status(status_code::io_error, "model file '" + path + "': " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) return status(status_code::invalid_argument, "model file '" + path + "' is a folder");

    gguf_summary s;
    s.path = path;
    s.file_bytes = static_cast<uint64_t>(st.st_size);

    {
        std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
        if (!f) return status(status_code::io_error, "model file '" + path + "': " + std::strerror(errno));
        char magic[4] = {};
        if (std::fread(magic, 1, 4, f.get()) != 4) return corrupt(path, "is too short to be a GGUF file");
        if (std::memcmp(magic, "GGUF", 4) != 0) return corrupt(path, "is not a GGUF file (wrong magic bytes)");
    }

    ggml_context * meta = nullptr;
    gguf_init_params params{/*no_alloc =*/true, /*ctx =*/&meta};
    std::unique_ptr<gguf_context, gguf_deleter> ctx(gguf_init_from_file(path.c_str(), params));
    std::unique_ptr<ggml_context, void (*)(ggml_context *)> meta_guard(meta, ggml_free);
    if (!ctx) {
        const std::string why = take_llama_errors();
        return corrupt(path, "has unreadable GGUF metadata (truncated or damaged)" + (why.empty() ? "" : ": " + why));
    }

    s.version = gguf_get_version(ctx.get());
    s.architecture = get_str(ctx.get(), "general.architecture");
    s.name = get_str(ctx.get(), "general.name");
    s.has_chat_template = gguf_find_key(ctx.get(), "tokenizer.chat_template") >= 0;
    const std::string a = s.architecture;
    s.context_length = get_u32(ctx.get(), a + ".context_length");
    s.n_layer = get_u32(ctx.get(), a + ".block_count");
    s.n_embd = get_u32(ctx.get(), a + ".embedding_length");
    s.n_head = get_u32(ctx.get(), a + ".attention.head_count");
    s.n_head_kv = get_u32(ctx.get(), a + ".attention.head_count_kv");
    if (s.n_head_kv == 0) s.n_head_kv = s.n_head;

    uint64_t data_end = 0;
    std::map<int, uint64_t> bytes_by_type;
    const int64_t n = gguf_get_n_tensors(ctx.get());
    for (int64_t i = 0; i < n; ++i) {
        const uint64_t size = gguf_get_tensor_size(ctx.get(), i);
        const uint64_t end = gguf_get_tensor_offset(ctx.get(), i) + size;
        data_end = std::max(data_end, end);
        s.tensor_bytes += size;
        const int64_t * ne = gguf_get_tensor_ne(ctx.get(), i);
        uint64_t elems = 1;
        for (int d = 0; d < GGML_MAX_DIMS; ++d) elems *= static_cast<uint64_t>(ne[d]);
        s.n_params += elems;
        const ggml_type type = gguf_get_tensor_type(ctx.get(), i);
        if (ne[1] > 1) bytes_by_type[type] += size;  // matrices decide the file type
    }
    s.data_offset = gguf_get_data_offset(ctx.get());
    if (n > 0) {
        const uint64_t expected = gguf_get_data_offset(ctx.get()) + data_end;
        if (s.file_bytes < expected) {
            return corrupt(path, "is truncated: " + format_bytes(s.file_bytes) + " of the " +
                                     format_bytes(expected) + " its tensors need");
        }
    }
    int best = -1;
    for (const auto & [type, bytes] : bytes_by_type) {
        if (best < 0 || bytes > bytes_by_type[best]) best = type;
    }
    if (best >= 0) {
        s.file_type = ggml_type_name(static_cast<ggml_type>(best));
        for (auto & c : s.file_type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

}  // namespace os1::llm
