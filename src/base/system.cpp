#include "base/system.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace os1 {
namespace {

uint64_t meminfo_kib(const std::string & key) {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            std::istringstream ss(line.substr(key.size() + 1));
            uint64_t kib = 0;
            ss >> kib;
            return kib;
        }
    }
    return 0;
}

}  // namespace

uint64_t available_memory_bytes() { return meminfo_kib("MemAvailable") * 1024; }
uint64_t total_memory_bytes() { return meminfo_kib("MemTotal") * 1024; }

uint64_t free_disk_bytes(const std::string & path) {
    std::filesystem::path p = path.empty() ? "." : path;
    std::error_code ec;
    while (!p.empty() && !std::filesystem::exists(p, ec)) p = p.parent_path();
    struct statvfs st {};
    if (::statvfs(p.empty() ? "/" : p.c_str(), &st) != 0) return 0;
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

int logical_cpus() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

int physical_cores() {
    // Count distinct (physical id, core id) pairs; hyperthreads share a core.
    std::ifstream in("/proc/cpuinfo");
    std::string line, phys = "0";
    std::set<std::string> cores;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string value = line.substr(colon + 1);
        if (line.rfind("physical id", 0) == 0) phys = value;
        if (line.rfind("core id", 0) == 0) cores.insert(phys + "/" + value);
    }
    return cores.empty() ? logical_cpus() : static_cast<int>(cores.size());
}

}  // namespace os1
