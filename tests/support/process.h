// Runs a program for end-to-end tests: feeds stdin, captures stdout and stderr.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace os1::test {

struct process_result {
    int exit_code = -1;   // 128 + signal when killed by a signal
    std::string out, err;
};

struct process_options {
    std::string stdin_text;
    std::map<std::string, std::string> env;  // added to (or replacing) the test's environment
    int timeout_s = 300;
    std::vector<int> signal_after_ms;        // send `signal` at each of these times after the start
    int signal = 2;                          // SIGINT
};

process_result run_process(const std::vector<std::string> & argv, const process_options & opts = {});

}  // namespace os1::test
