// Transparent huge pages for large allocations: the KV cache and saved states
// are hundreds of MiB, and on a virtual machine faulting them in 4 KiB pages
// costs ~200 ms per 75 MiB (docs/decisions/0010-huge-pages.md).
#pragma once

#include <string>

namespace os1 {

// Starts this program again with glibc's malloc asking for huge pages
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1; glibc reads tunables only at start).
// Returns only when it does not: already set by anyone, OS1_HUGE_PAGES=0,
// a kernel without transparent huge pages, or exec failed.
void restart_with_huge_pages(char ** argv);

// For `os1 doctor`: whether large allocations use huge pages, and why not.
std::string huge_pages_state();

}  // namespace os1
