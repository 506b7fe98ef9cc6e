// Which GGUF file a command uses: --model / model.path, else the default
// catalog model in the models folder.
#pragma once

#include <string>

#include "base/options.h"
#include "os1/status.h"

namespace os1::cli {

// not_found, with the commands that fix it, when no model is named and the
// default one has not been pulled.
result<std::string> resolve_model_path(const options & opts);

}  // namespace os1::cli
