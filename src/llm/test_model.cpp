#include "llm/test_model.h"

#include <ggml.h>
#include <gguf.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "base/files.h"
#include "llm/backend.h"

// The tokenizer GGUF, linked into the binary by vocab_blob.S.
extern "C" const unsigned char os1_vocab_qwen2_start[];
extern "C" const unsigned char os1_vocab_qwen2_end[];

namespace os1::llm {
namespace {

// ChatML, the format of Qwen2.5's own template, without its tool-calling parts.
constexpr const char * chat_template =
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

constexpr uint32_t llama_ftype_mostly_q8_0 = 7;  // llama_ftype in llama.h
constexpr float weight_std = 0.02f;
constexpr uint32_t token_type_control = 3, token_type_user_defined = 4;

// splitmix64: tiny, fast, and the same on every platform (std distributions are not).
struct rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform with the given standard deviation.
    float uniform(float std_dev) {
        const double u = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
        return static_cast<float>((2.0 * u - 1.0) * std_dev * std::sqrt(3.0));
    }
};

enum class fill { random, ones, small };

struct tensor_plan {
    std::string name;
    int64_t ne0, ne1;  // ne1 == 1 for vectors
    ggml_type type;
    fill how;
};

struct gguf_deleter {
    void operator()(gguf_context * c) const { gguf_free(c); }
};
struct ggml_deleter {
    void operator()(ggml_context * c) const { ggml_free(c); }
};

std::vector<tensor_plan> plan_tensors(const test_model_shape & s, int64_t n_vocab) {
    const int64_t e = s.n_embd, kv = int64_t(s.n_embd) / s.n_head * s.n_head_kv, ff = s.n_ff;
    std::vector<tensor_plan> t;
    t.push_back({"token_embd.weight", e, n_vocab, s.embd_q4_0 ? GGML_TYPE_Q4_0 : GGML_TYPE_Q8_0, fill::random});
    t.push_back({"output_norm.weight", e, 1, GGML_TYPE_F32, fill::ones});
    for (uint32_t i = 0; i < s.n_layer; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        t.push_back({b + "attn_norm.weight", e, 1, GGML_TYPE_F32, fill::ones});
        t.push_back({b + "attn_q.weight", e, e, GGML_TYPE_Q8_0, fill::random});
        t.push_back({b + "attn_q.bias", e, 1, GGML_TYPE_F32, fill::small});
        t.push_back({b + "attn_k.weight", e, kv, GGML_TYPE_Q8_0, fill::random});
        t.push_back({b + "attn_k.bias", kv, 1, GGML_TYPE_F32, fill::small});
        t.push_back({b + "attn_v.weight", e, kv, GGML_TYPE_Q8_0, fill::random});
        t.push_back({b + "attn_v.bias", kv, 1, GGML_TYPE_F32, fill::small});
        t.push_back({b + "attn_output.weight", e, e, GGML_TYPE_Q8_0, fill::random});
        t.push_back({b + "ffn_norm.weight", e, 1, GGML_TYPE_F32, fill::ones});
        t.push_back({b + "ffn_gate.weight", e, ff, GGML_TYPE_Q8_0, fill::random});
        t.push_back({b + "ffn_up.weight", e, ff, GGML_TYPE_Q8_0, fill::random});
        t.push_back({b + "ffn_down.weight", ff, e, GGML_TYPE_Q8_0, fill::random});
    }
    return t;
}

// Rows of token_embd that belong to control tokens stay zero (see the header).
std::vector<bool> control_tokens(const gguf_context * vocab, int64_t n_vocab) {
    std::vector<bool> out(static_cast<size_t>(n_vocab), false);
    const int64_t id = gguf_find_key(vocab, "tokenizer.ggml.token_type");
    if (id < 0 || gguf_get_arr_type(vocab, id) != GGUF_TYPE_INT32) return out;
    const auto * types = static_cast<const int32_t *>(gguf_get_arr_data(vocab, id));
    const int64_t n = std::min<int64_t>(n_vocab, static_cast<int64_t>(gguf_get_arr_n(vocab, id)));
    for (int64_t i = 0; i < n; ++i) {
        out[static_cast<size_t>(i)] = types[i] == int32_t(token_type_control) || types[i] == int32_t(token_type_user_defined);
    }
    return out;
}

class file_writer {
public:
    explicit file_writer(FILE * f) : f_(f) {}
    bool write(const void * p, size_t n) { return ok_ = ok_ && std::fwrite(p, 1, n, f_) == n; }
    bool pad_to(size_t alignment, size_t written) {
        static const char zeros[64] = {};
        const size_t pad = (alignment - written % alignment) % alignment;
        return write(zeros, pad);
    }
    bool ok() const { return ok_; }

private:
    FILE * f_;
    bool ok_ = true;
};

// Generates one tensor row block by row block, quantizing as it goes, so that
// the 530 MB bench model never needs more than a few MB of memory.
bool write_tensor(file_writer & w, const tensor_plan & t, uint64_t seed, size_t index,
                  const std::vector<bool> & zero_rows) {
    rng r{seed * 0x100000001B3ull + index};
    const int64_t rows_per_chunk = 64;
    std::vector<float> src;
    std::vector<uint8_t> dst;
    size_t written = 0;
    for (int64_t row0 = 0; row0 < t.ne1; row0 += rows_per_chunk) {
        const int64_t nrows = std::min(rows_per_chunk, t.ne1 - row0);
        src.assign(static_cast<size_t>(nrows * t.ne0), 0.0f);
        for (int64_t r0 = 0; r0 < nrows; ++r0) {
            const bool zero = t.name == "token_embd.weight" && static_cast<size_t>(row0 + r0) < zero_rows.size() &&
                              zero_rows[static_cast<size_t>(row0 + r0)];
            for (int64_t c = 0; c < t.ne0; ++c) {
                float v = 0.0f;
                switch (t.how) {
                    case fill::ones: v = 1.0f; break;
                    case fill::small: v = r.uniform(weight_std * 0.1f); break;
                    case fill::random: v = r.uniform(weight_std * 50.0f / std::sqrt(float(t.ne0))); break;
                }
                src[static_cast<size_t>(r0 * t.ne0 + c)] = zero ? 0.0f : v;
            }
        }
        if (t.type == GGML_TYPE_F32) {
            if (!w.write(src.data(), src.size() * sizeof(float))) return false;
            written += src.size() * sizeof(float);
        } else {
            dst.resize(ggml_row_size(t.type, t.ne0) * static_cast<size_t>(nrows));
            const size_t n = ggml_quantize_chunk(t.type, src.data(), dst.data(), 0, nrows, t.ne0, nullptr);
            if (!w.write(dst.data(), n)) return false;
            written += n;
        }
    }
    return w.pad_to(GGUF_DEFAULT_ALIGNMENT, written);
}

}  // namespace

result<test_model_shape> find_test_model_shape(const std::string & name) {
    // tiny: 2 layers of width 32 (head size 16, grouped-query attention 2:1).
    if (name == "tiny") return test_model_shape{"tiny", 32, 2, 2, 1, 64, 4096, true};
    // bench: Qwen2.5-0.5B (hidden 896, 24 layers, 14 heads, 2 KV heads, FFN 4864).
    if (name == "bench") return test_model_shape{"bench", 896, 24, 14, 2, 4864, 32768, false};
    return status(status_code::invalid_argument, "unknown shape '" + name + "' (choose tiny or bench)");
}

status make_test_model(const std::string & path, const test_model_shape & s, uint64_t seed,
                       const std::function<void(double)> & progress) {
    ensure_backend();
    const size_t vocab_size = static_cast<size_t>(os1_vocab_qwen2_end - os1_vocab_qwen2_start);
    std::unique_ptr<gguf_context, gguf_deleter> vocab(
        gguf_init_from_buffer(os1_vocab_qwen2_start, vocab_size, gguf_init_params{true, nullptr}));
    if (!vocab) return {status_code::internal, "the built-in tokenizer GGUF cannot be read"};
    const int64_t tokens_id = gguf_find_key(vocab.get(), "tokenizer.ggml.tokens");
    if (tokens_id < 0) return {status_code::internal, "the built-in tokenizer has no tokens"};
    const auto n_vocab = static_cast<int64_t>(gguf_get_arr_n(vocab.get(), tokens_id));

    std::unique_ptr<gguf_context, gguf_deleter> out(gguf_init_empty());
    gguf_set_kv(out.get(), vocab.get());
    gguf_context * g = out.get();
    gguf_set_val_str(g, "general.architecture", "qwen2");
    gguf_set_val_str(g, "general.name", ("OS1 test model (" + s.name + ", random weights)").c_str());
    gguf_set_val_u32(g, "general.file_type", llama_ftype_mostly_q8_0);
    gguf_set_val_u32(g, "qwen2.context_length", s.n_ctx_train);
    gguf_set_val_u32(g, "qwen2.embedding_length", s.n_embd);
    gguf_set_val_u32(g, "qwen2.block_count", s.n_layer);
    gguf_set_val_u32(g, "qwen2.feed_forward_length", s.n_ff);
    gguf_set_val_u32(g, "qwen2.attention.head_count", s.n_head);
    gguf_set_val_u32(g, "qwen2.attention.head_count_kv", s.n_head_kv);
    gguf_set_val_f32(g, "qwen2.rope.freq_base", 1000000.0f);
    gguf_set_val_f32(g, "qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
    gguf_set_val_str(g, "tokenizer.chat_template", chat_template);
    gguf_set_val_str(g, "os1.test_model.shape", s.name.c_str());
    gguf_set_val_u64(g, "os1.test_model.seed", seed);

    const auto plan = plan_tensors(s, n_vocab);
    ggml_init_params ip{ggml_tensor_overhead() * (plan.size() + 1), nullptr, /*no_alloc=*/true};
    std::unique_ptr<ggml_context, ggml_deleter> meta(ggml_init(ip));
    uint64_t total_bytes = 0;
    for (const auto & t : plan) {
        ggml_tensor * tensor = t.ne1 == 1 ? ggml_new_tensor_1d(meta.get(), t.type, t.ne0)
                                          : ggml_new_tensor_2d(meta.get(), t.type, t.ne0, t.ne1);
        ggml_set_name(tensor, t.name.c_str());
        gguf_add_tensor(g, tensor);
        total_bytes += ggml_nbytes(tensor);
    }

    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(tmp.c_str(), "wb"), &std::fclose);
    if (!f) return {status_code::io_error, "cannot create '" + tmp + "': " + std::strerror(errno)};
    file_writer w(f.get());
    std::vector<uint8_t> header(gguf_get_meta_size(g));
    gguf_get_meta_data(g, header.data());
    w.write(header.data(), header.size());

    const auto zero_rows = control_tokens(vocab.get(), n_vocab);
    uint64_t done_bytes = 0;
    for (size_t i = 0; i < plan.size() && w.ok(); ++i) {
        write_tensor(w, plan[i], seed, i, zero_rows);
        done_bytes += ggml_row_size(plan[i].type, plan[i].ne0) * static_cast<uint64_t>(plan[i].ne1);
        if (progress) progress(static_cast<double>(done_bytes) / static_cast<double>(total_bytes));
    }
    const bool flushed = w.ok() && std::fflush(f.get()) == 0 && ::fsync(::fileno(f.get())) == 0;
    const int err = errno;
    f.reset();
    if (!flushed) {
        ::unlink(tmp.c_str());
        return {status_code::io_error, "cannot write '" + tmp + "': " + std::strerror(err)};
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int rename_err = errno;
        ::unlink(tmp.c_str());
        return {status_code::io_error, "cannot rename to '" + path + "': " + std::strerror(rename_err)};
    }
    return status::ok();
}

}  // namespace os1::llm
