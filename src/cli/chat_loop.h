// The conversation of the person at this machine, as `os1 chat` and `os1 talk`
// hold it: the model and its engine (the server's), the person's memory, each
// turn run by companion::turn_runner as the server runs it, and at the end the
// learning (facts, summaries, persona) that the server does in the background.
//
// Threads: one caller thread; the turns run on the engine and the memory
// worker as the server's do.
#pragma once

#include <memory>
#include <string>

#include "base/options.h"
#include "llm/gguf_probe.h"
#include "os1/status.h"

namespace os1::cli {

// Ctrl-C stops the reply being generated, not the program.
void install_sigint();

class terminal_conversation {
public:
    // The model loaded, its engine started and the person's memory opened
    // (unless --no-memory). Errors as those steps give them.
    static result<std::unique_ptr<terminal_conversation>> open(const options & opts);
    ~terminal_conversation();
    terminal_conversation(const terminal_conversation &) = delete;
    terminal_conversation & operator=(const terminal_conversation &) = delete;

    const std::string & model_path() const;
    const llm::gguf_summary & model_info() const;

    // What the OS decided to say first while the person was away, printed.
    void greet();
    // After greet(): the turns may run.
    void start();
    // One turn: TEXT said, the reply streamed to stdout (and into REPLY when
    // given). False on a hard error (reported); a refused message is not one.
    bool turn(const std::string & text, bool interactive, std::string * reply = nullptr);
    // The conversation is over: learn from it (the model may take a while).
    void learn();

private:
    struct impl;
    explicit terminal_conversation(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::cli
