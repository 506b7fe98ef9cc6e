// The voice settings (options.h's voice_options) as the voice module takes
// them, the remote servers' key read from its environment variable.
#pragma once

#include "base/options.h"
#include "voice/voice_set.h"

namespace os1::cli {

voice::voice_settings voice_settings_of(const voice_options & v);

}  // namespace os1::cli
