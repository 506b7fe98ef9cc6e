// Where settings come from, in increasing precedence: the defaults in options.h,
// the TOML config file, OS1_* environment variables, then command-line flags.
// Each setting is one row of option_table(): its TOML key, variable and flag.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/options.h"
#include "os1/status.h"

namespace os1 {

using option_target = std::variant<std::string *, int *, int64_t *, float *, bool *>;

struct option_entry {
    const char * key;   // TOML "table.name", e.g. "model.ctx"
    const char * env;   // e.g. "OS1_CTX"
    const char * flag;  // e.g. "--ctx"; flags are offered by the subcommands that use them
    const char * help;
    option_target (*target)(options &);
    double min = 0, max = 0;  // inclusive range for numbers; min == max means any
    bool is_path = false;     // "~" is expanded
};

const std::vector<option_entry> & option_table();
const option_entry * find_option(std::string_view key_or_flag);

// Sets one option from text. `source` names where it came from ("--ctx",
// "OS1_CTX", "os1.toml: model.ctx") in the error when the text is invalid.
status apply_option(options & opts, const option_entry & entry, std::string_view text, std::string_view source);

// The default config file: $XDG_CONFIG_HOME/os1/os1.toml or ~/.config/os1/os1.toml.
std::string default_config_path();

using env_lookup = std::function<std::optional<std::string>(const char *)>;
std::optional<std::string> process_env(const char * name);

// Defaults, then the file, then the environment. `config_path` empty means the
// default path, which may be absent; a named file must exist. Errors name the
// file, the key and the problem (invalid_argument).
result<options> load_options(const std::string & config_path, const env_lookup & env = process_env);

// Fills derived paths (data and models folders) and expands "~".
void finalize_options(options & opts, const env_lookup & env = process_env);

// A commented os1.toml holding every option at its default.
std::string default_config_text();

}  // namespace os1
