#include "server/web_files.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "base/files.h"
#include "base/sha256.h"

namespace os1::server {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t max_file_bytes = 16u << 20;

std::optional<std::string> type_of(const std::string & ext) {
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".woff2", "font/woff2"},
        {".json", "application/json"},         {".txt", "text/plain; charset=utf-8"},
        {".ico", "image/x-icon"},              {".webmanifest", "application/manifest+json"},
    };
    const auto it = types.find(ext);
    if (it == types.end()) return std::nullopt;
    return it->second;
}

std::optional<web_file> read_one(const fs::path & p, bool hashed_name) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > max_file_bytes) return std::nullopt;
    auto type = type_of(p.extension().string());
    auto body = read_file(p.string());
    if (!type || !body) return std::nullopt;
    web_file f;
    f.etag = "\"" + sha256_hex(*body).substr(0, 32) + "\"";
    f.body = std::move(*body);
    f.content_type = std::move(*type);
    // Vite names assets by their content: they never change under one name.
    f.cache = hashed_name ? "public, max-age=31536000, immutable" : "no-cache";
    return f;
}

}  // namespace

web_files web_files::load(const std::string & dir) {
    web_files w;
    w.dir_ = dir;
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return w;
    if (auto index = read_one(fs::path(dir) / "index.html", false)) w.files_.emplace("/", std::move(*index));
    for (const auto & e : fs::directory_iterator(fs::path(dir) / "assets", ec)) {
        const std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        if (auto f = read_one(e.path(), true)) {
            w.files_.emplace("/assets/" + name, std::move(*f));
        } else {
            spdlog::warn("web page: {} is not served (not a file, too large, or of a type the page does not use)",
                         e.path().string());
        }
    }
    if (!w.files_.count("/")) w.files_.clear();  // assets without their page are no page
    return w;
}

const web_file * web_files::find(const std::string & path) const {
    const auto it = files_.find(path);
    return it == files_.end() ? nullptr : &it->second;
}

const char * web_files::content_security_policy() {
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
           "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

}  // namespace os1::server
