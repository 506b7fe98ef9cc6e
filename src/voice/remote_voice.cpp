#include "voice/remote_voice.h"

#include <nlohmann/json.hpp>

namespace os1::voice {

result<std::string> remote_endpoint(const remote_options & o, std::string_view route) {
    std::string base = o.url;
    if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
        return status(status_code::invalid_argument, "the remote voice server's URL must start with http:// or https:// (it is '" +
                                                         base.substr(0, 80) + "')");
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + std::string(route);
}

status remote_failure(const std::string & url, long http_status, std::string_view body) {
    std::string words;
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("error")) {
        const auto & e = j["error"];
        if (e.is_object() && e.contains("message") && e["message"].is_string()) words = e["message"].get<std::string>();
        else if (e.is_string()) words = e.get<std::string>();
    }
    if (words.empty()) words = std::string(body.substr(0, 200));
    const std::string msg = url + " answered HTTP " + std::to_string(http_status) + (words.empty() ? "" : ": " + words);
    if (http_status == 400 || http_status == 413 || http_status == 415 || http_status == 422) return {status_code::invalid_argument, msg};
    if (http_status == 401 || http_status == 403) return {status_code::network_error, msg + " (the key OS1 signs in with was refused)"};
    if (http_status == 429) return {status_code::resource_exhausted, msg};
    return {status_code::network_error, msg};
}

std::string remote_name(const remote_options & o) {
    std::string host = o.url;
    if (const auto scheme = host.find("://"); scheme != std::string::npos) host.erase(0, scheme + 3);
    host = host.substr(0, host.find('/'));
    return "remote (" + o.model + " at " + host + ")";
}

}  // namespace os1::voice
