#include "llm/chat_types.h"

namespace os1::llm {

const char * stop_reason_name(stop_reason r) {
    switch (r) {
        case stop_reason::end_of_turn: return "stop";
        case stop_reason::max_tokens: return "length";
        case stop_reason::context_full: return "context_full";
        case stop_reason::cancelled: return "cancelled";
    }
    return "unknown";
}

}  // namespace os1::llm
