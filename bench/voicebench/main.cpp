// Issue 18's offline voice figures on this machine: the real-time factor of
// text to speech (flite) and of speech to text (pocketsphinx), and the word
// error rate of the round trip (flite speaks known sentences, a faint noise
// floor is added, pocketsphinx hears them). Prints a markdown table.
//
//   os1-voicebench [--voice slt] [--noise-dbfs -50] [--runs 1] [--corpus tests/data/voice/round-trip.txt]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "voice/stt_pocketsphinx.h"
#include "voice/tts_flite.h"
#include "voice/word_errors.h"

namespace {

using namespace os1::voice;


// One sentence per line.
std::vector<std::string> lines_of(const std::string & path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char ** argv) {
    CLI::App app{"issue 18's offline voice figures: real-time factors and the round trip's word error rate"};
    std::string voice = "slt";
    double noise_dbfs = -50;
    int runs = 1;
    std::string corpus_path = "tests/data/voice/round-trip.txt";
    app.add_option("--voice", voice, "flite's voice")->capture_default_str();
    app.add_option("--noise-dbfs", noise_dbfs, "the noise floor added, in dB below full scale (RMS)")->capture_default_str();
    app.add_option("--runs", runs, "times through the corpus")->capture_default_str();
    app.add_option("--corpus", corpus_path, "sentences, one per line, as a recognizer writes them (lower case, no marks)")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    const auto corpus = lines_of(corpus_path);
    if (corpus.empty()) return std::fprintf(stderr, "no sentences in %s\n", corpus_path.c_str()), 1;
    auto tts = tts_flite::open(voice);
    if (!tts) return std::fprintf(stderr, "%s\n", tts.error().message().c_str()), 1;
    const auto load = std::chrono::steady_clock::now();
    auto stt = stt_pocketsphinx::open();
    if (!stt) return std::fprintf(stderr, "%s\n", stt.error().message().c_str()), 1;
    const double load_s = seconds_since(load);

    std::mt19937 rng(42);
    const double noise_rms = 32768.0 * std::pow(10.0, noise_dbfs / 20.0);
    std::normal_distribution<double> noise(0.0, noise_rms);
    double tts_s = 0, stt_s = 0, audio_s = 0;
    size_t errors = 0, ref_words = 0;
    std::printf("| said | heard | errors |\n|---|---|---|\n");
    for (int run = 0; run < runs; ++run) {
        for (const auto & said : corpus) {
            auto t0 = std::chrono::steady_clock::now();
            auto audio = (*tts)->synthesize(said);
            tts_s += seconds_since(t0);
            if (!audio) return std::fprintf(stderr, "%s\n", audio.error().message().c_str()), 1;
            audio_s += audio->seconds();
            for (auto & s : audio->samples) s = static_cast<int16_t>(std::clamp(s + noise(rng), -32768.0, 32767.0));
            t0 = std::chrono::steady_clock::now();
            auto heard = (*stt)->transcribe(*audio);
            stt_s += seconds_since(t0);
            if (!heard) return std::fprintf(stderr, "%s\n", heard.error().message().c_str()), 1;
            const auto ref = words_of(said);
            const size_t e = word_edits(ref, words_of(heard->text));
            errors += e;
            ref_words += ref.size();
            if (run == 0) std::printf("| %s | %s | %zu |\n", said.c_str(), heard->text.c_str(), e);
        }
    }
    std::printf("\n| figure | value |\n|---|---|\n");
    std::printf("| sentences | %zu (x%d) |\n", corpus.size(), runs);
    std::printf("| audio | %.1f s |\n", audio_s);
    std::printf("| noise floor | %.0f dBFS RMS |\n", noise_dbfs);
    std::printf("| flite (%s) real-time factor | %.4f (%.1f ms per second of speech) |\n", voice.c_str(), tts_s / audio_s,
                1000.0 * tts_s / audio_s);
    std::printf("| pocketsphinx real-time factor | %.4f (%.1f ms per second of speech) |\n", stt_s / audio_s, 1000.0 * stt_s / audio_s);
    std::printf("| pocketsphinx load | %.2f s |\n", load_s);
    std::printf("| word error rate | %.1f%% (%zu errors in %zu words) |\n", 100.0 * static_cast<double>(errors) / ref_words, errors,
                ref_words);
    return 0;
}
