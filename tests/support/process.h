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

namespace os1::test {

// A program running in the background, its output going to files.
class background_process {
public:
    // WITH_STDIN: its input is a pipe that write_stdin() writes to (else /dev/null).
    background_process(const std::vector<std::string> & argv, const std::map<std::string, std::string> & env,
                       bool with_stdin = false);
    ~background_process();  // SIGKILL if still running
    background_process(const background_process &) = delete;
    background_process & operator=(const background_process &) = delete;

    void signal(int sig);
    int pid() const { return pid_; }
    void write_stdin(const std::string & text);
    void close_stdin();
    // The exit code (128 + signal if killed), or -1 if still running after timeout_ms.
    int wait(int timeout_ms);
    std::string out() const;
    std::string err() const;

private:
    int pid_ = -1;
    int exit_code_ = -1;
    int stdin_fd_ = -1;
    std::string out_path_, err_path_;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

}  // namespace os1::test
