// Stop strings over streamed text: releases text as soon as it cannot be the
// start of a stop string, and reports when one appears (the stop string and
// what follows it are never released).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace os1::llm {

class stop_matcher {
public:
    explicit stop_matcher(std::vector<std::string> stops);

    // Appends `text`; returns what may be shown now. After a stop string
    // matched, stopped() is true and further input is ignored.
    std::string push(std::string_view text);
    std::string flush();  // what is held back, at the end of generation
    bool stopped() const { return stopped_; }

private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

}  // namespace os1::llm
