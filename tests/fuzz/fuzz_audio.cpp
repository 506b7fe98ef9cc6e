// libFuzzer target over the audio decoder (src/voice/audio): any bytes a
// person uploads or a file holds are decoded, or refused with an error; what
// decodes is resampled to the recognizer's rate. A crash, a hang, an uncaught
// exception or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "voice/audio.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    const std::string_view in(reinterpret_cast<const char *>(data), size);
    auto a = os1::voice::decode_audio(in, {30.0});
    if (!a) {
        if (a.error().message().empty()) std::abort();  // every refusal names its problem
        return 0;
    }
    if (a->samples.empty() || a->rate_hz < 1000) std::abort();  // decoded means something to hear
    auto r = os1::voice::resample(*a, os1::voice::speech_rate_hz);
    if (r && r->rate_hz != os1::voice::speech_rate_hz) std::abort();
    return 0;
}
