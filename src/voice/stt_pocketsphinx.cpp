#include "voice/stt_pocketsphinx.h"

#include <pocketsphinx.h>

#include <filesystem>
#include <vector>

namespace os1::voice {
namespace {

constexpr double frames_per_s = 100.0;  // pocketsphinx's frame rate (-frate)

// A word of the segmentation that is a word: not silence, breath or noise.
bool is_word(const std::string & w) { return !w.empty() && w[0] != '<' && w[0] != '[' && w != "<sil>"; }

// "read(2)" is the dictionary's second pronunciation of "read".
std::string without_variant(std::string w) {
    if (const auto paren = w.find('('); paren != std::string::npos) w.erase(paren);
    return w;
}

}  // namespace

// What the decoder heard of the utterance it just ended.
static transcript result_of(ps_decoder_t * ps, double duration_s) {
    transcript t;
    t.duration_s = duration_s;
    int32 score = 0;
    if (const char * hyp = ps_get_hyp(ps, &score)) t.text = hyp;
    for (ps_seg_t * seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
        const std::string w = ps_seg_word(seg);
        if (!is_word(w)) continue;
        int start = 0, end = 0;
        ps_seg_frames(seg, &start, &end);
        t.words.push_back({start / frames_per_s, (end + 1) / frames_per_s, without_variant(w)});
    }
    // One utterance, one segment: from its first word to its last.
    if (!t.words.empty()) t.segments.push_back({t.words.front().start_s, t.words.back().end_s, t.text});
    return t;
}

struct stt_pocketsphinx::impl {
    cmd_ln_t * config = nullptr;
    ps_decoder_t * decoder = nullptr;
    std::mutex idle_mu;
    std::vector<ps_decoder_t *> idle;  // GUARDED_BY(idle_mu): the streams' decoders, between utterances
    ~impl() {
        for (auto * d : idle) ps_free(d);
        if (decoder) ps_free(decoder);
        if (config) cmd_ln_free_r(config);
    }
};

class stt_pocketsphinx::live final : public stt_stream {
public:
    live(impl & owner, ps_decoder_t * ps) : owner_(owner), ps_(ps) {}
    ~live() override {
        if (started_) ps_end_utt(ps_);
        std::lock_guard lock(owner_.idle_mu);
        owner_.idle.push_back(ps_);
    }
    result<std::string> feed(const pcm_audio & audio) override {
        auto a = resample(audio, speech_rate_hz);
        if (!a) return a.error();
        if (!started_) {
            if (ps_start_utt(ps_) < 0) return status(status_code::internal, "pocketsphinx could not start an utterance");
            started_ = true;
        }
        if (!a->samples.empty() && ps_process_raw(ps_, a->samples.data(), a->samples.size(), FALSE, FALSE) < 0) {
            return status(status_code::internal, "pocketsphinx could not read the audio");
        }
        seconds_ += a->seconds();
        int32 score = 0;
        const char * hyp = ps_get_hyp(ps_, &score);
        return std::string(hyp ? hyp : "");
    }
    result<transcript> finish() override {
        if (!started_ || seconds_ < 0.1) return status(status_code::invalid_argument, "the audio is shorter than 0.1 s");
        started_ = false;
        if (ps_end_utt(ps_) < 0) return status(status_code::internal, "pocketsphinx could not finish the utterance");
        return result_of(ps_, seconds_);
    }

private:
    impl & owner_;
    ps_decoder_t * ps_;
    bool started_ = false;
    double seconds_ = 0;
};

result<std::unique_ptr<stt_stream>> stt_pocketsphinx::stream() {
    ps_decoder_t * ps = nullptr;
    {
        std::lock_guard lock(impl_->idle_mu);
        if (!impl_->idle.empty()) {
            ps = impl_->idle.back();
            impl_->idle.pop_back();
        }
    }
    if (!ps) ps = ps_init(impl_->config);
    if (!ps) return status(status_code::internal, "pocketsphinx could not load another decoder");
    return std::unique_ptr<stt_stream>(new live(*impl_, ps));
}

stt_pocketsphinx::stt_pocketsphinx(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
stt_pocketsphinx::~stt_pocketsphinx() = default;

result<std::unique_ptr<stt_pocketsphinx>> stt_pocketsphinx::open(const pocketsphinx_options & o) {
    namespace fs = std::filesystem;
    const std::string hmm = o.model_dir + "/en-us", lm = o.model_dir + "/en-us.lm.bin", dict = o.model_dir + "/cmudict-en-us.dict";
    for (const auto & p : {hmm, lm, dict}) {
        if (!fs::exists(p)) {
            return status(status_code::not_found, "the pocketsphinx model is missing: " + p + " (Debian: apt-get install pocketsphinx-en-us)");
        }
    }
    auto p = std::make_unique<impl>();
    p->config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(), "-dict", dict.c_str(), "-logfn",
                            "/dev/null", nullptr);
    if (!p->config) return status(status_code::internal, "pocketsphinx refused its configuration");
    p->decoder = ps_init(p->config);
    if (!p->decoder) return status(status_code::corrupt, "pocketsphinx could not load the model in " + o.model_dir);
    return std::unique_ptr<stt_pocketsphinx>(new stt_pocketsphinx(std::move(p)));
}

result<transcript> stt_pocketsphinx::transcribe(const pcm_audio & audio) {
    if (audio.samples.empty()) return status(status_code::invalid_argument, "the audio is empty");
    auto at16k = resample(audio, speech_rate_hz);
    if (!at16k) return at16k.error();
    if (at16k->samples.size() < static_cast<size_t>(speech_rate_hz / 10)) {
        return status(status_code::invalid_argument, "the audio is shorter than 0.1 s");
    }
    std::lock_guard lock(mu_);
    ps_decoder_t * ps = impl_->decoder;
    if (ps_start_utt(ps) < 0) return status(status_code::internal, "pocketsphinx could not start an utterance");
    if (ps_process_raw(ps, at16k->samples.data(), at16k->samples.size(), FALSE, TRUE) < 0) {
        ps_end_utt(ps);
        return status(status_code::internal, "pocketsphinx could not read the audio");
    }
    if (ps_end_utt(ps) < 0) return status(status_code::internal, "pocketsphinx could not finish the utterance");
    return result_of(ps, audio.seconds());
}

}  // namespace os1::voice
