#include "voice/audio.h"

#include <samplerate.h>
#include <sndfile.h>
#include <vorbis/vorbisfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace os1::voice {
namespace {

// libsndfile reads and writes through these callbacks: a file in memory.
struct memory_file {
    std::string data;
    sf_count_t at = 0;
};

sf_count_t mf_length(void * user) { return static_cast<sf_count_t>(static_cast<memory_file *>(user)->data.size()); }

sf_count_t mf_seek(sf_count_t offset, int whence, void * user) {
    auto * f = static_cast<memory_file *>(user);
    const sf_count_t size = static_cast<sf_count_t>(f->data.size());
    sf_count_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? f->at + offset : size + offset;
    if (to < 0) return -1;
    f->at = to;
    return to;
}

sf_count_t mf_read(void * ptr, sf_count_t count, void * user) {
    auto * f = static_cast<memory_file *>(user);
    const sf_count_t size = static_cast<sf_count_t>(f->data.size());
    if (f->at >= size || count <= 0) return 0;
    const sf_count_t n = std::min(count, size - f->at);
    std::memcpy(ptr, f->data.data() + f->at, static_cast<size_t>(n));
    f->at += n;
    return n;
}

sf_count_t mf_write(const void * ptr, sf_count_t count, void * user) {
    auto * f = static_cast<memory_file *>(user);
    const size_t at = static_cast<size_t>(f->at);
    if (f->data.size() < at + static_cast<size_t>(count)) f->data.resize(at + static_cast<size_t>(count));
    std::memcpy(f->data.data() + at, ptr, static_cast<size_t>(count));
    f->at += count;
    return count;
}

sf_count_t mf_tell(void * user) { return static_cast<memory_file *>(user)->at; }

SF_VIRTUAL_IO memory_io() { return {mf_length, mf_seek, mf_read, mf_write, mf_tell}; }

struct sndfile_closer {
    void operator()(SNDFILE * f) const { sf_close(f); }
};
using sndfile_ptr = std::unique_ptr<SNDFILE, sndfile_closer>;

// A WAV or AIFF whose data chunk is shorter than its header says: libsndfile
// reads what is there and notes "data : 1600 (should be 778)" in its log.
// A streamed WAV says 0xFFFFFFFF, which is no promise.
bool data_chunk_cut(SNDFILE * f) {
    char log[8192] = {};
    sf_command(f, SFC_GET_LOG_INFO, log, sizeof log);
    const char * at = std::strstr(log, "data : ");
    if (!at) return false;
    long long declared = 0, present = 0;
    // 0xFFFFFFFF is "unknown": a streamed WAV (OpenAI's and OS1's own) cannot know its length.
    return std::sscanf(at, "data : %lld (should be %lld)", &declared, &present) == 2 && present < declared &&
           declared != 0xFFFFFFFFLL;
}

// libsndfile reads 16-bit samples as s / 32768: this is its exact inverse, so a
// 16-bit file's samples come back as they were.
int16_t to_int16(float v) { return static_cast<int16_t>(std::clamp(std::lround(static_cast<double>(v) * 32768.0), -32768L, 32767L)); }

// OGG Vorbis goes through libvorbisfile itself: libsndfile 1.2.0 leaks the
// codec's state on each malformed Vorbis file (found by fuzz-audio under
// ASan), which an upload could repeat at will.
// Any OGG but Opus (which libsndfile reads through libopus) counts as Vorbis
// here, so that no malformed Vorbis reaches libsndfile's Vorbis code.
bool is_ogg_vorbis(std::string_view bytes) {
    return bytes.substr(0, 4) == "OggS" && (bytes.size() < 36 || bytes.substr(28, 8) != "OpusHead");
}

size_t ov_mem_read(void * ptr, size_t size, size_t n, void * user) {
    auto * f = static_cast<memory_file *>(user);
    const sf_count_t got = mf_read(ptr, static_cast<sf_count_t>(size * n), f);
    return size ? static_cast<size_t>(got) / size : 0;
}
int ov_mem_seek(void * user, ogg_int64_t offset, int whence) {
    return mf_seek(offset, whence, user) < 0 ? -1 : 0;
}
long ov_mem_tell(void * user) { return static_cast<long>(mf_tell(user)); }

result<pcm_audio> decode_vorbis(std::string_view bytes, const decode_limits & limits) {
    memory_file file{std::string(bytes), 0};
    OggVorbis_File vf;
    const ov_callbacks io = {ov_mem_read, ov_mem_seek, nullptr, ov_mem_tell};
    if (ov_open_callbacks(&file, &vf, nullptr, 0, io) != 0) return status(status_code::corrupt, "the audio is not a readable OGG Vorbis file");
    std::unique_ptr<OggVorbis_File, int (*)(OggVorbis_File *)> closer(&vf, ov_clear);
    const vorbis_info * info = ov_info(&vf, -1);
    if (!info || info->channels < 1 || info->rate < 1000 || info->rate > 384000) {
        return status(status_code::corrupt, "the OGG Vorbis header is not one of a sound");
    }
    const ogg_int64_t total = ov_pcm_total(&vf, -1);
    if (total > 0 && static_cast<double>(total) > limits.max_seconds * static_cast<double>(info->rate)) {
        return status(status_code::resource_exhausted, "the audio lasts longer than " + std::to_string(static_cast<int>(limits.max_seconds)) + " s");
    }
    pcm_audio out;
    out.rate_hz = static_cast<int>(info->rate);
    const size_t most = static_cast<size_t>(limits.max_seconds * static_cast<double>(info->rate));
    for (;;) {
        float ** pcm = nullptr;
        int section = 0;
        const long n = ov_read_float(&vf, &pcm, 4096, &section);
        if (n == 0) break;
        if (n < 0) return status(status_code::corrupt, "the audio breaks off: the OGG Vorbis stream is damaged");
        const vorbis_info * now = ov_info(&vf, section);
        const int channels = now ? now->channels : info->channels;
        for (long i = 0; i < n; ++i) {
            float sum = 0;
            for (int c = 0; c < channels; ++c) sum += pcm[c][i];
            out.samples.push_back(to_int16(sum / static_cast<float>(channels)));
        }
        if (out.samples.size() > most) return status(status_code::resource_exhausted, "the audio lasts longer than " + std::to_string(static_cast<int>(limits.max_seconds)) + " s");
    }
    if (out.samples.empty()) return status(status_code::invalid_argument, "the audio holds no samples");
    return out;
}

}  // namespace

result<pcm_audio> decode_audio(std::string_view bytes, const decode_limits & limits) {
    if (bytes.empty()) return status(status_code::invalid_argument, "the audio is empty");
    if (is_ogg_vorbis(bytes)) return decode_vorbis(bytes, limits);
    memory_file file{std::string(bytes), 0};
    SF_VIRTUAL_IO io = memory_io();
    SF_INFO info{};
    sndfile_ptr f(sf_open_virtual(&io, SFM_READ, &info, &file));
    if (!f) {
        const std::string why = sf_strerror(nullptr);
        const bool unknown = why.find("unknown format") != std::string::npos || why.find("not recognised") != std::string::npos ||
                             why.find("Format not recognised") != std::string::npos;
        return status(unknown ? status_code::unsupported : status_code::corrupt,
                      unknown ? "the audio is in a format OS1 cannot read (WAV, FLAC or OGG are): " + why
                              : "the audio cannot be read: " + why);
    }
    if (info.channels < 1 || info.samplerate < 1000 || info.samplerate > 384000) {
        return status(status_code::corrupt, "the audio's header says " + std::to_string(info.channels) + " channels at " +
                                                std::to_string(info.samplerate) + " Hz");
    }
    if (data_chunk_cut(f.get())) {
        return status(status_code::corrupt, "the audio breaks off: the file is shorter than its header says");
    }
    const auto too_long = [&] {
        return status(status_code::resource_exhausted, "the audio lasts longer than " +
                                                           std::to_string(static_cast<int>(limits.max_seconds)) + " s");
    };
    // A streamed FLAC does not say its length (SF_COUNT_MAX): it is counted as it is read.
    const double most = limits.max_seconds * info.samplerate;
    if (info.frames != SF_COUNT_MAX && static_cast<double>(info.frames) > most) return too_long();
    pcm_audio out;
    out.rate_hz = info.samplerate;
    std::vector<float> block(static_cast<size_t>(4096) * static_cast<size_t>(info.channels));
    for (;;) {
        const sf_count_t n = sf_readf_float(f.get(), block.data(), 4096);
        if (n <= 0) break;
        if (static_cast<double>(out.samples.size() + static_cast<size_t>(n)) > most) return too_long();
        for (sf_count_t i = 0; i < n; ++i) {
            float sum = 0;
            for (int c = 0; c < info.channels; ++c) sum += block[static_cast<size_t>(i * info.channels + c)];
            out.samples.push_back(to_int16(sum / static_cast<float>(info.channels)));
        }
    }
    if (sf_error(f.get()) != SF_ERR_NO_ERROR) return status(status_code::corrupt, std::string("the audio breaks off: ") + sf_strerror(f.get()));
    if (out.samples.empty()) return status(status_code::invalid_argument, "the audio holds no samples");
    // A header that promises more than the file holds: a cut file, refused rather than shortened.
    if (info.frames > 0 && info.frames != SF_COUNT_MAX && static_cast<sf_count_t>(out.samples.size()) < info.frames) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "the audio breaks off after %.2f s of the %.2f s its header announces",
                      out.seconds(), static_cast<double>(info.frames) / info.samplerate);
        return status(status_code::corrupt, buf);
    }
    return out;
}

result<pcm_audio> resample(const pcm_audio & audio, int rate_hz) {
    if (rate_hz < 8000 || rate_hz > 192000) return status(status_code::invalid_argument, "cannot resample to " + std::to_string(rate_hz) + " Hz");
    if (audio.rate_hz == rate_hz || audio.samples.empty()) return pcm_audio{rate_hz, audio.samples};
    const double ratio = static_cast<double>(rate_hz) / audio.rate_hz;
    std::vector<float> in(audio.samples.size());
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(audio.samples[i]) / 32768.0f;
    std::vector<float> out(static_cast<size_t>(std::ceil(static_cast<double>(in.size()) * ratio)) + 16);
    SRC_DATA d{};
    d.data_in = in.data();
    d.input_frames = static_cast<long>(in.size());
    d.data_out = out.data();
    d.output_frames = static_cast<long>(out.size());
    d.src_ratio = ratio;
    if (const int err = src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1); err != 0) {
        return status(status_code::internal, std::string("resampling failed: ") + src_strerror(err));
    }
    pcm_audio r{rate_hz, {}};
    r.samples.reserve(static_cast<size_t>(d.output_frames_gen));
    for (long i = 0; i < d.output_frames_gen; ++i) r.samples.push_back(to_int16(out[static_cast<size_t>(i)]));
    return r;
}

result<std::string> encode_wav(const pcm_audio & audio) {
    memory_file file;
    SF_VIRTUAL_IO io = memory_io();
    SF_INFO info{};
    info.samplerate = audio.rate_hz;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    sndfile_ptr f(sf_open_virtual(&io, SFM_WRITE, &info, &file));
    if (!f) return status(status_code::internal, std::string("cannot write WAV: ") + sf_strerror(nullptr));
    const auto n = sf_write_short(f.get(), audio.samples.data(), static_cast<sf_count_t>(audio.samples.size()));
    if (n != static_cast<sf_count_t>(audio.samples.size())) return status(status_code::internal, "cannot write WAV samples");
    f.reset();  // the header's sizes are written on closing
    return std::move(file.data);
}

}  // namespace os1::voice
