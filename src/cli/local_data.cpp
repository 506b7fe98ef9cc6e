#include "cli/local_data.h"

#include <cstdlib>
#include <filesystem>

#include "base/files.h"
#include "cli/cli_context.h"
#include "llm/kv_tier_disk.h"

namespace os1::cli {

namespace fs = std::filesystem;

std::string local_user(const options & o) {
    if (!o.chat.user.empty()) return o.chat.user;
    const char * u = std::getenv("USER");
    return u && *u ? u : "me";
}

result<std::unique_ptr<memory::memory_store>> open_memory(const options & o) {
    if (auto st = make_private_dirs(o.paths.data_dir); !st) return st;
    auto store = memory::memory_store::open(o.paths.data_dir + "/memory.db");
    if (!store) return store.error().with_context("memory");
    return store;
}

result<std::unique_ptr<llm::embedder>> open_embedder(const options & o, memory::memory_store & store, bool replace) {
    if (o.memory.embed_model.empty()) return std::unique_ptr<llm::embedder>();
    model_options mo = o.model;
    auto e = llm::embedder::open(o.memory.embed_model, mo);
    if (!e) return e.error().with_context("--embed-model");
    if (auto st = store.vectors().use_vector_model((*e)->key(), (*e)->dims(), replace); !st) return st.with_context("--embed-model");
    return std::move(*e);
}

size_t remove_kv_files(const options & o, const std::string & person, const std::vector<std::string> & conversations) {
    const std::string folder = llm::kv_person_folder(person);
    std::vector<fs::path> targets;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(o.paths.data_dir + "/kv", ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (!it->is_directory() || it->path().filename() != folder) continue;
        if (conversations.empty()) {
            targets.push_back(it->path());
        } else {
            for (const auto & c : conversations) targets.push_back(it->path() / llm::kv_conversation_file(c));
        }
    }
    size_t removed = 0;
    for (const auto & t : targets) removed += fs::remove_all(t, ec) > 0 && !ec ? 1 : 0;
    return removed;
}

std::string chat_history_path(const options & o, const std::string & person) {
    return o.paths.data_dir + "/history/" + llm::kv_person_folder(person);
}

opened_person open_person(const options & o) {
    opened_person out;
    out.name = local_user(o);
    auto store = open_memory(o);
    if (!store) {
        out.failed = report(store.error());
        return out;
    }
    out.store = std::move(*store);
    auto who = out.store->person(out.name, false);
    if (!who) {
        out.failed = report(who.error().code() == status_code::not_found
                                ? status(status_code::not_found, "no memories of '" + out.name + "' (see --user)")
                                : who.error());
        return out;
    }
    out.who = *who;
    return out;
}

}  // namespace os1::cli
