// A conversation's own earlier tokens, put back into its next prompt.
//
// A reply goes back to the client as text and returns in the next request,
// where tokenizing it may give other ids than the model generated (a random
// or unusual model often picks a split the tokenizer would not). The text is
// the same, so the cells computed for the generated ids still hold; without
// this the engine would compute the whole reply again on every turn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace os1::llm {

// A token's text; none for a control token (end of turn, a template marker),
// which a splice never crosses: text that merely spells one is not one.
using token_text_fn = std::function<std::optional<std::string>(int32_t)>;

// Length of the common prefix of HAVE and PROMPT, after replacing in PROMPT
// each span that spells the same text as the tokens of HAVE at that point
// with those tokens. A span is spliced only where both sides end on a token
// boundary with identical text, and only if PROMPT stays within MAX_PROMPT
// tokens; no splice starts before FROM (a shared prefix, kept as it is).
size_t splice_known_tokens(const std::vector<int32_t> & have, std::vector<int32_t> & prompt, const token_text_fn & text,
                           size_t max_prompt, size_t from = 0);

}  // namespace os1::llm
