// When the person speaks, from microphone audio 10 ms at a time: WebRTC's
// voice detector decides each frame, and an utterance starts after enough
// speech and ends after enough silence. When the client also sends what the
// OS played, WebRTC's echo canceller takes the OS's own voice out of the
// microphone first, so that it does not count as the person speaking.
//
// Thread-safety: an object belongs to one caller at a time.
#pragma once

#include <memory>
#include <vector>

#include "os1/status.h"
#include "voice/audio.h"

namespace os1::voice {

struct activity_options {
    int start_ms = 200;        // mostly speech this long starts an utterance
    int stop_ms = 500;         // (almost) no speech this long ends it (OpenAI's silence_duration_ms)
    int prefix_ms = 300;       // audio kept from before the start (OpenAI's prefix_padding_ms)
    int likelihood = 0;        // 0 (very low) .. 3 (high): how readily a frame counts as speech (above 0, a
                               // faint room after speech keeps counting as speech)
    int echo_delay_ms = 40;    // between the OS's audio leaving and coming back in the microphone
};

struct activity_event {
    enum class kind { speech_started, speech_stopped };
    kind type = kind::speech_started;
    double at_s = 0;  // in the microphone's audio, from its first sample
};

class voice_activity {
public:
    // Errors: internal when the WebRTC audio processing cannot start.
    static result<std::unique_ptr<voice_activity>> open(const activity_options & o = {});
    ~voice_activity();
    voice_activity(const voice_activity &) = delete;
    voice_activity & operator=(const voice_activity &) = delete;

    // Audio the OS played to the person (any rate): the echo canceller's
    // reference, consumed as the microphone's audio of the same time arrives.
    // Played audio the microphone has not caught up with by a second after its
    // time is dropped when the microphone's next audio comes.
    void played(const pcm_audio & audio);
    // The rest of what was played is forgotten (the reply was cut short: it stopped playing).
    void forget_played();
    // Microphone audio (any rate) appended; the starts and stops it completed.
    result<std::vector<activity_event>> heard(const pcm_audio & audio);

    bool in_speech() const { return speaking_; }
    // The utterance so far, or the last one once it stopped (16 kHz, echo removed,
    // from prefix_ms before its start); taking it clears it.
    pcm_audio take_utterance();
    // The utterance so far from its sample FROM on (16 kHz), for a recognizer
    // that hears it as it is spoken; and how many samples it has.
    pcm_audio utterance_from(size_t from) const;
    size_t utterance_samples() const;
    double heard_s() const;  // microphone audio processed

private:
    struct impl;
    explicit voice_activity(std::unique_ptr<impl> p, const activity_options & o);
    std::unique_ptr<impl> impl_;
    activity_options o_;
    bool speaking_ = false;
};

}  // namespace os1::voice
