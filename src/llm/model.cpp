#include "llm/model.h"

#include <llama.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "base/sha256.h"
#include "base/system.h"
#include "llm/backend.h"
#include "llm/memory_fit.h"

namespace os1::llm {
namespace {

// Encoder-only models (BERT and kin) declare non-causal attention; they embed
// text but cannot continue it.
bool is_text_generator(const llama_model * m, const std::string & arch) {
    char buf[16] = {};
    const std::string key = arch + ".attention.causal";
    if (llama_model_meta_val_str(m, key.c_str(), buf, sizeof buf) >= 0 && std::string(buf) == "false") return false;
    return llama_model_has_decoder(m);
}

}  // namespace

result<std::shared_ptr<model>> model::load(const std::string & path, const model_options & opts,
                                           uint64_t available_memory) {
    ensure_backend();
    auto info = probe_gguf(path);
    if (!info) return info.error();
    if (info->architecture.empty()) {
        return status(status_code::unsupported, "model file '" + path + "' has no general.architecture");
    }
    const memory_estimate est = estimate_memory(*info, opts.ctx_tokens);
    if (available_memory == 0) available_memory = available_memory_bytes();
    if (auto st = check_fits(*info, est, available_memory); !st) return st;

    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = opts.gpu_layers;
    take_llama_errors();
    llama_model * m = llama_model_load_from_file(path.c_str(), mp);
    if (!m) {
        std::string why = take_llama_errors();
        // "llama_model_load: error loading model: X; llama_model_load_from_file_impl: ..." -> "X"
        const std::string marker = "error loading model: ";
        if (const auto at = why.find(marker); at != std::string::npos) why = why.substr(at + marker.size());
        why = why.substr(0, why.find(';'));
        if (why.empty()) why = "llama.cpp could not load it";
        const auto code = why.find("unknown model architecture") != std::string::npos ? status_code::unsupported
                                                                                       : status_code::corrupt;
        return status(code, "model file '" + path + "' (architecture '" + info->architecture + "'): " + why);
    }
    std::shared_ptr<model> out(new model(m, std::move(*info)));
    if (!is_text_generator(m, out->info_.architecture)) {
        return status(status_code::unsupported, "model file '" + path + "' (architecture '" +
                                                    out->info_.architecture +
                                                    "') is an embedding model; chat needs a text-generation model");
    }
    {
        // The metadata section, hashed: cheap (a few MB) and specific to the model.
        std::ifstream in(path, std::ios::binary);
        std::string head(out->info_.data_offset, '\0');
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        out->fingerprint_ = sha256_hex(head).substr(0, 16);
    }
    spdlog::debug("loaded {} ({}, {} layers)", path, out->info_.architecture, out->info_.n_layer);
    return out;
}

model::~model() { llama_model_free(model_); }

const llama_vocab * model::vocab() const { return llama_model_get_vocab(model_); }

int model::n_ctx_train() const { return llama_model_n_ctx_train(model_); }

}  // namespace os1::llm
