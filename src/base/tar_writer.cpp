#include "base/tar_writer.h"

#include <cstdio>
#include <cstring>

namespace os1 {
namespace {

constexpr size_t block = 512;

// ustar numbers are octal text, zero-padded, ending with a NUL.
void octal(char * field, size_t width, uint64_t v) {
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(v));
}

}  // namespace

result<std::string> tar_archive(const std::vector<tar_entry> & files, int64_t mtime_unix) {
    std::string out;
    for (const auto & f : files) {
        if (f.name.empty() || f.name.size() > 99 || f.name.front() == '/' || f.name.find("..") != std::string::npos) {
            return status(status_code::invalid_argument, "not a name for an archive member: '" + f.name + "'");
        }
        char h[block] = {};
        std::memcpy(h, f.name.data(), f.name.size());
        octal(h + 100, 8, 0644);                  // mode
        octal(h + 108, 8, 0);                     // uid
        octal(h + 116, 8, 0);                     // gid
        octal(h + 124, 12, f.data.size());        // size
        octal(h + 136, 12, static_cast<uint64_t>(mtime_unix < 0 ? 0 : mtime_unix));
        h[156] = '0';                             // a regular file
        std::memcpy(h + 257, "ustar", 6);         // magic with its NUL
        std::memcpy(h + 263, "00", 2);            // version
        std::memset(h + 148, ' ', 8);             // the checksum counts its own field as spaces
        unsigned sum = 0;
        for (const unsigned char c : h) sum += c;
        std::snprintf(h + 148, 8, "%06o", sum);   // six digits, NUL, and the space stays
        out.append(h, block);
        out += f.data;
        out.append((block - f.data.size() % block) % block, '\0');
    }
    out.append(2 * block, '\0');  // the end of the archive
    return out;
}

}  // namespace os1
