// Helpers for end-to-end tests of the os1 program.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
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
    // Tests of other features talk with the model from the first message; the
    // interview's own tests set OS1_NO_ONBOARDING to 0.
    opts.env.emplace("OS1_NO_ONBOARDING", "1");
    return run_process(argv, opts);
}

inline process_options with_stdin(std::string text) {
    process_options o;
    o.stdin_text = std::move(text);
    return o;
}

inline std::map<std::string, std::string> isolated_env(const temp_dir & home) {
    return {{"HOME", home.path()}, {"XDG_CONFIG_HOME", home.file("config")}, {"XDG_DATA_HOME", home.file("data")},
            {"OS1_NO_ONBOARDING", "1"}};
}

inline bool wait_healthy(int port, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (http_request(port, "GET", "/health").status == 200) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// `os1 serve` with the tiny model in the background, in HOME.
inline std::unique_ptr<background_process> serve(const temp_dir & home, int port, const std::vector<std::string> & extra = {}) {
    std::vector<std::string> argv = {OS1_BINARY, "serve", "--model", tiny_model_path(), "--port", std::to_string(port),
                                     "--ctx", "8192"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<background_process>(argv, isolated_env(home));
}

}  // namespace os1::test
