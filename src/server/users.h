// The people who may talk to a server, and their API tokens.
//
// A token ("os1_<id>_<secret>") is shown once, when it is made; the file keeps
// only its id and a BLAKE2b hash of the secret. Tokens are 256-bit random, so a
// fast hash is enough (a password hash like Argon2 protects guessable secrets
// and would cost tens of milliseconds per request).
// Thread-safety: a users_store may be shared; lookups reload the file when it
// changed on disk (so `os1 users add` takes effect on a running server).
#pragma once

#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "os1/status.h"

namespace os1::server {

struct user_record {
    std::string name;
    std::string token_id;    // public part, for lookup
    std::string token_hash;  // hex BLAKE2b-256 of the secret
    int64_t created = 0;     // unix seconds
};

class users_store {
public:
    explicit users_store(std::string path) : path_(std::move(path)) {}

    // invalid_argument for a bad or taken name. Returns the new token.
    result<std::string> add(const std::string & name);
    // not_found when there is no such person.
    status remove(const std::string & name);
    result<std::vector<user_record>> list();
    // The person a token belongs to; nullopt for any wrong token.
    std::optional<std::string> authenticate(const std::string & token);

    // Names: 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit.
    static bool valid_name(const std::string & name);

private:
    status load_if_changed();  // REQUIRES mu_
    status save();             // REQUIRES mu_

    std::string path_;
    std::mutex mu_;
    std::vector<user_record> users_;  // GUARDED_BY(mu_)
    std::timespec loaded_mtime_{};    // GUARDED_BY(mu_)
    bool loaded_ = false;             // GUARDED_BY(mu_)
};

}  // namespace os1::server
