#include "voice/stt_i.h"

namespace os1::voice {
namespace {

// For a recognizer that hears whole utterances: the audio kept, then transcribed.
class whole_utterance final : public stt_stream {
public:
    explicit whole_utterance(stt_i & stt) : stt_(stt) {}
    result<std::string> feed(const pcm_audio & audio) override {
        auto a = resample(audio, speech_rate_hz);
        if (!a) return a.error();
        kept_.samples.insert(kept_.samples.end(), a->samples.begin(), a->samples.end());
        return std::string();
    }
    result<transcript> finish() override { return stt_.transcribe(kept_); }

private:
    stt_i & stt_;
    pcm_audio kept_;
};

}  // namespace

result<std::unique_ptr<stt_stream>> stt_i::stream() { return std::unique_ptr<stt_stream>(new whole_utterance(*this)); }

}  // namespace os1::voice
