#include "workload.h"

namespace os1::bench {
namespace {

const char * const words[] = {
    "the", "morning", "light", "walk", "river", "friend", "remember", "music", "quiet", "garden", "letter", "coffee",
    "city", "evening", "laugh", "train", "window", "rain", "sister", "work", "dream", "story", "book", "ocean",
    "mountain", "kitchen", "photograph", "birthday", "promise", "journey", "careful", "gentle", "curious", "honest",
    "tired", "happy", "worried", "brave", "small", "bright", "old", "new", "always", "never", "sometimes", "today",
    "tomorrow", "yesterday", "together", "alone", "because", "although", "while", "after", "before", "and", "but",
    "with", "about", "under", "over", "near", "far", "talked", "wrote", "listened", "waited", "moved", "found",
    "lost", "kept", "gave", "asked", "answered", "thought", "felt", "knew", "wanted", "needed", "liked", "loved",
    "teacher", "doctor", "neighbor", "dog", "cat", "bicycle", "street", "market", "festival", "winter", "summer",
    "spring", "autumn", "holiday", "interview", "meeting", "concert", "painting", "recipe", "island", "forest"};

}  // namespace

std::string text_maker::make(int n_tokens) {
    std::string out;
    std::uniform_int_distribution<size_t> pick(0, std::size(words) - 1);
    std::uniform_int_distribution<int> sentence_len(6, 14);
    // Tokenizing as it grows would be quadratic: estimate, then top up.
    while (static_cast<int>(tok_.text(out).size()) < n_tokens) {
        const int need = n_tokens - static_cast<int>(tok_.text(out).size());
        for (int s = 0; s < std::max(1, need / 10); ++s) {
            const int len = sentence_len(rng_);
            for (int w = 0; w < len; ++w) {
                std::string word = words[pick(rng_)];
                if (w == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
                out += (out.empty() || w == 0 ? (out.empty() ? "" : " ") : " ") + word;
            }
            out += ".";
        }
    }
    return out;
}

std::vector<llm::chat_message> companion_messages(const std::string & persona, const std::string & profile,
                                                  const std::vector<llm::chat_message> & history,
                                                  const std::string & recalled, const std::string & message) {
    std::vector<llm::chat_message> m;
    m.push_back({"system", persona});
    m.push_back({"system", "What you know about this person:\n" + profile});
    m.insert(m.end(), history.begin(), history.end());
    m.push_back({"user", "(Things you remember that may matter now: " + recalled + ")\n\n" + message});
    return m;
}

}  // namespace os1::bench
