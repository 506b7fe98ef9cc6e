#include "voice/audio_encoder.h"

#include <lame/lame.h>
#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace os1::voice {
namespace {

constexpr int pcm_rate_hz = 24000;  // OpenAI's "pcm": 24 kHz, 16-bit, little-endian, mono

void put_le(std::string & out, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string le_samples(const pcm_audio & a) {
    std::string out;
    out.reserve(a.samples.size() * 2);
    for (const int16_t s : a.samples) put_le(out, static_cast<uint16_t>(s), 2);
    return out;
}

result<pcm_audio> at_rate(const pcm_audio & a, int rate) { return a.rate_hz == rate ? result<pcm_audio>(a) : resample(a, rate); }

// WAV and PCM: samples as they are; WAV's header first, with the lengths
// unknown (0xFFFFFFFF), as a stream cannot know them.
class raw_encoder final : public audio_encoder {
public:
    raw_encoder(int rate, bool wav) : audio_encoder(rate), header_(wav) {}
    result<std::string> write(const pcm_audio & audio) override {
        auto a = at_rate(audio, rate_hz_);
        if (!a) return a.error();
        std::string out = header_ ? header() : std::string();
        header_ = false;
        return out + le_samples(*a);
    }
    result<std::string> finish() override {
        std::string out = header_ ? header() : std::string();
        header_ = false;
        return out;
    }

private:
    std::string header() const {
        std::string h = "RIFF";
        put_le(h, 0xFFFFFFFFu, 4);
        h += "WAVEfmt ";
        put_le(h, 16, 4);
        put_le(h, 1, 2);  // PCM
        put_le(h, 1, 2);  // mono
        put_le(h, static_cast<uint32_t>(rate_hz_), 4);
        put_le(h, static_cast<uint32_t>(rate_hz_) * 2, 4);
        put_le(h, 2, 2);
        put_le(h, 16, 2);
        h += "data";
        put_le(h, 0xFFFFFFFFu, 4);
        return h;
    }
    bool header_;
};

// libsndfile writes into this: bytes below `sent` are gone to the client, so
// what the encoder rewrites there on closing (FLAC's and LAME's totals) is
// dropped; a stream without them is still a valid one.
struct stream_sink {
    std::string data;   // from `sent` on
    sf_count_t sent = 0;
    sf_count_t at = 0;
    sf_count_t end = 0;
};

sf_count_t sink_length(void * u) { return static_cast<stream_sink *>(u)->end; }
sf_count_t sink_seek(sf_count_t offset, int whence, void * u) {
    auto * s = static_cast<stream_sink *>(u);
    const sf_count_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? s->at + offset : s->end + offset;
    if (to < 0) return -1;
    s->at = to;
    return to;
}
sf_count_t sink_read(void *, sf_count_t, void *) { return 0; }
sf_count_t sink_write(const void * p, sf_count_t n, void * u) {
    auto * s = static_cast<stream_sink *>(u);
    const char * bytes = static_cast<const char *>(p);
    sf_count_t from = s->at, count = n;
    if (from < s->sent) {  // already sent: what lies below `sent` is dropped
        const sf_count_t skip = std::min(count, s->sent - from);
        bytes += skip;
        from += skip;
        count -= skip;
    }
    if (count > 0) {
        const size_t off = static_cast<size_t>(from - s->sent);
        if (s->data.size() < off + static_cast<size_t>(count)) s->data.resize(off + static_cast<size_t>(count));
        std::memcpy(s->data.data() + off, bytes, static_cast<size_t>(count));
    }
    s->at += n;
    s->end = std::max(s->end, s->at);
    return n;
}
sf_count_t sink_tell(void * u) { return static_cast<stream_sink *>(u)->at; }

class sndfile_encoder final : public audio_encoder {
public:
    sndfile_encoder(int rate) : audio_encoder(rate) {}
    ~sndfile_encoder() override {
        if (file_) sf_close(file_);
    }
    status open(int format) {
        SF_INFO info{};
        info.samplerate = rate_hz_;
        info.channels = 1;
        info.format = format;
        file_ = sf_open_virtual(&io_, SFM_WRITE, &info, &sink_);
        if (!file_) return status(status_code::internal, std::string("the audio encoder did not start: ") + sf_strerror(nullptr));
        return {};
    }
    result<std::string> write(const pcm_audio & audio) override {
        auto a = at_rate(audio, rate_hz_);
        if (!a) return a.error();
        const auto n = static_cast<sf_count_t>(a->samples.size());
        if (sf_write_short(file_, a->samples.data(), n) != n) {
            return status(status_code::internal, std::string("the audio encoder failed: ") + sf_strerror(file_));
        }
        return take();
    }
    result<std::string> finish() override {
        if (file_) sf_close(file_);
        file_ = nullptr;
        return take();
    }

private:
    // What is written up to the write position (a seek back leaves a gap to fill later).
    std::string take() {
        const size_t ready = static_cast<size_t>(std::max<sf_count_t>(0, std::min(sink_.at, sink_.end) - sink_.sent));
        const size_t n = file_ ? std::min(ready, sink_.data.size()) : sink_.data.size();
        std::string out = sink_.data.substr(0, n);
        sink_.data.erase(0, n);
        sink_.sent += static_cast<sf_count_t>(n);
        return out;
    }
    SF_VIRTUAL_IO io_{sink_length, sink_seek, sink_read, sink_write, sink_tell};
    stream_sink sink_;
    SNDFILE * file_ = nullptr;
};

// MP3 through LAME itself: libsndfile's writes a Xing header whose totals it
// fills in on closing, which a stream has sent long before (decoders then cut
// the audio short); plain constant-bitrate frames have nothing to fill in.
class mp3_encoder final : public audio_encoder {
public:
    explicit mp3_encoder(int rate) : audio_encoder(rate) {}
    ~mp3_encoder() override {
        if (lame_) lame_close(lame_);
    }
    status open() {
        lame_ = lame_init();
        if (!lame_) return status(status_code::internal, "the MP3 encoder did not start");
        lame_set_in_samplerate(lame_, rate_hz_);
        lame_set_num_channels(lame_, 1);
        lame_set_mode(lame_, MONO);
        lame_set_VBR(lame_, vbr_off);
        lame_set_brate(lame_, 64);
        lame_set_bWriteVbrTag(lame_, 0);
        lame_set_quality(lame_, 5);
        if (lame_init_params(lame_) < 0) return status(status_code::internal, "the MP3 encoder refused its settings");
        return {};
    }
    result<std::string> write(const pcm_audio & audio) override {
        auto a = at_rate(audio, rate_hz_);
        if (!a) return a.error();
        std::string out(a->samples.size() * 5 / 4 + 7200, '\0');
        auto * pcm = const_cast<int16_t *>(a->samples.data());  // LAME's API is not const; it only reads
        const int n = lame_encode_buffer(lame_, pcm, pcm, static_cast<int>(a->samples.size()),
                                         reinterpret_cast<unsigned char *>(out.data()), static_cast<int>(out.size()));
        if (n < 0) return status(status_code::internal, "the MP3 encoder failed (" + std::to_string(n) + ")");
        out.resize(static_cast<size_t>(n));
        return out;
    }
    result<std::string> finish() override {
        std::string out(7200, '\0');
        const int n = lame_encode_flush(lame_, reinterpret_cast<unsigned char *>(out.data()), static_cast<int>(out.size()));
        if (n < 0) return status(status_code::internal, "the MP3 encoder failed (" + std::to_string(n) + ")");
        out.resize(static_cast<size_t>(n));
        return out;
    }

private:
    lame_global_flags * lame_ = nullptr;
};

int nearest_of(int rate, std::initializer_list<int> allowed, int fallback) {
    return std::find(allowed.begin(), allowed.end(), rate) != allowed.end() ? rate : fallback;
}

}  // namespace

result<audio_format> parse_audio_format(std::string_view name) {
    static constexpr std::array<audio_format, 5> all = {audio_format::wav, audio_format::pcm, audio_format::opus,
                                                         audio_format::mp3, audio_format::flac};
    for (const auto f : all) {
        if (name == format_name(f)) return f;
    }
    return status(status_code::invalid_argument,
                  "no audio format '" + std::string(name.substr(0, 40)) + "' (there are wav, pcm, opus, mp3 and flac)");
}

const char * format_name(audio_format f) {
    switch (f) {
        case audio_format::wav: return "wav";
        case audio_format::pcm: return "pcm";
        case audio_format::opus: return "opus";
        case audio_format::mp3: return "mp3";
        case audio_format::flac: return "flac";
    }
    return "wav";
}

const char * content_type_of(audio_format f) {
    switch (f) {
        case audio_format::wav: return "audio/wav";
        case audio_format::pcm: return "audio/pcm";
        case audio_format::opus: return "audio/ogg; codecs=opus";
        case audio_format::mp3: return "audio/mpeg";
        case audio_format::flac: return "audio/flac";
    }
    return "application/octet-stream";
}

result<std::unique_ptr<audio_encoder>> audio_encoder::open(audio_format f, int rate_hz) {
    if (rate_hz < 8000 || rate_hz > 192000) return status(status_code::invalid_argument, "no audio at " + std::to_string(rate_hz) + " Hz");
    switch (f) {
        case audio_format::wav: return std::unique_ptr<audio_encoder>(new raw_encoder(rate_hz, true));
        case audio_format::pcm: return std::unique_ptr<audio_encoder>(new raw_encoder(pcm_rate_hz, false));
        default: break;
    }
    int rate = rate_hz, format = 0;
    if (f == audio_format::opus) {
        rate = nearest_of(rate_hz, {8000, 12000, 16000, 24000, 48000}, 48000);
        format = SF_FORMAT_OGG | SF_FORMAT_OPUS;
    } else if (f == audio_format::mp3) {
        auto e = std::make_unique<mp3_encoder>(nearest_of(rate_hz, {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000}, 24000));
        if (auto st = e->open(); !st) return st;
        return std::unique_ptr<audio_encoder>(std::move(e));
    } else {
        rate = std::min(rate_hz, 96000);
        format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    }
    auto e = std::make_unique<sndfile_encoder>(rate);
    if (auto st = e->open(format); !st) return st;
    return std::unique_ptr<audio_encoder>(std::move(e));
}

}  // namespace os1::voice
