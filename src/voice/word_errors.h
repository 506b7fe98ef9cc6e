// How far a transcript is from what was said: word substitutions, insertions
// and deletions (the edit distance over words), for the word error rate that
// the voice tests and bench/voice.sh report.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace os1::voice {

std::vector<std::string> words_of(std::string_view text);  // split at whitespace

// The fewest word edits that turn SAID into HEARD.
size_t word_edits(const std::vector<std::string> & said, const std::vector<std::string> & heard);

}  // namespace os1::voice
