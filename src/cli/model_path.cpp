#include "cli/model_path.h"

#include "base/files.h"
#include "net/model_catalog.h"

namespace os1::cli {

result<std::string> resolve_model_path(const options & opts) {
    if (!opts.model.path.empty()) return opts.model.path;
    const std::string name = net::default_chat_model().name;
    const std::string path = opts.paths.models_dir + "/" + name + ".gguf";
    if (path_exists(path)) return path;
    return status(status_code::not_found,
                  "no model: the default model is not in " + opts.paths.models_dir + ". Run `os1 pull " + name +
                      "` to download it, or pass --model FILE.gguf (`os1 make-test-model --out FILE` writes a "
                      "test model whose replies are noise)");
}

result<std::unique_ptr<llm::engine>> start_terminal_engine(std::shared_ptr<llm::model> m, const options & opts) {
    llm::engine_options eo;
    eo.parallel = 1;
    eo.ctx_tokens = opts.model.ctx_tokens;
    eo.batch_tokens = opts.model.batch_tokens;
    eo.threads = opts.model.threads;
    eo.max_pending = 4;
    eo.kv_ram_bytes = 256ull << 20;  // the chat's state and the learning requests' take turns
    return llm::engine::start(std::move(m), eo);
}

}  // namespace os1::cli
