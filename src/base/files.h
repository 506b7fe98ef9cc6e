// Files and folders: whole-file reads, atomic writes, folder creation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "os1/status.h"

namespace os1 {

// The whole file as bytes; not_found / io_error name the path and errno's text.
result<std::string> read_file(const std::string & path);
// The same as bytes, with room for `spare` more without a new buffer.
result<std::vector<uint8_t>> read_file_bytes(const std::string & path, size_t spare = 0);

// Writes `data` to `path` through a temporary file in the same folder, fsync and
// rename, so a reader sees the old contents or the new, never a mix. The file
// is its owner's only (0600).
status write_file_atomic(const std::string & path, const std::string & data);

// mkdir -p; ok when the folder already exists.
status make_dirs(const std::string & path);
// mkdir -p, and the folder itself only its owner's (0700): it holds people's private data.
status make_private_dirs(const std::string & path);

// fsync a file, or a folder after a rename inside it.
status fsync_path(const std::string & path);

bool path_exists(const std::string & path);

// "~" or "~/x" expanded with $HOME; other paths unchanged.
std::string expand_home(const std::string & path);

}  // namespace os1
