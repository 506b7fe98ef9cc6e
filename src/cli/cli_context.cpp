#include "cli/cli_context.h"

#include <cstdio>

#include "base/config.h"

namespace os1::cli {

void cli_context::add_setting(CLI::App * app, const char * flag) {
    const option_entry * e = find_option(flag);
    if (!e) throw std::logic_error(std::string("no setting has the flag ") + flag);
    const std::string key = e->key;
    options defaults;
    const option_target target = e->target(defaults);
    if (std::holds_alternative<bool *>(target)) {
        app->add_flag_callback(flag, [this, key] { flag_values[key] = "true"; }, std::string(e->help) + " [" + e->env + "]");
        return;
    }
    // "--ctx N   context window in tokens (default 4096) [OS1_CTX]"
    std::string type = "TEXT", def;
    std::visit(
        [&](auto * p) {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, std::string>) {
                type = e->is_path ? "PATH" : "TEXT";
                def = p->size() > 40 ? "" : *p;
            } else if constexpr (std::is_same_v<T, float>) {
                type = "X";
                def = CLI::detail::to_string(*p);
            } else {
                type = "N";
                def = std::to_string(*p);
            }
        },
        target);
    const std::string help = std::string(e->help) + (def.empty() ? "" : " (default " + def + ")") + " [" + e->env + "]";
    app->add_option_function<std::string>(flag, [this, key](const std::string & v) { flag_values[key] = v; }, help)
        ->type_name(type);
}

result<options> cli_context::resolve() const {
    auto opts = load_options(config_path);
    if (!opts) return opts.error();
    for (const auto & [key, text] : flag_values) {
        const option_entry * e = find_option(key);
        if (auto st = apply_option(*opts, *e, text, e->flag); !st) return st;
    }
    finalize_options(*opts);
    return opts;
}

int exit_code_for(const status & st) {
    switch (st.code()) {
        case status_code::ok: return exit_ok;
        case status_code::invalid_argument:
        case status_code::not_found:
        case status_code::corrupt:
        case status_code::unsupported:
        case status_code::resource_exhausted: return exit_bad_input;
        case status_code::cancelled: return exit_interrupted;
        default: return exit_failure;
    }
}

int report(const status & st) {
    std::fprintf(stderr, "os1: error: %s\n", st.message().c_str());
    return exit_code_for(st);
}

}  // namespace os1::cli
