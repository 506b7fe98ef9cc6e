// Text cut into sentences, the unit speech goes out in: a reply is spoken
// sentence by sentence while the model is still writing the rest.
//
// Thread-safety: a sentence_splitter belongs to one caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace os1::voice {

class sentence_splitter {
public:
    // FIRST_MAX_CHARS: the run after which the first piece is cut, lower than
    // max_chars where the first audio should start sooner (a phrase, not a
    // whole long sentence).
    explicit sentence_splitter(size_t first_max_chars = max_chars) : limit_(first_max_chars) {}

    // TEXT appended to what came before; returns the sentences it completed, in
    // order, trimmed. A sentence ends at . ! ? … (or 。！？) followed by a space,
    // or at a line break; "Dr." or "J." or "3.5" end nothing. A run of more than
    // max_chars without an end is cut at its last comma or space, so that a
    // long sentence does not keep the listener waiting.
    std::vector<std::string> feed(std::string_view text);
    // What is left, as the last sentence ("" when nothing is).
    std::string flush();
    // The whole words written so far when they make at least MIN_CHARS (the
    // word being written stays): for a listener who would otherwise wait for
    // the sentence's end. "" when there are not enough.
    std::string take_words(size_t min_chars);

    static constexpr size_t max_chars = 240;

private:
    std::string pending_;
    size_t limit_;  // the run cut at: first_max_chars until a piece is out, then max_chars
};

// All the sentences of TEXT (the first cut after FIRST_MAX_CHARS, as above).
std::vector<std::string> split_sentences(std::string_view text, size_t first_max_chars = sentence_splitter::max_chars);

}  // namespace os1::voice
