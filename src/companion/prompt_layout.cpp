#include "companion/prompt_layout.h"

#include "base/utf8.h"

#include <algorithm>
#include <string_view>

namespace os1::companion {
namespace {

const char * const core_heading = "What you know about the person you are talking with:\n";
const char * const recalled_heading = "[From earlier conversations, in case it matters now:\n";
// Once a block with the heading above is in the prompt, later ones say less:
// the model has been told what such a block is (decision 0009).
const char * const recalled_heading_again = "[Also from earlier:\n";
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

// An item as a line of the block, cut at half the block's bytes.
std::string item_text(const memory::recalled_item & item, size_t max_bytes) {
    const size_t item_bytes = max_bytes / 2;
    if (item.text.size() <= item_bytes) return item.text;
    return std::string(utf8_prefix(item.text, item_bytes)) + "\u2026";
}

// TEXT's first MAX_WORDS words, marked with "…" when that cuts it.
std::string first_words(const std::string & text, int max_words) {
    int n = 0;
    bool in_word = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (!space && !in_word && ++n > max_words) {
            size_t end = i;
            while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' || text[end - 1] == '\r')) --end;
            return text.substr(0, end) + "\u2026";
        }
        in_word = !space;
    }
    return text;
}

}  // namespace

std::vector<llm::chat_message> lay_out(const prompt_parts & p, bool merge_system) {
    std::vector<llm::chat_message> out;
    std::string core = p.core_profile.empty() ? "" : core_heading + p.core_profile;
    if (!p.relationship.empty()) core = p.relationship + (core.empty() ? "" : "\n\n" + core);
    if (merge_system && !core.empty()) {
        out.push_back({role::system, p.persona.empty() ? core : p.persona + "\n\n" + core});
    } else {
        if (!p.persona.empty()) out.push_back({role::system, p.persona});
        if (!core.empty()) out.push_back({role::system, core});
    }
    out.insert(out.end(), p.history.begin(), p.history.end());
    out.push_back({role::user, with_recalled(p.recalled, p.message)});
    return out;
}

std::string with_recalled(const std::string & recalled, const std::string & message) {
    return recalled.empty() ? message : recalled + message;
}

std::string recalled_block(const std::vector<memory::recalled_item> & items, int max_words,
                           std::vector<int64_t> & chosen, std::vector<int64_t> * chosen_facts, size_t max_bytes,
                           const std::string & shown) {
    std::string lines;
    int words = 0;
    for (const auto & item : items) {
        std::string text = item_text(item, max_bytes);
        int n = count_words(text);
        if (lines.empty() && n > max_words && max_words > 0) {
            // The best item comes first even when it is long: its beginning,
            // so that a small budget (recall_words_later) never shuts it out.
            text = first_words(text, max_words);
            n = max_words;
        }
        if (words + n > max_words) continue;  // a shorter one further down may still fit
        if (lines.size() + text.size() + 3 > max_bytes) continue;
        words += n;
        lines += "- " + text + "\n";
        chosen.insert(chosen.end(), item.turn_ids.begin(), item.turn_ids.end());
        if (chosen_facts && item.fact_id) chosen_facts->push_back(item.fact_id);
    }
    if (lines.empty()) return "";
    lines.pop_back();
    const bool introduced = shown.find(recalled_heading) != std::string::npos;
    return (introduced ? recalled_heading_again : recalled_heading) + lines + recalled_end;
}

bool shown_in(const std::string & blocks, const memory::recalled_item & item, size_t max_bytes) {
    const std::string text = item_text(item, max_bytes);
    const auto ends_line = [&](size_t end) { return end < blocks.size() && (blocks[end] == '\n' || blocks[end] == ']'); };
    // A cut keeps at least the first word: every form starts with it.
    const std::string head = "\n- " + text.substr(0, std::min({text.size(), text.find_first_of(" \n\t\r"), size_t{16}}));
    const std::string mark = "\u2026";
    for (size_t at = blocks.find(head); at != std::string::npos; at = blocks.find(head, at + 1)) {
        const size_t from = at + 3;
        if (blocks.compare(from, text.size(), text) == 0 && ends_line(from + text.size())) return true;
        // Or its beginning, cut to a small budget by recalled_block(). Searched
        // within this line only: blocks hold hundreds of lines.
        const std::string_view line(blocks.data() + from, std::min(blocks.find('\n', from), blocks.size()) - from);
        for (size_t cut = line.find(mark); cut != std::string_view::npos; cut = line.find(mark, cut + 1)) {
            if (!ends_line(from + cut + mark.size())) continue;
            if (cut > 0 && text.compare(0, cut, line.substr(0, cut)) == 0) return true;
            break;
        }
    }
    return false;
}

std::string last_tone_line(const std::string & blocks) {
    // Blocks are pieces each ending in "]\n\n": live figures, a tone line, recalled items.
    std::string line;
    for (size_t at = 0, end; (end = blocks.find("]\n\n", at)) != std::string::npos; at = end + 3) {
        const std::string piece = blocks.substr(at, end + 3 - at);
        if (piece.rfind("[They seem", 0) == 0 && piece.find('\n') == piece.size() - 2) line = piece;
    }
    return line;
}

std::string core_profile(const std::string & own, const std::string & portrait, const std::vector<memory::fact_record> & facts,
                         size_t max_bytes) {
    std::string out = own;
    // The person's own words come first; a portrait that would not fit beside them is left out.
    const std::string with_portrait = portrait.empty() ? own : own + (own.empty() ? "" : "\n\n") + "In short: " + portrait;
    if (with_portrait.size() <= max_bytes) out = with_portrait;
    if (out.size() > max_bytes) return out;  // own words over the size: the store bounds them, nothing is cut
    const char * const learned = "Learned from your conversations:\n";
    std::string lines;
    for (const auto & f : facts) {
        const std::string line = "- " + f.text + "\n";
        const size_t size = out.size() + (out.empty() ? 0 : 2) + std::char_traits<char>::length(learned) + lines.size() + line.size();
        if (size > max_bytes) break;  // the order is the importance: no smaller one jumps the queue
        lines += line;
    }
    if (lines.empty()) return out;
    lines.pop_back();
    return (out.empty() ? "" : out + "\n\n") + learned + lines;
}

}  // namespace os1::companion
