// A POSIX tar archive in memory (libarchive: ustar, with a pax header where a
// name is longer than ustar holds): the open format every system can unpack
// (`tar xf`), for exports. Regular files only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "os1/status.h"

namespace os1::memory {

struct tar_entry {
    std::string name;  // relative path
    std::string data;
};

// The archive's bytes; invalid_argument for a name that is empty, absolute or has "..".
result<std::string> tar_archive(const std::vector<tar_entry> & files, int64_t mtime_unix);

}  // namespace os1::memory
