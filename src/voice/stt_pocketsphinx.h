// Offline speech recognition with CMU pocketsphinx and Debian's en-us model
// (pocketsphinx-en-us): no network, modest accuracy, English only.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "voice/stt_i.h"

namespace os1::voice {

struct pocketsphinx_options {
    std::string model_dir = "/usr/share/pocketsphinx/model/en-us";  // holds en-us/, en-us.lm.bin, cmudict-en-us.dict
};

class stt_pocketsphinx final : public stt_i {
public:
    // The model loaded once (about a second). Errors: not_found when the model
    // files are missing (they come with the pocketsphinx-en-us package).
    static result<std::unique_ptr<stt_pocketsphinx>> open(const pocketsphinx_options & o = {});
    ~stt_pocketsphinx() override;
    stt_pocketsphinx(const stt_pocketsphinx &) = delete;
    stt_pocketsphinx & operator=(const stt_pocketsphinx &) = delete;

    // One utterance at a time (the decoder is not shared): others wait.
    result<transcript> transcribe(const pcm_audio & audio) override;
    // Words as they are spoken: each stream decodes on a decoder of its own,
    // taken from those idle (one is loaded when none is: about half a second)
    // and given back when the stream goes.
    result<std::unique_ptr<stt_stream>> stream() override;
    std::string name() const override { return "pocketsphinx (en-us)"; }

private:
    class live;
    struct impl;
    explicit stt_pocketsphinx(std::unique_ptr<impl> p);
    std::mutex mu_;
    std::unique_ptr<impl> impl_;  // GUARDED_BY(mu_) for decoding
};

}  // namespace os1::voice
