#include "voice/sentences.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace os1::voice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// Words after which a full stop does not end the sentence.
bool is_abbreviation(std::string_view word) {
    static constexpr std::array<std::string_view, 16> known = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e",
                                                                "prof", "sr", "jr", "no", "mt", "approx", "cf"};
    std::string lower(word);
    for (char & c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(known.begin(), known.end(), lower) != known.end()) return true;
    // An initial: "J." of "J. R. R. Tolkien".
    return word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0]));
}

// The word that ends at S[END] (exclusive), back to the last space or FROM
// (where the sentence began: what came before it is gone when text streams).
std::string_view word_before(std::string_view s, size_t from, size_t end) {
    size_t b = end;
    while (b > from && !is_space(s[b - 1]) && s[b - 1] != '(' && s[b - 1] != '"') --b;
    return s.substr(b, end - b);
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool closes(char c) { return c == '"' || c == '\'' || c == ')' || c == ']'; }

// Length of the sentence end at S[I] (the mark and any closing quotes) of the
// sentence that began at FROM, or 0 when S[I] ends none. Needs the character after the end to decide; NEED_MORE
// is set when S stops before it.
size_t end_at(std::string_view s, size_t from, size_t i, bool & need_more) {
    need_more = false;
    // A character whose bytes have not all arrived is decided when they have.
    const auto lead = static_cast<unsigned char>(s[i]);
    const size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + len > s.size()) return need_more = true, 0;
    static constexpr std::array<std::string_view, 4> wide = {"…", "。", "！", "？"};
    for (const auto w : wide) {
        if (s.substr(i, w.size()) == w) {
            if (w != "…") return w.size();  // CJK marks end without a space
            size_t j = i + w.size();
            if (j >= s.size()) return need_more = true, 0;
            return is_space(s[j]) ? w.size() : 0;
        }
    }
    const char c = s[i];
    if (c == '\n') return 1;
    if (c != '.' && c != '!' && c != '?') return 0;
    size_t j = i + 1;
    while (j < s.size() && (s[j] == '.' || s[j] == '!' || s[j] == '?' || closes(s[j]))) ++j;  // "?!", "...", '."'
    if (j >= s.size()) return need_more = true, 0;
    if (!is_space(s[j])) return 0;  // "3.5", "os1.example"
    if (c == '.' && j == i + 1 && is_abbreviation(word_before(s, from, i))) return 0;
    return j - i;
}

}  // namespace

std::vector<std::string> sentence_splitter::feed(std::string_view text) {
    pending_.append(text);
    std::vector<std::string> out;
    size_t start = 0;
    const auto continues = [this](size_t at) { return at < pending_.size() && is_continuation(pending_[at]); };
    for (size_t i = 0; i < pending_.size();) {
        bool need_more = false;
        const size_t n = end_at(pending_, start, i, need_more);
        if (need_more) break;
        if (n > 0) {
            if (auto s = trimmed(std::string_view(pending_).substr(start, i + n - start)); !s.empty()) {
                out.push_back(std::move(s));
                limit_ = max_chars;
            }
            start = i = i + n;
            continue;
        }
        ++i;
        // Too long without an end: cut at a comma, else a space, never inside a
        // UTF-8 character (which the next byte, once here, tells).
        if (i - start > limit_ && i < pending_.size() && !continues(i)) {
            const std::string_view run = std::string_view(pending_).substr(start, i - start);
            size_t cut = run.rfind(", ");
            if (cut == std::string_view::npos || cut < limit_ / 3) cut = run.rfind(' ');
            if (cut == std::string_view::npos || cut == 0) cut = run.size() - 1;  // no space at all: the run ends at a character's end
            if (auto s = trimmed(run.substr(0, cut + 1)); !s.empty()) {
                out.push_back(std::move(s));
                limit_ = max_chars;
            }
            start += cut + 1;
            i = start;
        }
    }
    pending_.erase(0, start);
    return out;
}

std::string sentence_splitter::flush() {
    std::string rest = trimmed(pending_);
    pending_.clear();
    return rest;
}

std::string sentence_splitter::take_words(size_t min_chars) {
    const size_t space = pending_.find_last_of(' ');
    if (space == std::string::npos) return "";
    std::string words = trimmed(std::string_view(pending_).substr(0, space));
    if (words.size() < min_chars) return "";
    pending_.erase(0, space + 1);
    limit_ = max_chars;
    return words;
}

std::vector<std::string> split_sentences(std::string_view text, size_t first_max_chars) {
    sentence_splitter s(first_max_chars);
    auto out = s.feed(text);
    if (auto last = s.flush(); !last.empty()) out.push_back(std::move(last));
    return out;
}

}  // namespace os1::voice
