#include "llm/prefill_order.h"

#include <algorithm>
#include <numeric>

namespace os1::llm {

std::vector<size_t> prefill_order(const std::vector<waiting_prompt> & prompts, std::chrono::steady_clock::time_point now,
                                  std::chrono::milliseconds patience) {
    std::vector<size_t> out(prompts.size());
    std::iota(out.begin(), out.end(), size_t{0});
    const auto late = [&](size_t i) { return now - prompts[i].submitted >= patience; };
    std::sort(out.begin(), out.end(), [&](size_t a, size_t b) {
        if (late(a) != late(b)) return late(a);
        if (!late(a) && prompts[a].left != prompts[b].left) return prompts[a].left < prompts[b].left;
        return prompts[a].order < prompts[b].order;
    });
    return out;
}

}  // namespace os1::llm
