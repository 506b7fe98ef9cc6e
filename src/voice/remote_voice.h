// What the clients of a remote OpenAI-compatible audio server share: where it
// is, how to sign in, and how its refusals read (stt_remote, tts_remote).
#pragma once

#include <string>
#include <string_view>

#include "os1/status.h"

namespace os1::voice {

struct remote_options {
    std::string url;      // the API's base: "http://host:port/v1" (the routes go after it)
    std::string model;    // sent as `model` ("" : whisper-1 or tts-1)
    std::string api_key;  // sent as a Bearer token ("" for none)
};

// URL + ROUTE ("/audio/speech"). invalid_argument when URL is not http(s).
result<std::string> remote_endpoint(const remote_options & o, std::string_view route);

// A remote answer other than 200 as a status naming the server and its own
// words (OpenAI's {"error":{"message":...}} or the body's start).
status remote_failure(const std::string & url, long http_status, std::string_view body);

// "name" : the server's ("remote (MODEL at HOST)").
std::string remote_name(const remote_options & o);

}  // namespace os1::voice
