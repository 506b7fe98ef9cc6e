// os1 erase --user NAME: nothing of that person remains in the data folder:
// their memories (deleted, then the index merged, the WAL truncated and the
// file vacuumed, so no deleted byte survives), their KV state files, their
// chat history and their entry among the server's people. A running server
// notices the account's end within a second and erases there too (its KV
// states, anything written meanwhile); `os1 users remove` is the same step.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/local_data.h"
#include "server/users.h"

namespace os1::cli {

int erase_person_everywhere(const options & o, const std::string & name, bool yes) {
    if (!yes) {
        if (!::isatty(STDIN_FILENO)) {
            return report(status(status_code::invalid_argument, "erasing cannot be undone: add --yes to erase " + name));
        }
        std::fprintf(stderr, "This erases everything of '%s' and cannot be undone. Type the name to go on: ", name.c_str());
        std::string typed;
        if (!std::getline(std::cin, typed) || typed != name) {
            std::fprintf(stderr, "nothing erased\n");
            return exit_failure;
        }
    }
    // The account ends first: its token stops, and a running server, seeing that,
    // refuses what is in flight and erases whatever it wrote meanwhile.
    server::users_store users(o.paths.data_dir + "/users.json");
    const bool account = static_cast<bool>(users.remove(name));
    auto store = open_memory(o);
    if (!store) return report(store.error());
    size_t turns = 0;
    if (auto who = (*store)->person(name, false)) {
        if (auto n = (*store)->turns().count_turns(*who)) turns = static_cast<size_t>(*n);
        if (auto st = (*store)->erase_person(*who); !st) return report(st);
    } else if (who.error().code() != status_code::not_found) {
        return report(who.error());
    }
    std::fprintf(stderr, "compacting the memory database...\n");
    if (auto st = (*store)->compact(); !st) return report(st);
    const size_t states = remove_kv_files(o, name, {});
    std::error_code ec;
    const bool history = std::filesystem::remove(chat_history_path(o, name), ec);
    std::printf("erased %s: %zu memories, %zu conversation state folder(s), %s, %s\n", name.c_str(), turns, states,
                history ? "chat history" : "no chat history", account ? "their server account" : "no server account");
    return exit_ok;
}

void add_erase_command(CLI::App & root, cli_context & ctx) {
    auto yes = std::make_shared<bool>(false);
    auto * cmd = root.add_subcommand(
        "erase", "erase everything of a person (memories, saved states, history, account); a running os1 serve "
                 "ends their requests and streams within a second");
    ctx.add_setting(cmd, "--user");
    cmd->add_flag("--yes", *yes, "do not ask (needed when stdin is not a terminal)");
    cmd->callback([&ctx, yes] {
        ctx.run = [yes](const options & o) { return erase_person_everywhere(o, local_user(o), *yes); };
    });
}

}  // namespace os1::cli
