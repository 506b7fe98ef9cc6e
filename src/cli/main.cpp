// os1: one program, one subcommand per task. Parsing, settings and errors are
// handled here once; each subcommand's work lives in its own cmd_*.cpp.
#include <cstdio>
#include <exception>

#include <sys/stat.h>

#include "base/huge_pages.h"
#include "base/log.h"
#include "cli/commands.h"
#include "llm/backend.h"
#include "os1/version.h"

namespace {

std::string version_text() {
    return std::string("os1 ") + os1::version() + "\nllama.cpp " + os1::llama_release() + "\nbuild: " +
           os1::build_description() + "\nbackend: " + os1::llm::backend_system_info();
}

int run(int argc, char ** argv) {
    using namespace os1::cli;
    cli_context ctx;
    CLI::App app{"OS1: a self-hosted companion that listens, talks and remembers.", "os1"};
    app.set_help_all_flag("--help-all", "help for every subcommand");
    app.set_version_flag("--version", [] { return version_text(); }, "print the version, llama.cpp release and build");
    app.require_subcommand(1);
    app.add_option("--config", ctx.config_path, "config file (default ~/.config/os1/os1.toml)")
        ->envname("OS1_CONFIG");
    for (const char * flag : {"--data", "--models", "--log-json", "--verbose"}) ctx.add_setting(&app, flag);

    add_chat_command(app, ctx);
    add_talk_command(app, ctx);
    add_serve_command(app, ctx);
    add_users_command(app, ctx);
    add_memory_command(app, ctx);
    add_persona_command(app, ctx);
    add_initiative_command(app, ctx);
    add_mood_command(app, ctx);
    add_export_command(app, ctx);
    add_erase_command(app, ctx);
    add_memory_adapter_command(app, ctx);
    add_make_test_model_command(app, ctx);
    add_pull_command(app, ctx);
    add_models_command(app, ctx);
    add_doctor_command(app, ctx);
    add_config_command(app, ctx);
    for (auto * sub : app.get_subcommands({})) sub->fallthrough();

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &) {
        std::fputs(app.help().c_str(), stdout);  // the chosen subcommand's help, if any
        return exit_ok;
    } catch (const CLI::CallForAllHelp &) {
        std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
        return exit_ok;
    } catch (const CLI::CallForVersion &) {
        std::printf("%s\n", version_text().c_str());
        return exit_ok;
    } catch (const CLI::RequiredError & e) {
        // CLI11 reports "A subcommand is required" for a misspelled one: name it.
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--config" || arg == "--data" || arg == "--models") {
                ++i;
            } else if (!arg.empty() && arg[0] != '-') {
                std::fprintf(stderr, "os1: error: unknown subcommand '%s' (see os1 --help)\n", arg.c_str());
                return exit_bad_input;
            }
        }
        std::fprintf(stderr, "os1: error: %s (see os1 --help)\n", e.what());
        return exit_bad_input;
    } catch (const CLI::ParseError & e) {
        std::fprintf(stderr, "os1: error: %s (see os1 --help)\n", e.what());
        return exit_bad_input;
    }

    auto opts = ctx.resolve();
    if (!opts) return report(opts.error());
    os1::init_logging(opts->log);
    return ctx.run ? ctx.run(*opts) : exit_bad_input;
}

}  // namespace

int main(int argc, char ** argv) {
    // What OS1 writes (memories, KV states, tokens, exports) is people's private
    // data: nothing it creates is readable by other accounts.
    ::umask(077);
    os1::restart_with_huge_pages(argv);  // returns when it does not apply
    try {
        return run(argc, argv);
    } catch (const std::exception & e) {
        std::fprintf(stderr, "os1: internal error: %s\n", e.what());
        return os1::cli::exit_failure;
    }
}
