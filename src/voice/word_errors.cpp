#include "voice/word_errors.h"

#include <algorithm>
#include <sstream>

namespace os1::voice {

std::vector<std::string> words_of(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

size_t word_edits(const std::vector<std::string> & said, const std::vector<std::string> & heard) {
    std::vector<size_t> prev(heard.size() + 1), cur(heard.size() + 1);
    for (size_t j = 0; j <= heard.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= said.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= heard.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (said[i - 1] == heard[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[heard.size()];
}

}  // namespace os1::voice
