#include "memory/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace os1::memory {
namespace {

struct archive_free {
    void operator()(archive * a) const { archive_write_free(a); }
};
struct entry_free {
    void operator()(archive_entry * e) const { archive_entry_free(e); }
};

la_ssize_t append(archive *, void * out, const void * data, size_t n) {
    static_cast<std::string *>(out)->append(static_cast<const char *>(data), n);
    return static_cast<la_ssize_t>(n);
}

status failed(archive * a) {
    const char * why = archive_error_string(a);
    return {status_code::internal, std::string("the archive could not be written: ") + (why ? why : "unknown error")};
}

}  // namespace

result<std::string> tar_archive(const std::vector<tar_entry> & files, int64_t mtime_unix) {
    for (const auto & f : files) {
        if (f.name.empty() || f.name.front() == '/' || f.name.find("..") != std::string::npos) {
            return status(status_code::invalid_argument, "not a name for an archive member: '" + f.name + "'");
        }
    }
    std::string out;
    std::unique_ptr<archive, archive_free> a(archive_write_new());
    if (!a) return status(status_code::internal, "out of memory");
    // ustar, with a pax header only for what ustar cannot hold (a long name).
    if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
        archive_write_open(a.get(), &out, nullptr, append, nullptr) != ARCHIVE_OK) {
        return failed(a.get());
    }
    for (const auto & f : files) {
        std::unique_ptr<archive_entry, entry_free> e(archive_entry_new());
        if (!e) return status(status_code::internal, "out of memory");
        archive_entry_set_pathname(e.get(), f.name.c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(f.data.size()));
        archive_entry_set_mtime(e.get(), mtime_unix < 0 ? 0 : mtime_unix, 0);
        if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return failed(a.get());
        if (!f.data.empty() && archive_write_data(a.get(), f.data.data(), f.data.size()) != static_cast<la_ssize_t>(f.data.size())) {
            return failed(a.get());
        }
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) return failed(a.get());
    return out;
}

}  // namespace os1::memory
