// os1 make-test-model: a random-weight GGUF with a real tokenizer and shape.
#include <unistd.h>

#include <cstdio>

#include "base/units.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "llm/test_model.h"

namespace os1::cli {
namespace {

struct make_test_model_args {
    std::string out;
    std::string shape = "tiny";
    uint64_t seed = 1;
};

int run_make_test_model(const make_test_model_args & a) {
    auto shape = llm::find_test_model_shape(a.shape);
    if (!shape) return report(shape.error());
    progress_bar bar("writing " + a.out);
    const status st = llm::make_test_model(a.out, *shape, a.seed, [&](double f) { bar.update_fraction(f); });
    bar.finish();
    if (!st) return report(st);
    std::FILE * f = std::fopen(a.out.c_str(), "rb");
    long size = 0;
    if (f) {
        std::fseek(f, 0, SEEK_END);
        size = std::ftell(f);
        std::fclose(f);
    }
    std::printf("%s: %s test model, seed %llu, %s (random weights: its replies are noise)\n", a.out.c_str(),
                a.shape.c_str(), static_cast<unsigned long long>(a.seed), format_bytes(static_cast<uint64_t>(size)).c_str());
    return exit_ok;
}

}  // namespace

void add_make_test_model_command(CLI::App & root, cli_context & ctx) {
    auto args = std::make_shared<make_test_model_args>();
    auto * cmd = root.add_subcommand("make-test-model",
                                     "write a GGUF with random weights, the Qwen2 tokenizer and a real shape");
    cmd->add_option("--out", args->out, "the GGUF file to write")->required();
    cmd->add_option("--shape", args->shape, "tiny (~9 MB, tests) or bench (Qwen2.5-0.5B shape, ~530 MB)")
        ->check(CLI::IsMember({"tiny", "bench"}))
        ->capture_default_str();
    cmd->add_option("--seed", args->seed, "random seed: the same seed gives the same bytes")->capture_default_str();
    cmd->callback([&ctx, args] { ctx.run = [args](const options &) { return run_make_test_model(*args); }; });
}

}  // namespace os1::cli
