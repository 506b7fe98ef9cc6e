// os1::status and os1::result<T>: expected failures as values (ARCHITECTURE.md, 6).
//
// A status is either ok or carries a code and a message a person can act on
// ("model file 'x.gguf' is truncated: 1.2 MB of 3.4 MB"). Codes are few and named
// for what the caller does next, not for where the failure happened.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace os1 {

enum class status_code {
    ok = 0,
    invalid_argument,    // the caller's input is wrong (flag, config, request)
    not_found,           // a named file, model, person or conversation does not exist
    corrupt,             // data exists but is malformed or truncated
    unsupported,         // well-formed but not something OS1 can handle
    resource_exhausted,  // memory, disk, queue or rate limit
    io_error,            // the OS refused a read or write
    network_error,       // a remote peer failed or could not be reached
    cancelled,           // stopped on request (Ctrl-C, client gone)
    permission_denied,   // the caller may not (a person erased or removed while the request waited)
    internal,            // a bug: an invariant did not hold
};

const char * status_code_name(status_code code);

class status {
public:
    status() = default;  // ok
    status(status_code code, std::string message) : code_(code), message_(std::move(message)) {}

    static status ok() { return {}; }

    bool is_ok() const { return code_ == status_code::ok; }
    explicit operator bool() const { return is_ok(); }
    status_code code() const { return code_; }
    const std::string & message() const { return message_; }

    // Prefix the message with context: "loading model: " + message.
    status with_context(const std::string & context) const {
        return is_ok() ? *this : status(code_, context + ": " + message_);
    }

private:
    status_code code_ = status_code::ok;
    std::string message_;
};

// Shorthands: os1::error(status_code::not_found, "...").
inline status error(status_code code, std::string message) { return {code, std::move(message)}; }

// A value or the status explaining why there is none. Never holds an ok status.
template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    result(status st) : v_(std::move(st)) {    // NOLINT: implicit by design
        assert(!std::get<status>(v_).is_ok());
    }

    bool is_ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return is_ok(); }

    T & value() & { return std::get<T>(v_); }
    const T & value() const & { return std::get<T>(v_); }
    T && value() && { return std::get<T>(std::move(v_)); }
    T & operator*() & { return value(); }
    const T & operator*() const & { return value(); }
    T * operator->() { return &value(); }
    const T * operator->() const { return &value(); }

    // The failure; ok() when a value is held.
    status error() const { return is_ok() ? status::ok() : std::get<status>(v_); }

private:
    std::variant<T, status> v_;
};

}  // namespace os1
