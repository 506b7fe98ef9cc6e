#include "os1/status.h"

namespace os1 {

const char * status_code_name(status_code code) {
    switch (code) {
        case status_code::ok: return "ok";
        case status_code::invalid_argument: return "invalid_argument";
        case status_code::not_found: return "not_found";
        case status_code::corrupt: return "corrupt";
        case status_code::unsupported: return "unsupported";
        case status_code::resource_exhausted: return "resource_exhausted";
        case status_code::io_error: return "io_error";
        case status_code::network_error: return "network_error";
        case status_code::cancelled: return "cancelled";
        case status_code::permission_denied: return "permission_denied";
        case status_code::internal: return "internal";
    }
    return "unknown";
}

}  // namespace os1
