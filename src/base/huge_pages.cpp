#include "base/huge_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace os1 {
namespace {

constexpr const char * tunable = "glibc.malloc.hugetlb=1";

// The kernel's mode, the bracketed word of "always [madvise] never"; empty when unknown.
std::string thp_mode() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string all;
    std::getline(in, all);
    const auto open = all.find('['), close = all.find(']');
    if (open == std::string::npos || close == std::string::npos || close < open) return "";
    return all.substr(open + 1, close - open - 1);
}

std::string env(const char * name) {
    const char * v = std::getenv(name);
    return v ? v : "";
}

bool turned_off() {
    const std::string v = env("OS1_HUGE_PAGES");
    return v == "0" || v == "off" || v == "false" || v == "no";
}

}  // namespace

void restart_with_huge_pages(char ** argv) {
    const std::string before = env("GLIBC_TUNABLES");
    if (before.find("glibc.malloc.hugetlb") != std::string::npos || turned_off()) return;
    const std::string mode = thp_mode();
    if (mode.empty() || mode == "never") return;
    const std::string after = before.empty() ? tunable : before + ":" + tunable;
    if (::setenv("GLIBC_TUNABLES", after.c_str(), 1) != 0) return;
    ::execv("/proc/self/exe", argv);
    // Still here: go on as we are, with the environment as it was.
    if (before.empty()) {
        ::unsetenv("GLIBC_TUNABLES");
    } else {
        ::setenv("GLIBC_TUNABLES", before.c_str(), 1);
    }
}

std::string huge_pages_state() {
    const std::string mode = thp_mode();
    const bool asked = env("GLIBC_TUNABLES").find(tunable) != std::string::npos;
    if (mode.empty() || mode == "never") return "off: this kernel gives no transparent huge pages";
    if (asked) return "on: large allocations ask for transparent huge pages (kernel mode: " + mode + ")";
    if (turned_off()) return "off: OS1_HUGE_PAGES=0";
    return "off: GLIBC_TUNABLES sets glibc.malloc.hugetlb otherwise";
}

}  // namespace os1
