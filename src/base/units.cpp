#include "base/units.h"

#include <cmath>
#include <cstdio>

namespace os1 {

std::string format_bytes(uint64_t n_bytes) {
    static const char * const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n_bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    if (u == 0) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n_bytes));
    } else {
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    }
    return buf;
}

std::string format_duration_s(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const auto s = static_cast<long long>(std::llround(seconds));
    char buf[32];
    if (s < 60) {
        std::snprintf(buf, sizeof buf, "%lld s", s);
    } else if (s < 3600) {
        std::snprintf(buf, sizeof buf, "%lld min %02lld s", s / 60, s % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
    }
    return buf;
}

}  // namespace os1
