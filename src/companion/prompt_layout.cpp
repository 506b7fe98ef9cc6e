#include "companion/prompt_layout.h"

namespace os1::companion {
namespace {

const char * const core_heading = "What you know about the person you are talking with:\n";
const char * const recalled_heading = "[From earlier conversations, in case it matters now:\n";
const char * const recalled_end = "]\n\n";

int count_words(const std::string & s) {
    int n = 0;
    bool in_word = false;
    for (const char c : s) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

}  // namespace

std::vector<llm::chat_message> lay_out(const prompt_parts & p, bool merge_system) {
    std::vector<llm::chat_message> out;
    const std::string core = p.core_profile.empty() ? "" : core_heading + p.core_profile;
    if (merge_system && !core.empty()) {
        out.push_back({"system", p.persona.empty() ? core : p.persona + "\n\n" + core});
    } else {
        if (!p.persona.empty()) out.push_back({"system", p.persona});
        if (!core.empty()) out.push_back({"system", core});
    }
    out.insert(out.end(), p.history.begin(), p.history.end());
    out.push_back({"user", with_recalled(p.recalled, p.message)});
    return out;
}

std::string with_recalled(const std::string & recalled, const std::string & message) {
    return recalled.empty() ? message : recalled + message;
}

std::string recalled_block(const std::vector<memory::recalled_item> & items, int max_words,
                           std::vector<int64_t> & chosen) {
    std::string lines;
    int words = 0;
    for (const auto & item : items) {
        const int n = count_words(item.text);
        if (words + n > max_words) continue;  // a shorter one further down may still fit
        words += n;
        lines += "- " + item.text + "\n";
        chosen.insert(chosen.end(), item.turn_ids.begin(), item.turn_ids.end());
    }
    if (lines.empty()) return "";
    lines.pop_back();
    return recalled_heading + lines + recalled_end;
}

}  // namespace os1::companion
