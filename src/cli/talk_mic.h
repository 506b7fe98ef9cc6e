// os1 talk --mic: a voice call from the terminal, the microphone and speaker
// of this machine (voice::audio_device) on one side and an OS1 server's
// /v1/realtime on the other (server::realtime_client), so that hearing,
// answering, speaking and barge-in are the server's realtime session, the
// same as the web page's call. Hands-free (the server hears when the person
// speaks) or push to talk (Enter starts and sends what is said).
//
// Threads: the caller's thread waits for the keyboard and signals; one thread
// reads the microphone; the client's thread handles the server's events.
#pragma once

#include <string>

#include "voice/audio_device.h"

namespace os1::cli {

struct mic_call_options {
    std::string url;                    // the server's API base (http://HOST:PORT/v1)
    std::string token;                  // "" for a server without auth
    std::string conversation = "voice";
    bool push_to_talk = false;
    bool wake_word = false;             // answer only after the OS's name with this person
    voice::audio_device_options device;
};

// The call through DEVICE (opened first, so that a missing one is named
// before a model loads), until Ctrl-C, "q" (push to talk), the end of the
// input, or the server ending it. The exit code; errors are reported on stderr.
int run_mic_call(const mic_call_options & o, voice::audio_device & device);

}  // namespace os1::cli
