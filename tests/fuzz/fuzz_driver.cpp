// A short, deterministic fuzz run for builds without libFuzzer (g++, CI):
// every seed in a corpus folder, then N mutations of them (byte flips,
// JSON tokens inserted, cuts, splices, deep bracket runs), each given to
// LLVMFuzzerTestOneInput. `fuzz-requests CORPUS_DIR [N] [SEED]`; exit 0 when
// every input was answered. The long run uses the libFuzzer build (scripts/fuzz).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size);

namespace {

const char * const tokens[] = {"[", "]", "{", "}", "\"", ",", ":", "null", "true", "1e999", "-1",
                               "18446744073709551615", "9223372036854775808", "\\u0000", "\\ud800", "%", "%FF", "&", "=",
                               "\"type\":1", "\"content\":", "\"messages\":[", "{\"role\":\"user\",\"content\":\"x\"}"};

std::string mutate(std::string s, const std::vector<std::string> & seeds, std::mt19937_64 & rng) {
    const auto pick = [&](size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; };
    const int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits; ++e) {
        const size_t at = pick(s.size() + 1);
        switch (pick(6)) {
            case 0:
                if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
                break;
            case 1: s.insert(at, tokens[pick(std::size(tokens))]); break;
            case 2: s.erase(at, pick(16)); break;
            case 3: {
                const std::string & o = seeds[pick(seeds.size())];
                const size_t from = pick(o.size());
                s.insert(at, o.substr(from, pick(o.size() - from + 1)));
                break;
            }
            case 4: s.insert(at, std::string(1 + pick(4000), pick(2) ? '[' : '{')); break;
            default: s.resize(at); break;
        }
    }
    if (s.size() > (1u << 20)) s.resize(1u << 20);
    return s;
}

}  // namespace

int main(int argc, char ** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS] [SEED]\n", argv[0]);
        return 2;
    }
    const long n = argc > 2 ? std::stol(argv[2]) : 20000;
    std::mt19937_64 rng(argc > 3 ? std::stoull(argv[3]) : 1);
    std::vector<std::string> seeds;
    for (const auto & f : std::filesystem::directory_iterator(argv[1])) {
        std::ifstream in(f.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        seeds.push_back(ss.str());
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "fuzz: no seeds in %s\n", argv[1]);
        return 2;
    }
    for (const auto & s : seeds) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(s.data()), s.size());
    for (long i = 0; i < n; ++i) {
        const std::string s = mutate(seeds[static_cast<size_t>(rng() % seeds.size())], seeds, rng);
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(s.data()), s.size());
    }
    std::printf("fuzz: %zu seeds and %ld mutations, every one answered\n", seeds.size(), n);
    return 0;
}
