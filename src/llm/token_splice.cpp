#include "llm/token_splice.h"

#include <algorithm>

namespace os1::llm {

namespace {

size_t common_prefix(const std::vector<int32_t> & a, const std::vector<int32_t> & b, size_t from) {
    size_t n = from;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

// Where, past the divergence at N, the two sides spell the same text again
// on a token boundary of each: the furthest such pair {i, j}, or {n, n}.
std::pair<size_t, size_t> resync(const std::vector<int32_t> & have, const std::vector<int32_t> & prompt,
                                 const token_text_fn & text, size_t n) {
    std::string a, b;  // text of have[n, i) and prompt[n, j)
    size_t i = n, j = n, checked = 0;
    std::pair<size_t, size_t> best{n, n};
    for (;;) {
        if (a.size() <= b.size()) {
            if (i == have.size()) break;
            auto t = text(have[i]);
            if (!t) break;
            a += *t;
            ++i;
        } else {
            if (j == prompt.size()) break;
            auto t = text(prompt[j]);
            if (!t) break;
            b += *t;
            ++j;
        }
        const size_t m = std::min(a.size(), b.size());
        if (a.compare(checked, m - checked, b, checked, m - checked) != 0) break;
        checked = m;
        if (a.size() == b.size() && i > n && j > n) best = {i, j};
    }
    return best;
}

}  // namespace

size_t splice_known_tokens(const std::vector<int32_t> & have, std::vector<int32_t> & prompt, const token_text_fn & text,
                           size_t max_prompt, size_t from) {
    size_t n = common_prefix(have, prompt, 0);
    while (n >= from && n < have.size() && n < prompt.size()) {
        const auto [i, j] = resync(have, prompt, text, n);
        if (i == n) break;
        if (prompt.size() - (j - n) + (i - n) > max_prompt) break;
        std::vector<int32_t> spliced(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(n));
        spliced.insert(spliced.end(), have.begin() + static_cast<std::ptrdiff_t>(n), have.begin() + static_cast<std::ptrdiff_t>(i));
        spliced.insert(spliced.end(), prompt.begin() + static_cast<std::ptrdiff_t>(j), prompt.end());
        prompt = std::move(spliced);
        n = common_prefix(have, prompt, i);
    }
    return n;
}

}  // namespace os1::llm
