#include "voice/voice_activity.h"

#include <chrono>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include <algorithm>
#include <deque>

namespace os1::voice {
namespace {

constexpr int frame_ms = 10;
constexpr int frame_samples = speech_rate_hz * frame_ms / 1000;  // 160 at 16 kHz
constexpr double start_share = 0.8;  // of voiced frames in start_ms that starts an utterance
constexpr double stop_share = 0.1;   // of voiced frames in stop_ms, or fewer, that ends it

result<pcm_audio> at_speech_rate(const pcm_audio & a) {
    return a.rate_hz == speech_rate_hz ? result<pcm_audio>(a) : resample(a, speech_rate_hz);
}

void fill(webrtc::AudioFrame & f, const int16_t * samples) {
    f.sample_rate_hz_ = speech_rate_hz;
    f.num_channels_ = 1;
    f.samples_per_channel_ = frame_samples;
    std::copy(samples, samples + frame_samples, f.data_);
}

}  // namespace

struct voice_activity::impl {
    std::unique_ptr<webrtc::AudioProcessing> apm;
    std::deque<int16_t> reference;   // played audio not yet matched with the microphone's
    std::chrono::steady_clock::time_point reference_ends{};  // when the last of it finishes playing
    std::vector<int16_t> pending;    // microphone audio short of a whole frame
    std::deque<bool> recent;         // the detector's last decisions
    std::deque<int16_t> before;      // the last prefix_ms of processed audio while silent
    std::vector<int16_t> utterance;  // processed audio of the current (or last) utterance
    size_t frames = 0;
};

voice_activity::voice_activity(std::unique_ptr<impl> p, const activity_options & o) : impl_(std::move(p)), o_(o) {}
voice_activity::~voice_activity() = default;

result<std::unique_ptr<voice_activity>> voice_activity::open(const activity_options & o) {
    auto p = std::make_unique<impl>();
    p->apm.reset(webrtc::AudioProcessing::Create());
    if (!p->apm) return status(status_code::internal, "WebRTC's audio processing did not start");
    auto * apm = p->apm.get();
    const bool ok = apm->echo_cancellation()->enable_drift_compensation(false) == 0 &&
                    apm->echo_cancellation()->set_suppression_level(webrtc::EchoCancellation::kHighSuppression) == 0 &&
                    apm->echo_cancellation()->Enable(true) == 0 && apm->high_pass_filter()->Enable(true) == 0 &&
                    apm->voice_detection()->set_likelihood(static_cast<webrtc::VoiceDetection::Likelihood>(std::clamp(o.likelihood, 0, 3))) == 0 &&
                    apm->voice_detection()->set_frame_size_ms(frame_ms) == 0 && apm->voice_detection()->Enable(true) == 0;
    if (!ok) return status(status_code::internal, "WebRTC's audio processing refused its settings");
    return std::unique_ptr<voice_activity>(new voice_activity(std::move(p), o));
}

void voice_activity::played(const pcm_audio & audio) {
    auto a = at_speech_rate(audio);
    if (!a) return;
    impl_->reference.insert(impl_->reference.end(), a->samples.begin(), a->samples.end());
    const auto now = std::chrono::steady_clock::now();
    impl_->reference_ends = std::max(impl_->reference_ends, now) +
                            std::chrono::microseconds(static_cast<int64_t>(a->seconds() * 1e6));
}

void voice_activity::forget_played() { impl_->reference.clear(); }

double voice_activity::heard_s() const { return static_cast<double>(impl_->frames) * frame_ms / 1000.0; }

result<std::vector<activity_event>> voice_activity::heard(const pcm_audio & audio) {
    auto a = at_speech_rate(audio);
    if (!a) return a.error();
    impl & s = *impl_;
    // Played while no microphone audio came (a client that sends only while a
    // button is held): it was heard by no microphone, and matching it with
    // what comes now would take the person's voice for its echo.
    if (!s.reference.empty() && std::chrono::steady_clock::now() > s.reference_ends + std::chrono::seconds(1)) s.reference.clear();
    s.pending.insert(s.pending.end(), a->samples.begin(), a->samples.end());
    std::vector<activity_event> events;
    size_t at = 0;
    for (; at + frame_samples <= s.pending.size(); at += frame_samples) {
        // The echo canceller's reference: what was played in this frame's time (silence when nothing was).
        webrtc::AudioFrame far;
        std::vector<int16_t> ref(frame_samples, 0);
        const size_t have = std::min<size_t>(frame_samples, s.reference.size());
        std::copy(s.reference.begin(), s.reference.begin() + static_cast<std::ptrdiff_t>(have), ref.begin());
        s.reference.erase(s.reference.begin(), s.reference.begin() + static_cast<std::ptrdiff_t>(have));
        fill(far, ref.data());
        if (s.apm->ProcessReverseStream(&far) != 0) return status(status_code::internal, "the echo canceller refused the played audio");
        webrtc::AudioFrame near;
        fill(near, s.pending.data() + at);
        s.apm->set_stream_delay_ms(o_.echo_delay_ms);
        if (s.apm->ProcessStream(&near) != 0) return status(status_code::internal, "the audio processing refused the microphone's audio");
        ++s.frames;
        const bool voiced = s.apm->voice_detection()->stream_has_voice();
        const int16_t * out = near.data_;
        // The detector's frames flicker: what counts is the share of voiced
        // frames in the last start_ms (to start) or stop_ms (to stop).
        s.recent.push_back(voiced);
        const size_t window = static_cast<size_t>(std::max(speaking_ ? o_.stop_ms : o_.start_ms, frame_ms) / frame_ms);
        while (s.recent.size() > window) s.recent.pop_front();
        const double share = static_cast<double>(std::count(s.recent.begin(), s.recent.end(), true)) / static_cast<double>(window);
        if (speaking_) {
            s.utterance.insert(s.utterance.end(), out, out + frame_samples);
            if (s.recent.size() == window && share <= stop_share) {
                speaking_ = false;
                s.recent.clear();
                events.push_back({activity_event::kind::speech_stopped, heard_s() - o_.stop_ms / 1000.0});
            }
            continue;
        }
        s.before.insert(s.before.end(), out, out + frame_samples);
        if (s.recent.size() == window && share >= start_share) {
            speaking_ = true;
            s.recent.clear();
            const double started = heard_s() - o_.start_ms / 1000.0;
            events.push_back({activity_event::kind::speech_started, started});
            const size_t keep = std::min(s.before.size(), static_cast<size_t>(o_.prefix_ms + o_.start_ms) * speech_rate_hz / 1000);
            s.utterance.assign(s.before.end() - static_cast<std::ptrdiff_t>(keep), s.before.end());
            s.before.clear();
        } else {
            const size_t most = static_cast<size_t>(o_.prefix_ms + o_.start_ms) * speech_rate_hz / 1000;
            while (s.before.size() > most) s.before.pop_front();
        }
    }
    s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(at));
    return events;
}

pcm_audio voice_activity::utterance_from(size_t from) const {
    const auto & u = impl_->utterance;
    pcm_audio out{speech_rate_hz, {}};
    if (from < u.size()) out.samples.assign(u.begin() + static_cast<std::ptrdiff_t>(from), u.end());
    return out;
}

size_t voice_activity::utterance_samples() const { return impl_->utterance.size(); }

pcm_audio voice_activity::take_utterance() {
    pcm_audio out{speech_rate_hz, std::move(impl_->utterance)};
    impl_->utterance.clear();
    return out;
}

}  // namespace os1::voice
