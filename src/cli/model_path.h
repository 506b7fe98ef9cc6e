// Which GGUF file a command uses: --model / model.path, else the default
// catalog model in the models folder.
#pragma once

#include <memory>
#include <string>

#include "base/options.h"
#include "llm/engine.h"
#include "os1/status.h"

namespace os1::cli {

// not_found, with the commands that fix it, when no model is named and the
// default one has not been pulled.
result<std::string> resolve_model_path(const options & opts);

// The engine for a command in the terminal (`os1 chat`, `os1 memory distill`):
// the server's, with one conversation resident at a time and no disk tier.
result<std::unique_ptr<llm::engine>> start_terminal_engine(std::shared_ptr<llm::model> m, const options & opts);

}  // namespace os1::cli
