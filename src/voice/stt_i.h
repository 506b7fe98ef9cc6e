// Speech to text: the seam between OS1 and a recognizer (pocketsphinx, or a
// remote OpenAI-compatible server), with a fake in tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "os1/status.h"
#include "voice/audio.h"

namespace os1::voice {

struct transcript_segment {
    double start_s = 0;
    double end_s = 0;
    std::string text;
};

struct transcript {
    std::string text;  // the words heard, "" for silence
    std::vector<transcript_segment> segments;  // stretches of speech with their text
    std::vector<transcript_segment> words;     // each word with its times, where the recognizer gives them
    std::string language = "en";
    double duration_s = 0;  // of the audio
};

// One utterance heard as it is spoken, for words before it ends.
class stt_stream {
public:
    virtual ~stt_stream() = default;
    // AUDIO (any rate) of the utterance appended; the words heard so far
    // (a recognizer that hears only whole utterances says "").
    virtual result<std::string> feed(const pcm_audio & audio) = 0;
    // The utterance is over: what it says (errors as transcribe()).
    virtual result<transcript> finish() = 0;
};

class stt_i {
public:
    virtual ~stt_i() = default;
    // A stream for one utterance; the recognizer must outlive it. This one
    // keeps the audio and transcribes it whole when it finishes.
    virtual result<std::unique_ptr<stt_stream>> stream();
    // What AUDIO (any rate) says. Errors: invalid_argument for audio that
    // cannot be speech (empty, too short), unsupported for a language the
    // recognizer has no model of, internal for the recognizer's own failure.
    // May be called from any thread; implementations serialize as they need.
    virtual result<transcript> transcribe(const pcm_audio & audio) = 0;
    virtual std::string name() const = 0;  // "pocketsphinx (en-us)"
};

}  // namespace os1::voice
