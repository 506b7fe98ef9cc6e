#include "llm/embedder.h"

#include <llama-cpp.h>
#include <llama.h>

#include <algorithm>
#include <cmath>

#include "base/system.h"
#include "llm/backend.h"
#include "llm/model.h"

namespace os1::llm {

struct embedder::impl {
    std::shared_ptr<model> mdl;
    llama_context_ptr ctx;
    int max_tokens = 512;
    int dims = 0;
    bool encoder = false;  // an encoder-only model (BERT and kin) runs llama_encode
    std::string key;
};

embedder::embedder(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
embedder::~embedder() = default;

result<std::unique_ptr<embedder>> embedder::open(const std::string & path, const model_options & opts, int max_tokens) {
    ensure_backend();
    auto m = model::load(path, opts);
    if (!m) return m.error().with_context("embedding model");
    auto p = std::make_unique<impl>();
    p->max_tokens = std::max(8, std::min(max_tokens, (*m)->n_ctx_train() > 0 ? (*m)->n_ctx_train() : max_tokens));
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = static_cast<uint32_t>(p->max_tokens);
    cp.n_batch = cp.n_ubatch = static_cast<uint32_t>(p->max_tokens);  // one text in one pass
    cp.n_seq_max = 1;
    cp.embeddings = true;
    cp.pooling_type = LLAMA_POOLING_TYPE_MEAN;
    cp.n_threads = opts.threads > 0 ? opts.threads : physical_cores();
    cp.n_threads_batch = cp.n_threads;
    cp.no_perf = true;
    take_llama_errors();
    p->ctx.reset(llama_init_from_model((*m)->raw(), cp));
    if (!p->ctx) return status(status_code::resource_exhausted, "embedding model: could not create a context: " + take_llama_errors());
    p->dims = llama_model_n_embd((*m)->raw());
    p->encoder = llama_model_has_encoder((*m)->raw()) && !llama_model_has_decoder((*m)->raw());
    p->key = (*m)->fingerprint() + "-" + std::to_string(p->dims);
    p->mdl = std::move(*m);
    return std::unique_ptr<embedder>(new embedder(std::move(p)));
}

int embedder::dims() const { return impl_->dims; }
const std::string & embedder::key() const { return impl_->key; }

result<std::vector<float>> embedder::embed(std::string_view text) {
    impl & s = *impl_;
    if (text.empty()) return status(status_code::invalid_argument, "nothing to embed");
    const auto * vocab = s.mdl->vocab();
    std::vector<llama_token> tokens(text.size() + 8);
    int n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                           static_cast<int32_t>(tokens.size()), /*add_special=*/true, /*parse_special=*/false);
    if (n < 0) return status(status_code::internal, "the text could not be tokenized for embedding");
    n = std::min(n, s.max_tokens);
    if (n == 0) return status(status_code::invalid_argument, "nothing to embed");
    llama_memory_clear(llama_get_memory(s.ctx.get()), true);
    llama_batch batch = llama_batch_init(n, 0, 1);
    for (int i = 0; i < n; ++i) {
        batch.token[i] = tokens[static_cast<size_t>(i)];
        batch.pos[i] = i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;  // every token's state goes into the mean
    }
    batch.n_tokens = n;
    const int rc = s.encoder ? llama_encode(s.ctx.get(), batch) : llama_decode(s.ctx.get(), batch);
    llama_batch_free(batch);
    if (rc != 0) return status(status_code::internal, "the embedding model failed (code " + std::to_string(rc) + ")");
    const float * e = llama_get_embeddings_seq(s.ctx.get(), 0);
    if (!e) return status(status_code::internal, "the embedding model gave no pooled vector");
    std::vector<float> out(e, e + s.dims);
    double norm = 0;
    for (const float v : out) norm += static_cast<double>(v) * v;
    if (!(norm > 0) || !std::isfinite(norm)) return status(status_code::internal, "the embedding model gave a zero or broken vector");
    const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float & v : out) v *= scale;
    return out;
}

}  // namespace os1::llm
