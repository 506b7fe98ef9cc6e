#include "voice/wake_word.h"

#include "voice/tts_flite.h"

#include <flite/flite.h>
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <sstream>

extern "C" cst_lexicon * cmu_lex_init(void);

namespace os1::voice {
namespace {

// WORD's phones as pocketsphinx writes them ("S AH M AE N TH AH"), from flite's
// lexicon or, for a word it lacks, its letter-to-sound rules.
std::string flite_phones(const std::string & word) {
    std::lock_guard lock(flite_mutex());
    static cst_lexicon * lex = (flite_init(), cmu_lex_init());
    cst_val * phones = lex_lookup(lex, word.c_str(), nullptr, nullptr);
    std::string out;
    for (const cst_val * v = phones; v; v = val_cdr(v)) {
        std::string p = val_string(val_car(v));
        std::string clean;
        for (const char c : p) {
            if (std::isalpha(static_cast<unsigned char>(c))) clean.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        }
        if (clean.empty() || clean == "PAU") continue;
        if (clean == "AX") clean = "AH";  // flite's schwa; pocketsphinx's en-us has none of its own
        if (clean == "AXR") clean = "ER";
        out += (out.empty() ? "" : " ") + clean;
    }
    delete_val(phones);
    return out;
}

}  // namespace

struct wake_word::impl {
    cmd_ln_t * config = nullptr;
    ps_decoder_t * decoder = nullptr;
    size_t quiet_samples = 0;  // after a hearing, this much audio is not listened to again
    ~impl() {
        if (decoder) ps_free(decoder);
        if (config) cmd_ln_free_r(config);
    }
};

wake_word::wake_word(std::unique_ptr<impl> p, std::string name, std::string phones)
    : impl_(std::move(p)), name_(std::move(name)), phones_(std::move(phones)) {}
wake_word::~wake_word() = default;

result<std::unique_ptr<wake_word>> wake_word::open(const std::string & name, const wake_options & o) {
    std::string phrase;
    int words = 0;
    {
        std::istringstream in(name);
        for (std::string w; in >> w; ++words) {
            std::string lower;
            for (const char c : w) {
                if (!std::isalpha(static_cast<unsigned char>(c)) && c != '\'' && c != '-') {
                    return status(status_code::invalid_argument, "the wake word '" + name.substr(0, 40) + "' must be letters (English)");
                }
                lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
            }
            phrase += (phrase.empty() ? "" : " ") + lower;
        }
    }
    if (words < 1 || words > 3) return status(status_code::invalid_argument, "the wake word must be one to three words");
    const std::string hmm = o.model.model_dir + "/en-us", dict = o.model.model_dir + "/cmudict-en-us.dict";
    for (const auto & p : {hmm, dict}) {
        if (!std::filesystem::exists(p)) {
            return status(status_code::not_found, "the pocketsphinx model is missing: " + p + " (Debian: apt-get install pocketsphinx-en-us)");
        }
    }
    auto p = std::make_unique<impl>();
    const std::string threshold = std::to_string(o.threshold);
    p->config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-dict", dict.c_str(), "-kws_threshold",
                            threshold.c_str(), "-logfn", "/dev/null", nullptr);
    if (!p->config) return status(status_code::internal, "pocketsphinx refused its configuration");
    p->decoder = ps_init(p->config);
    if (!p->decoder) return status(status_code::corrupt, "pocketsphinx could not load the model in " + o.model.model_dir);
    std::string all_phones;
    std::istringstream in(phrase);
    for (std::string w; in >> w;) {
        std::string phones;
        if (char * known = ps_lookup_word(p->decoder, w.c_str())) {
            phones = known;
            ckd_free(known);  // the caller's to free
        } else {
            phones = flite_phones(w);
            if (phones.empty() || ps_add_word(p->decoder, w.c_str(), phones.c_str(), FALSE) < 0) {
                return status(status_code::invalid_argument,
                              "the wake word '" + w + "' cannot be pronounced (phones '" + phones + "')");
            }
        }
        all_phones += (all_phones.empty() ? "" : " ") + phones;
    }
    if (ps_set_keyphrase(p->decoder, "wake", phrase.c_str()) < 0 || ps_set_search(p->decoder, "wake") < 0 || ps_start_utt(p->decoder) < 0) {
        return status(status_code::internal, "pocketsphinx could not listen for '" + phrase + "'");
    }
    return std::unique_ptr<wake_word>(new wake_word(std::move(p), phrase, all_phones));
}

result<bool> wake_word::heard(const pcm_audio & audio) {
    auto a = audio.rate_hz == speech_rate_hz ? result<pcm_audio>(audio) : resample(audio, speech_rate_hz);
    if (!a) return a.error();
    ps_decoder_t * ps = impl_->decoder;
    if (ps_process_raw(ps, a->samples.data(), a->samples.size(), FALSE, FALSE) < 0) {
        return status(status_code::internal, "pocketsphinx could not read the audio");
    }
    const char * hyp = ps_get_hyp(ps, nullptr);
    const bool said = hyp && *hyp && impl_->quiet_samples == 0;
    impl_->quiet_samples = static_cast<size_t>(std::max<int64_t>(0, static_cast<int64_t>(impl_->quiet_samples) - static_cast<int64_t>(a->samples.size())));
    if (!hyp || !*hyp) return false;
    // Listen anew, and for a second take no second hearing of the same name's end.
    ps_end_utt(ps);
    if (ps_start_utt(ps) < 0) return status(status_code::internal, "pocketsphinx could not listen again");
    if (said) impl_->quiet_samples = speech_rate_hz;
    return said;
}

}  // namespace os1::voice
