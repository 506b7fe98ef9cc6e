// Helpers for end-to-end tests of the os1 program.
#pragma once

#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace os1::test {

// Runs build/bin/os1 with `args`, in an isolated HOME and XDG folders under
// `home` so that no test reads or writes the developer's own settings.
inline process_result os1(const temp_dir & home, const std::vector<std::string> & args, process_options opts = {}) {
    std::vector<std::string> argv = {OS1_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    opts.env.emplace("HOME", home.path());
    opts.env.emplace("XDG_CONFIG_HOME", home.file("config"));
    opts.env.emplace("XDG_DATA_HOME", home.file("data"));
    return run_process(argv, opts);
}

inline process_options with_stdin(std::string text) {
    process_options o;
    o.stdin_text = std::move(text);
    return o;
}

}  // namespace os1::test
