#include "workload.h"

#include <ctime>
#include <nlohmann/json.hpp>

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
    m.push_back({role::system, persona});
    m.push_back({role::system, "What you know about this person:\n" + profile});
    m.insert(m.end(), history.begin(), history.end());
    m.push_back({role::user, "(Things you remember that may matter now: " + recalled + ")\n\n" + message});
    return m;
}

std::vector<llm::chat_message> plain_messages(const std::string & persona, const std::string & profile,
                                              const std::vector<llm::chat_message> & history, const std::string & message) {
    std::vector<llm::chat_message> m;
    m.push_back({role::system, persona});
    m.push_back({role::system, "What you know about this person:\n" + profile});
    m.insert(m.end(), history.begin(), history.end());
    m.push_back({role::user, message});
    return m;
}

std::vector<std::string> earlier_memories(const llm::prompt_tokenizer & tok, uint64_t seed, const std::string & name,
                                          int n_tokens) {
    const workload_sizes sz;
    text_maker tm(tok, seed);
    auto & rng = tm.rng();
    std::vector<std::string> lines;
    const auto iso = [](int64_t t) {
        char buf[32];
        const std::time_t tt = static_cast<std::time_t>(t);
        std::tm tmv{};
        gmtime_r(&tt, &tmv);
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        return std::string(buf);
    };
    const int64_t start = 1790000000;  // 2026-09-21: weeks before the runs
    int have = 0;
    for (int sitting = 0; have < n_tokens; ++sitting) {
        const std::string session = "earlier-" + std::to_string(sitting);
        int64_t ts = start + static_cast<int64_t>(sitting) * 86400;
        for (int in_sitting = 0; in_sitting < 1000 && have < n_tokens;) {
            for (const bool user : {true, false}) {
                const int n = user ? std::uniform_int_distribution<int>(sz.message_min, sz.message_max)(rng)
                                   : std::uniform_int_distribution<int>(sz.reply_min, sz.reply_max)(rng);
                nlohmann::json j = {{"op", "ingest"}, {"scope", name}, {"session", session}, {"ts", iso(ts)},
                                    {"speaker", user ? name : "Samantha"}, {"role", user ? "user" : "assistant"},
                                    {"text", tm.make(n)}};
                lines.push_back(j.dump());
                ts += 60;
                in_sitting += n + 5;
                have += n + 5;
            }
        }
        lines.push_back(nlohmann::json{{"op", "end_session"}, {"scope", name}, {"session", session}, {"ts", iso(ts)}}.dump());
    }
    return lines;
}

}  // namespace os1::bench
