// What every subcommand shares: the settings flags it was given, how settings
// are resolved (defaults < config file < OS1_* environment < flags), how a
// failure becomes one line on stderr and an exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>

#include "base/options.h"
#include "os1/status.h"

namespace os1::cli {

// Exit codes: 0 ok; 1 a failure at run time (network, disk); 2 bad input (flag,
// config, model file, request too large for memory); 130 stopped by Ctrl-C.
constexpr int exit_ok = 0, exit_failure = 1, exit_bad_input = 2, exit_interrupted = 130;

struct cli_context {
    std::string config_path;                          // --config
    std::map<std::string, std::string> flag_values;   // option key -> text, from flags
    std::function<int(const options &)> run;          // set by the chosen subcommand

    // Offers the setting whose flag is `flag` (a row of base/config.cpp) on `app`.
    void add_setting(CLI::App * app, const char * flag);

    // Settings in precedence order, finalized; errors name the file, variable or flag.
    result<options> resolve() const;
};

int exit_code_for(const status & st);

// Prints "os1: error: <message>" and returns exit_code_for(st).
int report(const status & st);

}  // namespace os1::cli
