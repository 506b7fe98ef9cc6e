// A hands-free client's wake word: the OS's own name with this person
// ("Samantha"), spotted in a stream of microphone audio by pocketsphinx's
// keyphrase search. A name the dictionary lacks is pronounced by flite's
// letter-to-sound rules, so a name the OS chose for itself is heard too.
//
// Thread-safety: an object belongs to one caller at a time.
#pragma once

#include <memory>
#include <string>

#include "os1/status.h"
#include "voice/audio.h"
#include "voice/stt_pocketsphinx.h"

namespace os1::voice {

struct wake_options {
    // pocketsphinx's kws_threshold: lower hears the name more readily, and more falsely (at 1e-10
    // "Some of them went to Atlanta" woke "Samantha"; at 1 a short name is still heard)
    double threshold = 1e-3;
    pocketsphinx_options model;
};

class wake_word {
public:
    // NAME: one to three words of letters. Errors: invalid_argument for a name
    // that cannot be said, not_found for a missing model.
    static result<std::unique_ptr<wake_word>> open(const std::string & name, const wake_options & o = {});
    ~wake_word();
    wake_word(const wake_word &) = delete;
    wake_word & operator=(const wake_word &) = delete;

    // Audio (any rate) appended; true when the name was said in it, after
    // which it listens anew.
    result<bool> heard(const pcm_audio & audio);
    const std::string & name() const { return name_; }
    const std::string & phones() const { return phones_; }  // how it is listened for: "S AH M AE N TH AH"

private:
    struct impl;
    wake_word(std::unique_ptr<impl> p, std::string name, std::string phones);
    std::unique_ptr<impl> impl_;
    std::string name_;
    std::string phones_;
};

}  // namespace os1::voice
