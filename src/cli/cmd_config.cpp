// os1 config: where settings come from, and every setting with its value.
#include <cstdio>

#include "base/config.h"
#include "cli/commands.h"

namespace os1::cli {
namespace {

struct config_args {
    bool defaults = false;
    bool path = false;
};

std::string value_text(const option_entry & e, options & o) {
    return std::visit(
        [](auto * p) -> std::string {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, std::string>) return "\"" + *p + "\"";
            else if constexpr (std::is_same_v<T, bool>) return *p ? "true" : "false";
            else return std::to_string(*p);
        },
        e.target(o));
}

int run_config(const config_args & a, options opts, const std::string & config_path) {
    if (a.path) {
        std::printf("%s\n", (config_path.empty() ? default_config_path() : config_path).c_str());
        return exit_ok;
    }
    if (a.defaults) {
        std::fputs(default_config_text().c_str(), stdout);
        return exit_ok;
    }
    std::printf("# effective settings (defaults < %s < OS1_* < flags)\n",
                (config_path.empty() ? default_config_path() : config_path).c_str());
    for (const auto & e : option_table()) std::printf("%-22s = %s\n", e.key, value_text(e, opts).c_str());
    return exit_ok;
}

}  // namespace

void add_config_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<config_args>();
    auto * cmd = root.add_subcommand("config", "show the effective settings, the defaults, or the config file's path");
    cmd->add_flag("--defaults", args->defaults, "print a commented os1.toml with every default");
    cmd->add_flag("--path", args->path, "print the config file's path");
    cmd->callback([&ctx, args] {
        ctx.run = [&ctx, args](const options & o) { return run_config(*args, o, ctx.config_path); };
    });
}

}  // namespace os1::cli
