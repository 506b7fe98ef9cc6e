// What the machine has: memory, disk, CPU threads. Read fresh on every call.
#pragma once

#include <cstdint>
#include <string>

namespace os1 {

// Bytes the kernel says can be allocated without swapping (MemAvailable), or 0
// when /proc/meminfo cannot be read.
uint64_t available_memory_bytes();
uint64_t total_memory_bytes();

// Bytes free to an unprivileged user on the file system holding `path` (the
// nearest existing parent is used), or 0 when it cannot be read.
uint64_t free_disk_bytes(const std::string & path);

// Physical cores if known, else logical CPUs; at least 1.
int physical_cores();
int logical_cpus();

}  // namespace os1
