#include "llm/kv_state.h"

#include <cstring>

namespace os1::llm {
namespace {

constexpr char magic[8] = {'O', 'S', '1', 'K', 'V', 0, 0, 1};
constexpr char trailer[4] = {'E', 'N', 'D', '!'};
constexpr uint32_t format_version = 1;
constexpr uint32_t max_string_bytes = 1 << 16;

void put_raw(std::string & out, const void * p, size_t n) { out.append(static_cast<const char *>(p), n); }
template <class T>
void put(std::string & out, T v) { put_raw(out, &v, sizeof v); }
void put_string(std::string & out, const std::string & s) {
    put<uint32_t>(out, static_cast<uint32_t>(s.size()));
    out += s;
}

class reader {
public:
    reader(const uint8_t * d, size_t n) : d_(d), n_(n) {}
    bool raw(void * p, size_t n) {
        if (n > left()) return false;
        std::memcpy(p, d_ + pos_, n);
        pos_ += n;
        return true;
    }
    template <class T>
    bool get(T & v) { return raw(&v, sizeof v); }
    bool string(std::string & s) {
        uint32_t n = 0;
        if (!get(n) || n > max_string_bytes || n > left()) return false;
        s.assign(reinterpret_cast<const char *>(d_ + pos_), n);
        pos_ += n;
        return true;
    }
    bool skip(size_t n) {
        if (n > left()) return false;
        pos_ += n;
        return true;
    }
    size_t pos() const { return pos_; }
    size_t left() const { return n_ - pos_; }

private:
    const uint8_t * d_;
    size_t n_;
    size_t pos_ = 0;
};

uint32_t u32_at(const std::vector<uint8_t> & b, size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

}  // namespace

// [magic][sequence id] come before the streams; the id read back is ignored.
constexpr uint32_t llama_seq_magic = 0xaf143cd8;
constexpr size_t header = 8;

// In place: the cells are moved down over the empty streams before them and the
// capacity is kept, so that widen_to_streams() needs no new allocation.
bool to_one_stream(std::vector<uint8_t> & state) {
    if (state.size() < header + 4 || u32_at(state, 0) != llama_seq_magic) return false;
    const uint32_t n_stream = u32_at(state, header);
    if (n_stream == 0 || n_stream > 4096 || state.size() < header + 4ull + 4ull * n_stream) return false;
    const uint32_t one = 1;
    size_t at = header + 4;
    for (uint32_t s = 0; s < n_stream; ++s) {
        if (u32_at(state, at) == 0) {
            at += 4;
            continue;
        }
        // The stream with cells runs to the end, less the empty streams after it.
        const size_t tail = 4ull * (n_stream - s - 1);
        if (state.size() - at < 4 + tail) return false;
        for (size_t i = state.size() - tail; i < state.size(); ++i) {
            if (state[i] != 0) return false;  // a second stream with cells: not one sequence's state
        }
        const size_t len = state.size() - tail - at;
        std::memcpy(state.data() + header, &one, 4);
        std::memmove(state.data() + header + 4, state.data() + at, len);
        state.resize(header + 4 + len);
        return true;
    }
    if (at != state.size()) return false;
    std::memcpy(state.data() + header, &one, 4);  // no cells at all
    state.resize(header + 8);
    std::memset(state.data() + header + 4, 0, 4);
    return true;
}

void widen_to_streams(std::vector<uint8_t> & one_stream, uint32_t n_stream) {
    std::memcpy(one_stream.data() + header, &n_stream, 4);
    one_stream.resize(one_stream.size() + 4ull * (n_stream - 1), 0);
}

void narrow_to_one_stream(std::vector<uint8_t> & state, uint32_t n_stream) {
    const uint32_t one = 1;
    std::memcpy(state.data() + header, &one, 4);
    state.resize(state.size() - 4ull * (n_stream - 1));
}

std::string encode_kv_state(const kv_saved_state & s) {
    std::string out;
    out.reserve(s.size_bytes());
    put_raw(out, magic, sizeof magic);
    put<uint32_t>(out, format_version);
    put_string(out, s.key.person);
    put_string(out, s.key.conversation);
    put_string(out, s.prefix_id);
    put<int32_t>(out, s.prefix_len);
    put<uint32_t>(out, static_cast<uint32_t>(s.tokens.size()));
    put_raw(out, s.tokens.data(), s.tokens.size() * sizeof(int32_t));
    put<uint64_t>(out, s.bytes.size());
    put_raw(out, s.bytes.data(), s.bytes.size());
    put_raw(out, trailer, sizeof trailer);
    return out;
}

result<kv_saved_state> decode_kv_state(std::vector<uint8_t> && data) {
    reader r(data.data(), data.size());
    char m[8];
    uint32_t version = 0;
    kv_saved_state s;
    uint32_t n_tokens = 0;
    uint64_t n_bytes = 0;
    const auto bad = [](const char * why) { return status(status_code::corrupt, std::string("KV state file: ") + why); };
    if (!r.raw(m, sizeof m) || std::memcmp(m, magic, sizeof m) != 0) return bad("not a KV state");
    if (!r.get(version) || version != format_version) return bad("unknown version");
    if (!r.string(s.key.person) || !r.string(s.key.conversation) || !r.string(s.prefix_id)) return bad("bad header");
    if (!r.get(s.prefix_len) || !r.get(n_tokens)) return bad("bad header");
    if (static_cast<uint64_t>(n_tokens) * sizeof(int32_t) > r.left()) return bad("short token list");
    s.tokens.resize(n_tokens);
    if (!r.raw(s.tokens.data(), n_tokens * sizeof(int32_t))) return bad("short token list");
    if (s.prefix_len < 0 || static_cast<uint32_t>(s.prefix_len) > n_tokens) return bad("bad prefix length");
    if (!r.get(n_bytes) || n_bytes > r.left()) return bad("short state");
    const size_t at = r.pos();
    if (!r.skip(n_bytes)) return bad("short state");
    char t[4];
    if (!r.raw(t, sizeof t) || std::memcmp(t, trailer, sizeof t) != 0 || r.left() != 0) return bad("bad trailer");
    // The state is most of the file: moved down in place rather than copied.
    std::memmove(data.data(), data.data() + at, n_bytes);
    data.resize(n_bytes);
    s.bytes = std::move(data);
    return s;
}

result<kv_saved_state> decode_kv_state(const std::string & data) {
    std::vector<uint8_t> bytes;
    bytes.reserve(data.size() + stream_slack);
    bytes.assign(data.begin(), data.end());
    return decode_kv_state(std::move(bytes));
}

}  // namespace os1::llm
