#include "llm/prompt_tokenizer.h"

#include <common.h>
#include <llama-cpp.h>

#include "llm/backend.h"
#include "llm/chat_template.h"

namespace os1::llm {

struct prompt_tokenizer::impl {
    llama_model_ptr model;
    std::unique_ptr<chat_template> tmpl;
};

prompt_tokenizer::prompt_tokenizer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
prompt_tokenizer::~prompt_tokenizer() = default;

result<std::unique_ptr<prompt_tokenizer>> prompt_tokenizer::open(const std::string & path) {
    ensure_backend();
    auto p = std::make_unique<impl>();
    llama_model_params mp = llama_model_default_params();
    mp.vocab_only = true;
    p->model.reset(llama_model_load_from_file(path.c_str(), mp));
    if (!p->model) return status(status_code::corrupt, "cannot read the vocabulary of '" + path + "': " + take_llama_errors());
    auto t = chat_template::create(p->model.get());
    if (!t) return t.error();
    p->tmpl = std::move(*t);
    return std::unique_ptr<prompt_tokenizer>(new prompt_tokenizer(std::move(p)));
}

result<std::vector<int32_t>> prompt_tokenizer::conversation(const std::vector<chat_message> & messages) const {
    auto t = impl_->tmpl->render_tokens(messages);
    if (!t) return t.error();
    return std::vector<int32_t>(t->begin(), t->end());
}

std::vector<int32_t> prompt_tokenizer::text(const std::string & s) const {
    auto t = common_tokenize(llama_model_get_vocab(impl_->model.get()), s, false, false);
    return {t.begin(), t.end()};
}

result<std::vector<int32_t>> prompt_tokenizer::system_prefix(const std::string & system) const {
    auto t = impl_->tmpl->system_prefix(system);
    if (!t) return t.error();
    return std::vector<int32_t>(t->begin(), t->end());
}

}  // namespace os1::llm
