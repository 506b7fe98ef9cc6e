#include "server/users.h"

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/files.h"

namespace os1::server {
namespace {

constexpr size_t token_id_bytes = 6;
constexpr size_t secret_bytes = 32;

std::string hex(const unsigned char * p, size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), p, n);
    out.pop_back();
    return out;
}

std::string random_hex(size_t n_bytes) {
    std::vector<unsigned char> b(n_bytes);
    randombytes_buf(b.data(), b.size());
    return hex(b.data(), b.size());
}

std::string hash_secret(const std::string & secret) {
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char *>(secret.data()), secret.size(), nullptr, 0);
    return hex(out, sizeof out);
}

bool init_sodium() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}

}  // namespace

bool users_store::valid_name(const std::string & name) {
    if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    for (const char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
    }
    return true;
}

status users_store::load_if_changed() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        users_.clear();
        loaded_ = true;
        return status::ok();  // no file yet: nobody
    }
    if (loaded_ && st.st_mtim.tv_sec == loaded_mtime_.tv_sec && st.st_mtim.tv_nsec == loaded_mtime_.tv_nsec) {
        return status::ok();
    }
    auto text = read_file(path_);
    if (!text) return text.error();
    std::vector<user_record> users;
    try {
        const auto doc = nlohmann::json::parse(*text);  // kept alive: the loop ranges over a part of it
        for (const auto & u : doc.at("users")) {
            users.push_back({u.at("name"), u.at("token_id"), u.at("token_hash"), u.value("created", int64_t{0})});
        }
    } catch (const std::exception & e) {
        return {status_code::corrupt, "users file '" + path_ + "' cannot be read: " + e.what()};
    }
    users_ = std::move(users);
    loaded_mtime_ = st.st_mtim;
    loaded_ = true;
    return status::ok();
}

status users_store::save() {
    nlohmann::json doc;
    doc["users"] = nlohmann::json::array();
    for (const auto & u : users_) {
        doc["users"].push_back({{"name", u.name}, {"token_id", u.token_id}, {"token_hash", u.token_hash}, {"created", u.created}});
    }
    if (auto st = make_private_dirs(std::filesystem::path(path_).parent_path().string()); !st) return st;
    if (auto st = write_file_atomic(path_, doc.dump(2) + "\n"); !st) return st;
    ::chmod(path_.c_str(), 0600);
    loaded_ = false;  // reread our own write next time: keeps the mtime check simple
    return status::ok();
}

result<std::string> users_store::add(const std::string & name) {
    if (!init_sodium()) return status(status_code::internal, "libsodium could not start");
    if (!valid_name(name)) {
        return status(status_code::invalid_argument,
                      "'" + name + "' is not a valid name: 1 to 64 letters, digits, '.', '_' or '-'");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (auto st = load_if_changed(); !st) return st;
    for (const auto & u : users_) {
        if (u.name == name) return status(status_code::invalid_argument, "'" + name + "' already exists");
    }
    const std::string id = random_hex(token_id_bytes);
    const std::string secret = random_hex(secret_bytes);
    users_.push_back({name, id, hash_secret(secret), static_cast<int64_t>(std::time(nullptr))});
    if (auto st = save(); !st) return st;
    return "os1_" + id + "_" + secret;
}

status users_store::remove(const std::string & name) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto st = load_if_changed(); !st) return st;
    const auto before = users_.size();
    std::erase_if(users_, [&](const user_record & u) { return u.name == name; });
    if (users_.size() == before) return {status_code::not_found, "no person named '" + name + "'"};
    return save();
}

result<std::vector<user_record>> users_store::list() {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto st = load_if_changed(); !st) return st;
    return users_;
}

std::optional<std::string> users_store::authenticate(const std::string & token) {
    if (!init_sodium()) return std::nullopt;
    // os1_<12 hex>_<64 hex>
    if (token.size() != 4 + token_id_bytes * 2 + 1 + secret_bytes * 2 || token.rfind("os1_", 0) != 0) return std::nullopt;
    const std::string id = token.substr(4, token_id_bytes * 2);
    const std::string hash = hash_secret(token.substr(5 + token_id_bytes * 2));
    std::lock_guard<std::mutex> lock(mu_);
    if (!load_if_changed()) return std::nullopt;
    for (const auto & u : users_) {
        if (u.token_id == id && u.token_hash.size() == hash.size() &&
            sodium_memcmp(u.token_hash.data(), hash.data(), hash.size()) == 0) {
            return u.name;
        }
    }
    return std::nullopt;
}

}  // namespace os1::server
