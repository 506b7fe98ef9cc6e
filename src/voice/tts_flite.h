// Offline speech with CMU flite and the voices Debian ships with it (slt, a
// woman's voice, by default; rms, awb, kal16).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "voice/tts_i.h"

namespace os1::voice {

// Held by whoever uses flite (a synthesis, a lexicon lookup): it is not thread-safe.
std::mutex & flite_mutex();

class tts_flite final : public tts_i {
public:
    // VOICE one of voices(). Errors: not_found naming the voices there are.
    static result<std::unique_ptr<tts_flite>> open(const std::string & voice = "slt");
    static const std::vector<std::string> & voices();

    // One synthesis at a time in the process (flite keeps state in its
    // voices, shared by every object of a voice): others wait.
    result<pcm_audio> synthesize(std::string_view text, double speed) override;
    using tts_i::synthesize;
    std::string name() const override { return "flite (" + voice_name_ + ")"; }

private:
    tts_flite(void * voice, std::string name) : voice_(voice), voice_name_(std::move(name)) {}
    void * voice_;  // cst_voice *, registered once for the process and never freed
    std::string voice_name_;
};

}  // namespace os1::voice
