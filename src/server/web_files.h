// The web page's files (web/dist, built by scripts/setup), read once at start
// and served from memory at / and /assets/NAME: only what the folder held then
// can be asked for, so no path from a request ever reaches the file system.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace os1::server {

struct web_file {
    std::string body;
    std::string content_type;
    std::string etag;       // quoted, from the content
    std::string cache;      // Cache-Control
};

class web_files {
public:
    // Reads `dir` (index.html and assets/); a missing folder leaves it empty.
    static web_files load(const std::string & dir);

    // The file a request path names ("/" is index.html), or none.
    const web_file * find(const std::string & path) const;
    bool empty() const { return files_.empty(); }
    const std::string & dir() const { return dir_; }

    // The headers of every page: what the browser may load and run.
    static const char * content_security_policy();

private:
    std::string dir_;
    std::map<std::string, web_file> files_;  // by request path
};

}  // namespace os1::server
