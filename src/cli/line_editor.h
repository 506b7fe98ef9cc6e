// Terminal line input with editing and a persistent history (libedit).
// Only for a terminal: scripted input is read with std::getline instead.
#pragma once

#include <memory>
#include <string>

namespace os1::cli {

class line_editor {
public:
    enum class outcome { line, interrupted, end_of_input };

    // History is loaded from `history_path` (if it exists) and appended to on
    // every line entered; an empty path keeps history in memory only.
    line_editor(const char * program, std::string history_path);
    ~line_editor();
    line_editor(const line_editor &) = delete;
    line_editor & operator=(const line_editor &) = delete;

    // Shows `prompt` and reads a line (without its newline). Ctrl-C while
    // editing gives `interrupted` (the line is dropped), Ctrl-D `end_of_input`.
    // SIGINT must be handled without SA_RESTART for Ctrl-C to interrupt.
    outcome read(const std::string & prompt, std::string & line);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace os1::cli
