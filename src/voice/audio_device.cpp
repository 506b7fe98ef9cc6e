#include "voice/audio_device.h"

#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace os1::voice {
namespace {

constexpr int speaker_rate_hz = 24000;  // what the realtime API sends

// PortAudio probes every host API as it starts and opens (ALSA's plugins,
// JACK's server) and those libraries write their complaints to stderr; the
// person sees the error PortAudio returns instead.
class quiet_stderr {
public:
    quiet_stderr() {
        std::fflush(stderr);
        saved_ = dup(2);
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved_ >= 0 && null >= 0) dup2(null, 2);
        if (null >= 0) close(null);
    }
    ~quiet_stderr() {
        if (saved_ < 0) return;
        dup2(saved_, 2);
        close(saved_);
    }
    quiet_stderr(const quiet_stderr &) = delete;
    quiet_stderr & operator=(const quiet_stderr &) = delete;

private:
    int saved_ = -1;
};

status pa_error(const std::string & what, PaError e) {
    return {status_code::io_error, what + ": " + Pa_GetErrorText(e)};
}

// The device whose name contains NAME (the default when NAME is empty) that has channels that way.
result<PaDeviceIndex> find_device(const std::string & name, bool input) {
    if (name.empty()) {
        const PaDeviceIndex d = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (d == paNoDevice) {
            return status(status_code::not_found, std::string("this machine has no ") + (input ? "microphone" : "speaker") +
                                                      " that PortAudio can open (os1 talk --list-devices)");
        }
        return d;
    }
    for (PaDeviceIndex d = 0; d < Pa_GetDeviceCount(); ++d) {
        const PaDeviceInfo * info = Pa_GetDeviceInfo(d);
        if (!info || (input ? info->maxInputChannels : info->maxOutputChannels) < 1) continue;
        if (std::string(info->name).find(name) != std::string::npos) return d;
    }
    return status(status_code::not_found, std::string("no ") + (input ? "input" : "output") + " device is named '" + name +
                                              "' (os1 talk --list-devices)");
}

// One mono 16-bit channel of DEVICE, at its lowest latency.
PaStreamParameters mono(PaDeviceIndex device, bool input) {
    const PaDeviceInfo * info = Pa_GetDeviceInfo(device);
    PaStreamParameters p{};
    p.device = device;
    p.channelCount = 1;
    p.sampleFormat = paInt16;
    p.suggestedLatency = input ? info->defaultLowInputLatency : info->defaultLowOutputLatency;
    return p;
}

// RATE when DEVICE takes it, else the device's own.
int usable_rate(PaDeviceIndex device, bool input, int rate) {
    const PaStreamParameters p = mono(device, input);
    if (Pa_IsFormatSupported(input ? &p : nullptr, input ? nullptr : &p, rate) == paFormatIsSupported) return rate;
    return static_cast<int>(Pa_GetDeviceInfo(device)->defaultSampleRate);
}

result<PaStream *> open_stream(PaDeviceIndex device, bool input, int rate) {
    const PaStreamParameters p = mono(device, input);
    PaStream * s = nullptr;
    const PaError e = Pa_OpenStream(&s, input ? &p : nullptr, input ? nullptr : &p, rate,
                                    static_cast<unsigned long>(rate / 50), paNoFlag, nullptr, nullptr);
    if (e != paNoError) return pa_error(std::string("opening '") + Pa_GetDeviceInfo(device)->name + "'", e);
    return s;
}

}  // namespace

struct audio_device::impl {
    PaStream * mic = nullptr;
    PaStream * speaker = nullptr;
    int in_rate = 0, out_rate = 0;
    double out_latency_s = 0;

    mutable std::mutex mu;
    std::condition_variable wake;
    std::deque<int16_t> queued;
    int64_t written = 0;      // frames given to the speaker since the last reset
    uint64_t generation = 0;  // bumped by stop_playing(): the playback thread aborts
    bool streaming = false;   // the speaker stream runs (the playback thread's)
    bool writing = false;     // a chunk is being written
    bool quit = false;
    std::thread player;
    std::chrono::steady_clock::time_point began;  // the speaker stream started (the playback thread's)
    int64_t since_start = 0;                      // frames written since

    ~impl() {
        {
            std::lock_guard<std::mutex> lock(mu);
            quit = true;
        }
        wake.notify_all();
        if (player.joinable()) player.join();
        if (mic) {
            Pa_AbortStream(mic);
            Pa_CloseStream(mic);
        }
        if (speaker) Pa_CloseStream(speaker);
        Pa_Terminate();
    }

    void play_loop() {
        const size_t chunk = static_cast<size_t>(out_rate / 50);
        std::vector<int16_t> buf;
        std::unique_lock<std::mutex> lock(mu);
        uint64_t seen = generation;
        for (;;) {
            wake.wait(lock, [&] { return quit || !queued.empty() || (streaming && seen != generation); });
            if (quit) break;
            if (seen != generation) {  // barge-in: what the device still holds goes too
                seen = generation;
                if (streaming) {
                    lock.unlock();
                    Pa_AbortStream(speaker);
                    lock.lock();
                    streaming = false;
                }
                continue;
            }
            const size_t n = std::min(chunk, queued.size());
            buf.assign(queued.begin(), queued.begin() + static_cast<std::ptrdiff_t>(n));
            queued.erase(queued.begin(), queued.begin() + static_cast<std::ptrdiff_t>(n));
            buf.resize(chunk, 0);  // a short end is padded with silence
            const bool start = !streaming;
            streaming = true;
            writing = true;
            lock.unlock();
            if (start) {
                Pa_StartStream(speaker);
                began = std::chrono::steady_clock::now();
                since_start = 0;
            }
            // A device without a clock of its own (a file) is written in time, as a speaker plays.
            const auto due = began + std::chrono::microseconds(since_start * 1000000 / out_rate) - std::chrono::milliseconds(100);
            if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
            since_start += static_cast<int64_t>(chunk);
            Pa_WriteStream(speaker, buf.data(), static_cast<unsigned long>(chunk));  // an underflow only means a gap
            lock.lock();
            writing = false;
            if (seen == generation) written += static_cast<int64_t>(n);
            if (queued.empty() && seen == generation) {  // the reply ended: let the device play it out
                lock.unlock();
                Pa_StopStream(speaker);
                lock.lock();
                streaming = false;
            }
        }
        if (streaming) Pa_AbortStream(speaker);
    }
};

audio_device::audio_device(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
audio_device::~audio_device() = default;

result<std::unique_ptr<audio_device>> audio_device::open(const audio_device_options & opts) {
    quiet_stderr quiet;
    if (const PaError e = Pa_Initialize(); e != paNoError) return pa_error("starting PortAudio", e);
    auto p = std::make_unique<impl>();  // from here its destructor terminates PortAudio
    auto in = find_device(opts.input, true);
    if (!in) return in.error();
    auto out = find_device(opts.output, false);
    if (!out) return out.error();
    p->in_rate = usable_rate(*in, true, opts.input_rate_hz);
    if (p->in_rate < 8000 || p->in_rate > 48000) {
        return status(status_code::unsupported, "the microphone records at " + std::to_string(p->in_rate) +
                                                    " Hz; the realtime API takes 8 to 48 kHz");
    }
    p->out_rate = usable_rate(*out, false, speaker_rate_hz);
    auto mic = open_stream(*in, true, p->in_rate);
    if (!mic) return mic.error();
    p->mic = *mic;
    auto speaker = open_stream(*out, false, p->out_rate);
    if (!speaker) return speaker.error();
    p->speaker = *speaker;
    if (const PaStreamInfo * info = Pa_GetStreamInfo(p->speaker)) p->out_latency_s = info->outputLatency;
    if (const PaError e = Pa_StartStream(p->mic); e != paNoError) return pa_error("starting the microphone", e);
    impl * raw = p.get();
    p->player = std::thread([raw] { raw->play_loop(); });
    return std::unique_ptr<audio_device>(new audio_device(std::move(p)));
}

result<std::vector<std::string>> audio_device::list() {
    quiet_stderr quiet;
    if (const PaError e = Pa_Initialize(); e != paNoError) return pa_error("starting PortAudio", e);
    std::vector<std::string> out;
    const PaDeviceIndex in = Pa_GetDefaultInputDevice(), speaker = Pa_GetDefaultOutputDevice();
    for (PaDeviceIndex d = 0; d < Pa_GetDeviceCount(); ++d) {
        const PaDeviceInfo * info = Pa_GetDeviceInfo(d);
        if (!info) continue;
        std::string line = std::string(info->name) + " (in " + std::to_string(info->maxInputChannels) + ", out " +
                           std::to_string(info->maxOutputChannels) + ", " +
                           std::to_string(static_cast<int>(info->defaultSampleRate)) + " Hz)";
        if (d == in) line += " [default microphone]";
        if (d == speaker) line += " [default speaker]";
        out.push_back(std::move(line));
    }
    Pa_Terminate();
    return out;
}

int audio_device::input_rate_hz() const { return impl_->in_rate; }

result<std::vector<int16_t>> audio_device::read(size_t frames) {
    std::vector<int16_t> out(frames);
    const PaError e = Pa_ReadStream(impl_->mic, out.data(), static_cast<unsigned long>(frames));
    if (e != paNoError && e != paInputOverflowed) return pa_error("reading the microphone", e);
    return out;
}

status audio_device::play(const pcm_audio & audio) {
    auto at_rate = resample(audio, impl_->out_rate);
    if (!at_rate) return at_rate.error();
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->queued.insert(impl_->queued.end(), at_rate->samples.begin(), at_rate->samples.end());
    }
    impl_->wake.notify_all();
    return {};
}

void audio_device::stop_playing() {
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->queued.clear();
        ++impl_->generation;
        impl_->written = 0;
    }
    impl_->wake.notify_all();
}

int64_t audio_device::played_ms() const {
    std::lock_guard<std::mutex> lock(impl_->mu);
    // While the stream runs, about its latency of what was written is still in the device.
    const auto held = impl_->streaming ? static_cast<int64_t>(impl_->out_latency_s * impl_->out_rate) : 0;
    return std::max<int64_t>(0, impl_->written - held) * 1000 / impl_->out_rate;
}

void audio_device::reset_played() {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->written = 0;
}

bool audio_device::playing() const {
    std::lock_guard<std::mutex> lock(impl_->mu);
    return !impl_->queued.empty() || impl_->writing || impl_->streaming;
}

}  // namespace os1::voice
