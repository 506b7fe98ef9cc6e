#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

extern char ** environ;

namespace os1::test {

process_result run_process(const std::vector<std::string> & argv, const process_options & opts) {
    const std::string & stdin_text = opts.stdin_text;
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        for (const auto & [k, v] : opts.env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char *> args;
        for (const auto & a : argv) args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    ::signal(SIGPIPE, SIG_IGN);
    process_result r;
    size_t written = 0;
    if (stdin_text.empty()) ::close(in[1]), in[1] = -1;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::seconds(opts.timeout_s);
    size_t signals_sent = 0;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        pollfd fds[3] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}, {in[1], POLLOUT, 0}};
        if (::poll(fds, 3, 100) < 0 && errno != EINTR) break;
        if (signals_sent < opts.signal_after_ms.size() &&
            std::chrono::steady_clock::now() - start > std::chrono::milliseconds(opts.signal_after_ms[signals_sent])) {
            ::kill(pid, opts.signal);
            ++signals_sent;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            break;
        }
        char buf[8192];
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents & (POLLIN | POLLHUP)) {
                const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n <= 0) {
                    (i == 0 ? out_open : err_open) = false;
                } else {
                    (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
                }
            }
        }
        if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t n = ::write(in[1], stdin_text.data() + written, stdin_text.size() - written);
            if (n > 0) written += static_cast<size_t>(n);
            if (n < 0 || written == stdin_text.size()) ::close(in[1]), in[1] = -1;
        }
    }
    if (in[1] >= 0) ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

}  // namespace os1::test

#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace os1::test {

background_process::background_process(const std::vector<std::string> & argv, const std::map<std::string, std::string> & env,
                                       bool with_stdin) {
    int in[2] = {-1, -1};
    if (with_stdin && ::pipe(in) != 0) in[0] = in[1] = -1;
    char tmpl_out[] = "/tmp/os1-bg-out-XXXXXX";
    char tmpl_err[] = "/tmp/os1-bg-err-XXXXXX";
    const int fo = ::mkstemp(tmpl_out);
    const int fe = ::mkstemp(tmpl_err);
    out_path_ = tmpl_out;
    err_path_ = tmpl_err;
    pid_ = ::fork();
    if (pid_ == 0) {
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(in[0] >= 0 ? in[0] : devnull, 0);
        if (in[1] >= 0) ::close(in[1]);
        ::dup2(fo, 1);
        ::dup2(fe, 2);
        for (const auto & [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char *> args;
        for (const auto & a : argv) args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fo);
    ::close(fe);
    if (in[0] >= 0) ::close(in[0]);
    stdin_fd_ = in[1];
}

void background_process::write_stdin(const std::string & text) {
    size_t at = 0;
    while (stdin_fd_ >= 0 && at < text.size()) {
        const ssize_t n = ::write(stdin_fd_, text.data() + at, text.size() - at);
        if (n <= 0) break;
        at += static_cast<size_t>(n);
    }
}

void background_process::close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

background_process::~background_process() {
    close_stdin();
    if (wait(0) < 0) {
        ::kill(pid_, SIGKILL);
        wait(5000);
    }
    ::unlink(out_path_.c_str());
    ::unlink(err_path_.c_str());
}

void background_process::signal(int sig) { ::kill(pid_, sig); }

int background_process::wait(int timeout_ms) {
    if (exit_code_ >= 0) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return exit_code_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

static std::string slurp(const std::string & path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string background_process::out() const { return slurp(out_path_); }
std::string background_process::err() const { return slurp(err_path_); }

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace os1::test
