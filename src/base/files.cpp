#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace os1 {
namespace {

status errno_status(const std::string & what, const std::string & path, int err) {
    const auto code = (err == ENOENT) ? status_code::not_found : status_code::io_error;
    return {code, what + " '" + path + "': " + std::strerror(err)};
}

// One read into a buffer of the file's size (and `spare` capacity beyond):
// KV states are tens of MiB, and every new buffer of that size costs.
template <class Buffer>
result<Buffer> read_whole(const std::string & path, size_t spare) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status("file", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return errno_status("file", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return status(status_code::invalid_argument, "file '" + path + "' is a folder");
    }
    const size_t expected = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0;
    Buffer out;
    out.reserve(expected + spare);
    out.resize(expected);
    size_t have = 0;
    char more[16384];  // past the expected size (a file that grew, or not a regular file)
    for (;;) {
        const bool full = have == out.size();
        const ssize_t n = full ? ::read(fd, more, sizeof more) : ::read(fd, out.data() + have, out.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return errno_status("cannot read", path, err);
        }
        if (n == 0) break;
        if (full) out.insert(out.end(), more, more + n);
        have += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(have);
    return out;
}

}  // namespace

result<std::string> read_file(const std::string & path) { return read_whole<std::string>(path, 0); }

result<std::vector<uint8_t>> read_file_bytes(const std::string & path, size_t spare) {
    return read_whole<std::vector<uint8_t>>(path, spare);
}

status write_file_atomic(const std::string & path, const std::string & data) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return errno_status("cannot create", tmp, errno);
    size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return errno_status("cannot write", tmp, err);
        }
        off += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return errno_status("cannot flush", tmp, err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return errno_status("cannot rename to", path, err);
    }
    return fsync_path(std::filesystem::path(path).parent_path().string());
}

status make_dirs(const std::string & path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return {status_code::io_error, "cannot create folder '" + path + "': " + ec.message()};
    return status::ok();
}

status make_private_dirs(const std::string & path) {
    if (auto st = make_dirs(path); !st) return st;
    std::error_code ec;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
    if (ec) return {status_code::io_error, "cannot make folder '" + path + "' private: " + ec.message()};
    return status::ok();
}

status fsync_path(const std::string & path) {
    const int fd = ::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status("cannot open", path, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems refuse fsync on folders (EINVAL); the rename still happened.
    if (rc != 0 && err != EINVAL) return errno_status("cannot fsync", path, err);
    return status::ok();
}

bool path_exists(const std::string & path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string expand_home(const std::string & path) {
    if (path.empty() || path[0] != '~') return path;
    if (path.size() > 1 && path[1] != '/') return path;  // "~user" is not expanded
    const char * home = std::getenv("HOME");
    return std::string(home ? home : "") + path.substr(1);
}

}  // namespace os1
