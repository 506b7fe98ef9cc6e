// The computer's microphone and speaker, through PortAudio (the only code that
// includes it), for `os1 talk --mic`: mono 16-bit audio heard at one rate and
// played at another, playback stoppable at once (barge-in) and the played
// part counted (what the person heard).
//
// Threads: read() from one capture thread; play(), stop_playing() and
// played_ms() from any thread; playback runs on the device's own thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "os1/status.h"
#include "voice/audio.h"

namespace os1::voice {

struct audio_device_options {
    std::string input;          // a device name (or a part of it); "" for the default microphone
    std::string output;         // likewise for the speaker
    int input_rate_hz = 16000;  // asked for; another is used when the device cannot (input_rate_hz())
};

class audio_device {
public:
    // The devices opened and the microphone started. not_found when the
    // machine has no such device (naming it, or saying there is none),
    // io_error when PortAudio cannot open it.
    static result<std::unique_ptr<audio_device>> open(const audio_device_options & opts);
    // Each device as "NAME (in N, out M, R Hz)", the defaults marked.
    static result<std::vector<std::string>> list();
    ~audio_device();
    audio_device(const audio_device &) = delete;
    audio_device & operator=(const audio_device &) = delete;

    int input_rate_hz() const;
    // The next FRAMES samples the microphone heard (blocks until they are).
    // io_error when the device fails; an overflow (samples dropped) is not one.
    result<std::vector<int16_t>> read(size_t frames);
    // AUDIO queued behind what is playing (resampled to the speaker's rate).
    status play(const pcm_audio & audio);
    // What is queued or playing dropped at once.
    void stop_playing();
    // Milliseconds of the audio given to play() since the last stop_playing()
    // or reset_played() that reached the speaker.
    int64_t played_ms() const;
    void reset_played();
    bool playing() const;  // audio is queued or playing

private:
    struct impl;
    explicit audio_device(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::voice
