#include "llm/chat_template.h"

#include <chat.h>
#include <common.h>

namespace os1::llm {

result<std::unique_ptr<chat_template>> chat_template::create(const llama_model * m) {
    try {
        common_chat_templates_ptr t = common_chat_templates_init(m, "");
        return std::unique_ptr<chat_template>(new chat_template(m, t.release()));
    } catch (const std::exception & e) {
        return status(status_code::unsupported, std::string("the model's chat template cannot be used: ") + e.what());
    }
}

chat_template::~chat_template() { common_chat_templates_deleter{}(templates_); }

result<std::string> chat_template::render(const std::vector<chat_message> & messages) const {
    common_chat_templates_inputs in;
    for (const auto & m : messages) {
        common_chat_msg cm;
        cm.role = role_name(m.role);
        cm.content = m.content;
        in.messages.push_back(std::move(cm));
    }
    in.add_generation_prompt = true;
    in.use_jinja = true;
    try {
        return common_chat_templates_apply(templates_, in).prompt;
    } catch (const std::exception & e) {
        return status(status_code::invalid_argument, std::string("the model's chat template failed: ") + e.what());
    }
}

std::vector<llama_token> chat_template::tokenize(const std::string & text) const {
    return common_tokenize(llama_model_get_vocab(model_), text, /*add_special=*/true, /*parse_special=*/true);
}

result<std::vector<llama_token>> chat_template::render_tokens(const std::vector<chat_message> & messages) const {
    auto text = render(messages);
    if (!text) return text.error();
    return tokenize(*text);
}

result<std::vector<llama_token>> chat_template::system_prefix(const std::string & system) const {
    // What follows the system message may be another system message, a user's
    // or an assistant's: the shared part ends where those renders part ways.
    auto a = render_tokens({{role::system, system}, {role::user, "a"}});
    auto b = render_tokens({{role::system, system}, {role::assistant, "b"}, {role::user, "c"}});
    if (!a) return a.error();
    if (!b) return b.error();
    size_t n = 0;
    while (n < a->size() && n < b->size() && (*a)[n] == (*b)[n]) ++n;
    a->resize(n);
    return std::move(*a);
}

result<fitted_prompt> fit_messages(const chat_template & tmpl, const std::vector<chat_message> & messages, int room,
                                   int n_ctx, int drop_hint) {
    size_t lead = 0;  // the system prefix: every system message before the first other one
    while (lead < messages.size() && messages[lead].role == role::system) ++lead;
    const size_t droppable = messages.size() > lead + 1 ? messages.size() - lead - 1 : 0;
    size_t drop = std::min(static_cast<size_t>(std::max(drop_hint, 0)), droppable);
    for (;;) {
        std::vector<chat_message> kept(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(lead));
        kept.insert(kept.end(), messages.begin() + static_cast<std::ptrdiff_t>(lead + drop), messages.end());
        auto toks = tmpl.render_tokens(kept);
        if (!toks) return toks.error();
        if (static_cast<int>(toks->size()) <= room) {
            return fitted_prompt{std::move(*toks), static_cast<int>(drop)};
        }
        if (drop >= droppable) {
            return status(status_code::invalid_argument,
                          "the message is too long: " + std::to_string(toks->size()) +
                              " tokens with the system prompt, and a conversation holds " + std::to_string(n_ctx) +
                              " (raise --ctx)");
        }
        // Half of what is left goes at once: the next turns then fit without moving
        // the cut again, and the tokens after it stay cached.
        drop += std::max<size_t>(1, (droppable - drop) / 2);
    }
}

}  // namespace os1::llm
