#include "companion/emotion.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

#include "base/utf8.h"

namespace os1::companion {
namespace {

using json = nlohmann::json;

struct word_feeling {
    const char * label;
    double valence;
    double arousal;
};

// A small hand-made list (no data download): common English words of feeling.
const std::unordered_map<std::string, word_feeling> & lexicon() {
    static const std::unordered_map<std::string, word_feeling> words = {
        // joy
        {"happy", {"joy", .8, .6}}, {"glad", {"joy", .7, .5}}, {"joy", {"joy", .9, .7}}, {"joyful", {"joy", .9, .7}},
        {"great", {"joy", .6, .5}}, {"wonderful", {"joy", .8, .6}}, {"amazing", {"joy", .8, .8}}, {"awesome", {"joy", .8, .7}},
        {"excited", {"joy", .7, .9}}, {"exciting", {"joy", .7, .8}}, {"thrilled", {"joy", .9, .9}}, {"delighted", {"joy", .9, .7}},
        {"fantastic", {"joy", .8, .7}}, {"fun", {"joy", .6, .6}}, {"laugh", {"joy", .6, .6}}, {"laughed", {"joy", .6, .6}},
        {"proud", {"joy", .7, .6}}, {"celebrate", {"joy", .8, .8}}, {"yay", {"joy", .8, .8}}, {"good", {"joy", .4, .4}},
        {"nice", {"joy", .4, .3}}, {"lucky", {"joy", .6, .5}}, {"ecstatic", {"joy", .9, .9}}, {"cheerful", {"joy", .7, .5}},
        {"pleased", {"joy", .6, .4}}, {"won", {"joy", .7, .7}}, {"promoted", {"joy", .7, .7}}, {"enjoy", {"joy", .6, .5}},
        {"enjoyed", {"joy", .6, .5}}, {"beautiful", {"joy", .7, .5}}, {"best", {"joy", .6, .5}}, {"hopeful", {"joy", .5, .4}},
        // love
        {"love", {"love", .8, .6}}, {"loved", {"love", .8, .6}}, {"adore", {"love", .8, .6}}, {"lovely", {"love", .7, .4}},
        {"sweet", {"love", .6, .4}}, {"cherish", {"love", .8, .4}}, {"grateful", {"love", .7, .4}}, {"thankful", {"love", .7, .4}},
        {"thanks", {"love", .5, .3}}, {"thank", {"love", .5, .3}}, {"hug", {"love", .6, .4}}, {"kind", {"love", .5, .3}},
        {"affection", {"love", .7, .4}}, {"tender", {"love", .6, .3}},
        // calm
        {"calm", {"calm", .4, .1}}, {"relaxed", {"calm", .5, .1}}, {"peaceful", {"calm", .6, .1}}, {"relieved", {"calm", .5, .3}},
        {"rested", {"calm", .4, .2}}, {"content", {"calm", .5, .2}}, {"serene", {"calm", .6, .1}}, {"fine", {"calm", .2, .2}},
        {"okay", {"calm", .1, .2}}, {"ok", {"calm", .1, .2}},
        // surprise
        {"surprised", {"surprise", .2, .8}}, {"surprise", {"surprise", .3, .8}}, {"wow", {"surprise", .4, .8}},
        {"unexpected", {"surprise", 0, .7}}, {"shocked", {"surprise", -.3, .9}}, {"astonished", {"surprise", .2, .8}},
        // sadness
        {"sad", {"sadness", -.7, .3}}, {"unhappy", {"sadness", -.7, .4}}, {"depressed", {"sadness", -.8, .3}},
        {"lonely", {"sadness", -.7, .3}}, {"alone", {"sadness", -.5, .3}}, {"cry", {"sadness", -.7, .6}},
        {"crying", {"sadness", -.7, .6}}, {"cried", {"sadness", -.7, .6}}, {"tears", {"sadness", -.6, .5}},
        {"miserable", {"sadness", -.8, .4}}, {"heartbroken", {"sadness", -.9, .5}}, {"grief", {"sadness", -.8, .4}},
        {"grieving", {"sadness", -.8, .4}}, {"died", {"sadness", -.8, .5}}, {"death", {"sadness", -.7, .5}},
        {"dead", {"sadness", -.7, .5}}, {"lost", {"sadness", -.5, .4}}, {"loss", {"sadness", -.6, .4}},
        {"hurt", {"sadness", -.6, .5}}, {"disappointed", {"sadness", -.6, .4}}, {"sorry", {"sadness", -.3, .3}},
        {"tired", {"sadness", -.4, .2}}, {"exhausted", {"sadness", -.6, .3}}, {"hopeless", {"sadness", -.8, .3}},
        {"empty", {"sadness", -.5, .2}}, {"gloomy", {"sadness", -.6, .3}}, {"divorce", {"sadness", -.6, .5}},
        {"failed", {"sadness", -.6, .5}}, {"rejected", {"sadness", -.7, .5}}, {"bad", {"sadness", -.5, .4}},
        {"awful", {"sadness", -.7, .6}}, {"terrible", {"sadness", -.7, .6}}, {"horrible", {"sadness", -.8, .7}},
        {"worst", {"sadness", -.8, .6}}, {"miss", {"sadness", -.4, .4}}, {"hard", {"sadness", -.3, .4}},
        // fear
        {"afraid", {"fear", -.7, .7}}, {"scared", {"fear", -.7, .8}}, {"fear", {"fear", -.7, .7}}, {"frightened", {"fear", -.7, .8}},
        {"terrified", {"fear", -.9, .9}}, {"anxious", {"fear", -.6, .7}}, {"anxiety", {"fear", -.6, .7}},
        {"worried", {"fear", -.6, .6}}, {"worry", {"fear", -.5, .6}}, {"nervous", {"fear", -.5, .7}}, {"panic", {"fear", -.8, .9}},
        {"stressed", {"fear", -.6, .7}}, {"stress", {"fear", -.5, .6}}, {"overwhelmed", {"fear", -.6, .7}},
        {"dread", {"fear", -.7, .6}}, {"uneasy", {"fear", -.4, .5}}, {"tense", {"fear", -.4, .6}},
        // anger
        {"angry", {"anger", -.7, .8}}, {"mad", {"anger", -.6, .8}}, {"furious", {"anger", -.9, .9}}, {"annoyed", {"anger", -.5, .6}},
        {"irritated", {"anger", -.5, .6}}, {"hate", {"anger", -.8, .8}}, {"rage", {"anger", -.9, .9}},
        {"frustrated", {"anger", -.6, .7}}, {"frustrating", {"anger", -.6, .7}}, {"outraged", {"anger", -.8, .9}},
        {"pissed", {"anger", -.7, .8}}, {"lied", {"anger", -.5, .6}}, {"unfair", {"anger", -.6, .6}}, {"resent", {"anger", -.6, .6}},
        // disgust
        {"disgusting", {"disgust", -.8, .6}}, {"disgusted", {"disgust", -.8, .6}}, {"gross", {"disgust", -.6, .5}},
        {"nasty", {"disgust", -.7, .5}}, {"revolting", {"disgust", -.8, .6}}, {"ashamed", {"disgust", -.6, .4}},
        {"embarrassed", {"disgust", -.5, .5}}, {"shame", {"disgust", -.6, .4}},
    };
    return words;
}

bool is_negator(const std::string & w) {
    static const char * const negators[] = {"not", "no", "never", "nothing", "hardly", "cannot", "without", "nor"};
    for (const char * n : negators) {
        if (w == n) return true;
    }
    return w.size() > 3 && w.compare(w.size() - 3, 3, "n't") == 0;
}

bool is_intensifier(const std::string & w) {
    static const char * const words[] = {"very", "so", "really", "extremely", "too", "incredibly", "super", "totally", "absolutely", "utterly"};
    for (const char * i : words) {
        if (w == i) return true;
    }
    return false;
}

double round1(double v) { return std::round(v * 10) / 10; }

const char * const reading_instructions =
    "Read how the person feels in their message. Answer with JSON only: the label (one of: joy, love, calm, "
    "surprise, sadness, fear, anger, disgust, neutral), the valence from -1.0 (very unpleasant) to 1.0 (very "
    "pleasant) and the arousal from 0.0 (calm) to 1.0 (intense).";

}  // namespace

const std::vector<std::string> & emotion_labels() {
    static const std::vector<std::string> labels = {"joy",     "love", "calm",  "surprise", "sadness",
                                                    "fear",    "anger", "disgust", "neutral"};
    return labels;
}

memory::emotion_reading lexicon_reading(std::string_view text) {
    std::vector<std::string> words;
    std::string w;
    int exclamations = 0;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '!') ++exclamations;
        if (std::isalpha(u) || c == '\'') {
            w += static_cast<char>(std::tolower(u));
        } else if (!w.empty()) {
            words.push_back(std::move(w));
            w.clear();
        }
    }
    if (!w.empty()) words.push_back(std::move(w));

    std::map<std::string, double> weight;
    double valence = 0, arousal = 0;
    int hits = 0;
    for (size_t i = 0; i < words.size(); ++i) {
        const auto it = lexicon().find(words[i]);
        if (it == lexicon().end()) continue;
        word_feeling f = it->second;
        bool negated = false, intense = false;
        for (size_t back = 1; back <= 3 && back <= i; ++back) {
            negated = negated || is_negator(words[i - back]);
            intense = intense || is_intensifier(words[i - back]);
        }
        if (negated) {  // "not happy" leans sad, "not scared" calm, and weaker
            f.label = f.valence > 0 ? "sadness" : "calm";
            f.valence = -0.5 * f.valence;
            f.arousal *= 0.7;
        }
        if (intense) {
            f.valence = std::clamp(f.valence * 1.25, -1.0, 1.0);
            f.arousal = std::min(1.0, f.arousal + 0.15);
        }
        valence += f.valence;
        arousal += f.arousal;
        weight[f.label] += std::abs(f.valence) + f.arousal;
        ++hits;
    }
    memory::emotion_reading r;
    r.source = "lexicon";
    if (hits == 0) {
        r.label = "neutral";
        r.arousal = exclamations > 0 ? 0.5 : 0.3;
        return r;
    }
    r.label = std::max_element(weight.begin(), weight.end(), [](const auto & a, const auto & b) { return a.second < b.second; })->first;
    r.valence = round1(std::clamp(valence / hits, -1.0, 1.0));
    r.arousal = round1(std::clamp(arousal / hits + 0.1 * std::min(exclamations, 3), 0.0, 1.0));
    return r;
}

const std::string & emotion_grammar() {
    static const std::string g = [] {
        std::string labels;
        for (const auto & l : emotion_labels()) labels += (labels.empty() ? "" : " | ") + ("\"" + l + "\"");
        return "root ::= \"{\\\"label\\\": \\\"\" label \"\\\", \\\"valence\\\": \" val \", \\\"arousal\\\": \" aro \"}\"\n"
               "label ::= " + labels + "\n"
               "val ::= \"-\"? aro\n"
               "aro ::= \"0.\" [0-9] | \"1.0\"\n";
    }();
    return g;
}

std::vector<llm::chat_message> emotion_prompt(const std::string & message) {
    std::string m(utf8_prefix(message, 2000));  // the start of a long message says enough
    return {{role::system, reading_instructions}, {role::user, "Message: " + m}};
}

llm::generation_options emotion_generation() {
    llm::generation_options g;
    g.sampling.temperature = 0;
    g.max_tokens = 40;  // the grammar's longest answer fits
    g.grammar = emotion_grammar();
    return g;
}

result<memory::emotion_reading> parse_emotion(std::string_view answer) {
    const json doc = json::parse(answer, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return status(status_code::invalid_argument, "the reading is not a JSON object");
    const auto label = doc.find("label");
    const auto valence = doc.find("valence");
    const auto arousal = doc.find("arousal");
    if (label == doc.end() || !label->is_string() || valence == doc.end() || !valence->is_number() || arousal == doc.end() ||
        !arousal->is_number()) {
        return status(status_code::invalid_argument, "the reading needs a label, a valence and an arousal");
    }
    memory::emotion_reading r;
    r.label = label->get<std::string>();
    r.valence = valence->get<double>();
    r.arousal = arousal->get<double>();
    r.source = "model";
    const auto & labels = emotion_labels();
    if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) {
        return status(status_code::invalid_argument, "no emotion label '" + r.label + "'");
    }
    if (!(r.valence >= -1 && r.valence <= 1) || !(r.arousal >= 0 && r.arousal <= 1)) {
        return status(status_code::invalid_argument, "the valence or arousal is out of range");
    }
    return r;
}

const std::string & emotion_conversation() {
    static const std::string id = "\x01" "emotion";
    return id;
}

const std::vector<emotion_probe_case> & emotion_probe_cases() {
    static const std::vector<emotion_probe_case> cases = {
        {"I got the job! I'm so happy I could dance.", 1},
        {"My grandmother died last night and I can't stop crying.", -1},
        {"They lied to me again and I'm furious.", -1},
        {"What a beautiful morning, the sun is out and I feel great.", 1},
    };
    return cases;
}

bool model_reads_feelings(const completer & complete) {
    for (const auto & c : emotion_probe_cases()) {
        auto answer = complete(emotion_prompt(c.message), emotion_generation());
        if (!answer) return false;
        auto r = parse_emotion(*answer);
        if (!r || r->valence * c.valence_sign <= 0) return false;
    }
    return true;
}

result<int> read_feelings_now(memory::memory_store & store, memory::person_id who, const completer & complete, int limit,
                              int64_t now) {
    auto waiting = store.feelings().turns_without_emotion(who, "model", limit);
    if (!waiting) return waiting.error();
    int done = 0;
    for (const auto & t : *waiting) {
        if (t.ts < now - 30 * 86400) break;  // newest first: the rest are older still
        auto answer = complete(emotion_prompt(t.text), emotion_generation());
        if (!answer) return answer.error();
        auto r = parse_emotion(*answer);
        if (!r) continue;
        r->turn_id = t.id;
        if (auto st = store.feelings().put_emotion(who, *r); !st) return st;
        ++done;
    }
    return done;
}

std::string tone_line(const memory::emotion_reading & r) {
    static const std::map<std::string, std::string> advice = {
        {"joy", "they seem happy: share it"},
        {"love", "they seem warm and affectionate: be warm back"},
        {"surprise", "they seem surprised: be curious with them"},
        {"sadness", "they seem sad: be gentle and warm, listen more than advise"},
        {"fear", "they seem anxious or afraid: be calm and reassuring"},
        {"anger", "they seem angry: stay calm and patient, do not be defensive"},
        {"disgust", "they seem upset or ashamed: be understanding, never judging"},
    };
    const auto it = advice.find(r.label);
    if (it == advice.end()) return "";
    // Short and without figures: the line is sent again only when it changes.
    std::string line = it->second;
    line[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
    return "[" + line + ".]\n\n";
}

}  // namespace os1::companion
