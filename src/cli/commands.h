// Each subcommand registers itself on the root app; one file per subcommand.
#pragma once

#include "cli/cli_context.h"

namespace os1::cli {

void add_chat_command(CLI::App & root, cli_context & ctx);
void add_config_command(CLI::App & root, cli_context & ctx);
void add_doctor_command(CLI::App & root, cli_context & ctx);
void add_erase_command(CLI::App & root, cli_context & ctx);
// Everything of NAME: memories (vacuumed), KV files, chat history, server account.
// Asks first on a terminal unless YES; refuses without YES otherwise.
int erase_person_everywhere(const options & o, const std::string & name, bool yes);
void add_export_command(CLI::App & root, cli_context & ctx);
void add_memory_command(CLI::App & root, cli_context & ctx);
void add_memory_adapter_command(CLI::App & root, cli_context & ctx);
void add_make_test_model_command(CLI::App & root, cli_context & ctx);
void add_mood_command(CLI::App & root, cli_context & ctx);
void add_models_command(CLI::App & root, cli_context & ctx);
void add_persona_command(CLI::App & root, cli_context & ctx);
void add_initiative_command(CLI::App & root, cli_context & ctx);
void add_pull_command(CLI::App & root, cli_context & ctx);
void add_serve_command(CLI::App & root, cli_context & ctx);
void add_users_command(CLI::App & root, cli_context & ctx);
void add_talk_command(CLI::App & root, cli_context & ctx);

}  // namespace os1::cli
