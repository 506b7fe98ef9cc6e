// os1 chat: a conversation in the terminal, or one message per line when
// stdin is not a terminal (each reply, then an empty line, on stdout).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/files.h"
#include "cli/chat_loop.h"
#include "cli/commands.h"
#include "cli/line_editor.h"
#include "cli/local_data.h"

namespace os1::cli {
namespace {

int run_chat(const options & opts) {
    auto opened = terminal_conversation::open(opts);
    if (!opened) return report(opened.error());
    terminal_conversation & loop = **opened;
    install_sigint();
    const bool interactive = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    if (!interactive) {
        loop.greet();
        loop.start();
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            if (!loop.turn(line, false)) return exit_failure;
        }
        loop.learn();
        return exit_ok;
    }

    const auto & info = loop.model_info();
    std::fprintf(stderr, "os1 chat with %s (%s%s). Ctrl-C stops a reply, Ctrl-D quits.\n", loop.model_path().c_str(),
                 info.name.empty() ? info.architecture.c_str() : info.name.c_str(),
                 info.name.find("random weights") != std::string::npos ? ": replies are noise" : "");
    loop.greet();
    loop.start();
    std::string history;
    if (make_private_dirs(opts.paths.data_dir + "/history")) history = chat_history_path(opts, local_user(opts));
    line_editor editor("os1", history);
    std::string line;
    for (;;) {
        const auto got = editor.read("you> ", line);
        if (got == line_editor::outcome::end_of_input) break;
        if (got == line_editor::outcome::interrupted || line.empty()) continue;
        if (!loop.turn(line, true)) return exit_failure;
    }
    std::fputc('\n', stdout);
    loop.learn();
    return exit_ok;
}

}  // namespace

void add_chat_command(CLI::App & root, cli_context & ctx) {
    auto * cmd = root.add_subcommand("chat", "talk with the model in the terminal (or one message per line from a pipe)");
    for (const char * flag : {"--model", "--system", "--seed", "--temp", "--top-p", "--max-tokens", "--ctx", "--threads", "--batch",
                             "--user", "--no-memory", "--recall-items", "--recall-words", "--recall-words-later", "--recall-floor", "--distill-every", "--embed-model",
                             "--plain", "--character", "--no-onboarding", "--default-name", "--feelings", "--evolve-every",
                             "--no-initiative"}) {
        ctx.add_setting(cmd, flag);
    }
    cmd->callback([&ctx] { ctx.run = run_chat; });
}

}  // namespace os1::cli
