#include "net/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "base/files.h"
#include "os1/version.h"

namespace os1::net {
namespace {

struct easy_deleter {
    void operator()(CURL * c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
    void operator()(curl_slist * l) const { curl_slist_free_all(l); }
};
using easy_ptr = std::unique_ptr<CURL, easy_deleter>;
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

easy_ptr new_easy(const std::string & url, const http_options & opts, slist_ptr & headers) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    easy_ptr h(curl_easy_init());
    if (!h) return h;
    CURL * c = h.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opts.connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, opts.stall_timeout_s);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    const std::string agent = std::string("os1/") + version();
    curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
    curl_slist * list = nullptr;
    // "Name:" with nothing after it removes a header curl would send by itself.
    for (const auto & [k, v] : opts.headers) list = curl_slist_append(list, (v.empty() ? k + ":" : k + ": " + v).c_str());
    headers.reset(list);
    if (list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    return h;
}

// Collects the headers of the last response (redirects reset them).
size_t on_header(char * p, size_t size, size_t n, void * ud) {
    auto * headers = static_cast<std::map<std::string, std::string> *>(ud);
    std::string line(p, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
        headers->clear();
    } else if (const auto colon = line.find(':'); colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        (*headers)[name] = value;
    }
    return size * n;
}

status curl_failure(CURLcode rc, const std::string & url, const char * errbuf) {
    if (rc == CURLE_ABORTED_BY_CALLBACK) return {status_code::cancelled, "download stopped"};
    const std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    return {status_code::network_error, "cannot fetch " + url + ": " + detail};
}

status http_status_failure(long code, const std::string & url) {
    const std::string msg = url + " answered HTTP " + std::to_string(code);
    if (code == 404) return {status_code::not_found, msg + " (not found)"};
    if (code == 401 || code == 403) return {status_code::invalid_argument, msg + " (access denied: a gated repository needs HF_TOKEN)"};
    if (code >= 400 && code < 500) return {status_code::invalid_argument, msg};
    return {status_code::network_error, msg};
}

struct download_state {
    int fd = -1;
    uint64_t offset = 0;          // bytes in the file before this attempt
    uint64_t written = 0;         // bytes written in this attempt
    uint64_t session_bytes = 0;   // over all attempts of this call
    uint64_t total = 0;
    bool decided = false;         // status line seen and acted on
    bool reject = false;          // body is an error page: do not write it
    int write_errno = 0;
    std::map<std::string, std::string> headers;
    long status = 0;
    CURL * curl = nullptr;
    const download_options * opts = nullptr;
};

// Parses "bytes 100-199/1000" → 1000 (0 when unknown).
uint64_t content_range_total(const std::string & v) {
    const auto slash = v.rfind('/');
    if (slash == std::string::npos || v.substr(slash + 1) == "*") return 0;
    return std::strtoull(v.c_str() + slash + 1, nullptr, 10);
}

// Decides, at the first body byte, whether the response continues the part
// (206), replaces it (200), or is an error page.
bool decide(download_state & s) {
    curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &s.status);
    s.decided = true;
    if (s.status == 206) {
        const auto it = s.headers.find("content-range");
        const uint64_t start = it == s.headers.end() ? 0 : std::strtoull(it->second.c_str() + 6, nullptr, 10);
        if (it == s.headers.end() || start != s.offset) return false;  // not the range asked for
        s.total = content_range_total(it->second);
        return true;
    }
    if (s.status == 200) {
        if (::ftruncate(s.fd, 0) != 0 || ::lseek(s.fd, 0, SEEK_SET) != 0) {
            s.write_errno = errno;
            return false;
        }
        s.offset = 0;
        const auto it = s.headers.find("content-length");
        s.total = it == s.headers.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
        return true;
    }
    s.reject = true;
    return true;  // swallow the error page; the status is handled after perform
}

size_t on_body(char * p, size_t size, size_t n, void * ud) {
    auto & s = *static_cast<download_state *>(ud);
    const size_t len = size * n;
    if (!s.decided && !decide(s)) return 0;
    if (s.reject) return len;
    size_t off = 0;
    while (off < len) {
        const ssize_t w = ::write(s.fd, p + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            s.write_errno = errno;
            return 0;
        }
        off += static_cast<size_t>(w);
    }
    s.written += len;
    s.session_bytes += len;
    if (s.opts->on_progress) s.opts->on_progress({s.offset + s.written, s.total, s.session_bytes});
    return len;
}

int on_xfer(void * ud, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto & s = *static_cast<download_state *>(ud);
    return (s.opts->cancel && s.opts->cancel->load()) ? 1 : 0;
}

uint64_t file_size(const std::string & path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// part.meta: the URL on line 1, the ETag on line 2.
void read_meta(const std::string & path, std::string & url, std::string & etag) {
    auto text = read_file(path);
    if (!text) return;
    std::istringstream in(*text);
    std::getline(in, url);
    std::getline(in, etag);
}

bool sleep_unless_cancelled(long ms, const std::atomic<bool> * cancel) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
        if (cancel && cancel->load()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace

namespace {

// Performs H (set up by new_easy and the caller), the body kept in memory up to MAX bytes.
result<http_response> perform_into_memory(CURL * h, const std::string & url, uint64_t max) {
    http_response resp;
    struct body_state {
        std::string * body;
        uint64_t max;
    } body{&resp.body, max};
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, +[](char * p, size_t size, size_t n, void * ud) -> size_t {
        auto * b = static_cast<body_state *>(ud);
        if (b->body->size() + size * n > b->max) return 0;
        b->body->append(p, size * n);
        return size * n;
    });
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_WRITE_ERROR) {
        return status(status_code::network_error, url + ": response larger than " + std::to_string(max) + " bytes");
    }
    if (rc != CURLE_OK) return curl_failure(rc, url, errbuf);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace

result<http_response> http_get(const std::string & url, const http_options & opts) {
    slist_ptr headers;
    easy_ptr h = new_easy(url, opts, headers);
    if (!h) return status(status_code::internal, "libcurl could not start");
    return perform_into_memory(h.get(), url, opts.max_body_bytes);
}

result<http_response> http_post(const std::string & url, const std::string & body, const std::string & content_type,
                                const http_options & opts) {
    http_options with_type = opts;
    with_type.headers["Content-Type"] = content_type;
    with_type.headers["Expect"] = "";  // no 100-continue round trip before a large body
    slist_ptr headers;
    easy_ptr h = new_easy(url, with_type, headers);
    if (!h) return status(status_code::internal, "libcurl could not start");
    curl_easy_setopt(h.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h.get(), CURLOPT_FOLLOWLOCATION, 0L);  // a POST is not replayed elsewhere
    return perform_into_memory(h.get(), url, opts.max_body_bytes);
}

result<download_result> download_file(const std::string & url, const std::string & part_path,
                                      const download_options & opts) {
    const std::string meta_path = part_path + ".meta";
    std::string meta_url, etag;
    read_meta(meta_path, meta_url, etag);
    if (meta_url != url) {  // a part of something else: start over
        ::unlink(part_path.c_str());
        etag.clear();
    }
    const int fd = ::open(part_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return status(status_code::io_error, "cannot write '" + part_path + "': " + std::strerror(errno));
    struct fd_closer {
        int fd;
        ~fd_closer() { ::close(fd); }
    } closer{fd};

    download_result out;
    out.resumed_from = file_size(part_path);
    download_state s;
    s.fd = fd;
    s.opts = &opts;
    status last = status::ok();
    for (out.attempts = 1; out.attempts <= std::max(1, opts.max_attempts); ++out.attempts) {
        if (out.attempts > 1 && !sleep_unless_cancelled(opts.retry_delay_ms, opts.cancel)) {
            return status(status_code::cancelled, "download stopped");
        }
        s.offset = file_size(part_path);
        s.written = 0;
        s.decided = s.reject = false;
        s.write_errno = 0;
        s.headers.clear();
        if (::lseek(fd, static_cast<off_t>(s.offset), SEEK_SET) < 0) {
            return status(status_code::io_error, "cannot seek in '" + part_path + "': " + std::strerror(errno));
        }
        http_options attempt_opts = opts;
        if (s.offset > 0 && !etag.empty()) attempt_opts.headers["If-Range"] = etag;
        slist_ptr headers;
        easy_ptr h = new_easy(url, attempt_opts, headers);
        if (!h) return status(status_code::internal, "libcurl could not start");
        s.curl = h.get();
        char errbuf[CURL_ERROR_SIZE] = {};
        const std::string range = std::to_string(s.offset) + "-";
        if (s.offset > 0) curl_easy_setopt(h.get(), CURLOPT_RANGE, range.c_str());
        curl_easy_setopt(h.get(), CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h.get(), CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h.get(), CURLOPT_HEADERDATA, &s.headers);
        curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(h.get(), CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h.get(), CURLOPT_XFERINFOFUNCTION, on_xfer);
        curl_easy_setopt(h.get(), CURLOPT_XFERINFODATA, &s);
        const CURLcode rc = curl_easy_perform(h.get());
        if (!s.decided) {
            curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &s.status);
            // A full (200) answer with an empty body replaces the part too.
            if (s.status == 200 && rc == CURLE_OK && ::ftruncate(fd, 0) != 0) {
                return status(status_code::io_error, "cannot truncate '" + part_path + "'");
            }
        }

        if (auto it = s.headers.find("etag"); it != s.headers.end() && (s.status == 200 || s.status == 206)) {
            if (it->second != etag) {
                etag = it->second;
            }
            if (auto st = write_file_atomic(meta_path, url + "\n" + etag + "\n"); !st) return st;
        } else if (s.status == 200 || s.status == 206) {
            if (auto st = write_file_atomic(meta_path, url + "\n\n"); !st) return st;
        }
        if (s.write_errno) {
            return status(status_code::io_error, "cannot write '" + part_path + "': " + std::strerror(s.write_errno));
        }
        if (rc == CURLE_ABORTED_BY_CALLBACK) return status(status_code::cancelled, "download stopped");
        if (s.status == 416) {
            // Nothing after our offset: either the part is complete or the file shrank.
            const auto it = s.headers.find("content-range");
            const uint64_t total = it == s.headers.end() ? 0 : content_range_total(it->second);
            if (total > 0 && total == s.offset) {
                s.total = total;
                last = status::ok();
                break;
            }
            if (::ftruncate(fd, 0) != 0) return status(status_code::io_error, "cannot truncate '" + part_path + "'");
            last = status(status_code::network_error, url + ": the partial download no longer matches; starting over");
            continue;
        }
        if (s.status >= 400) {
            const status st = http_status_failure(s.status, url);
            if (st.code() != status_code::network_error) return st;  // 4xx: retrying will not help
            last = st;
            continue;
        }
        if (rc != CURLE_OK) {
            last = curl_failure(rc, url, errbuf);
            continue;  // cut or stalled: resume from what arrived
        }
        const uint64_t have = file_size(part_path);
        if (s.total > 0 && have != s.total) {
            last = status(status_code::network_error, url + ": connection closed at " + std::to_string(have) +
                                                          " of " + std::to_string(s.total) + " bytes");
            continue;
        }
        last = status::ok();
        break;
    }
    if (!last.is_ok()) return last;
    if (::fsync(fd) != 0) return status(status_code::io_error, "cannot flush '" + part_path + "': " + std::strerror(errno));
    out.bytes = file_size(part_path);
    out.etag = etag;
    if (out.attempts > opts.max_attempts) out.attempts = opts.max_attempts;
    return out;
}

}  // namespace os1::net
