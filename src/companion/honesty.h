// The honest answer to "how many people are you talking to?": the true live
// figures, counted by the server and the engine, go into the prompt beside a
// message that asks; the model is never left to invent them.
#pragma once

#include <cstdint>
#include <string>

namespace os1::companion {

// Whether MESSAGE asks about the others the OS talks with (how many, whether
// it talks with anyone else, whether it is only theirs). English phrases; a
// false positive only costs a line in the prompt.
bool asks_about_others(const std::string & message);

// The line put in front of such a message: PEOPLE talking with the OS now
// (this person among them) and CONVERSATIONS whose state it holds.
std::string live_figures_note(uint64_t people, uint64_t conversations);

}  // namespace os1::companion
