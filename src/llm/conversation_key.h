// Who a conversation belongs to. Every KV state is stored and looked up by this
// key and nothing else: one person's state can never be matched to another's.
#pragma once

#include <string>

namespace os1::llm {

struct conversation_key {
    std::string person;        // the authenticated person ("local" without auth)
    std::string conversation;  // chosen by the client, scoped under the person

    bool operator==(const conversation_key &) const = default;
    // A background job's (a distillation, a feeling's reading: ids that begin
    // with byte 1, which no client can send), not a conversation: its state is
    // kept while the job runs, never written to disk, and not counted.
    bool scratch() const { return !conversation.empty() && conversation[0] == '\x01'; }
    // One string, for maps: the two parts joined by a byte neither may contain.
    std::string id() const { return person + '\x1f' + conversation; }
};

}  // namespace os1::llm
