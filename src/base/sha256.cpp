#include "base/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace os1 {

struct sha256::context {
    EVP_MD_CTX * md = EVP_MD_CTX_new();
    ~context() { EVP_MD_CTX_free(md); }
};

// OpenSSL fails here only when out of memory, which the rest of the program treats as fatal too.
sha256::sha256() : ctx_(std::make_unique<context>()) {
    if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

sha256::~sha256() = default;

void sha256::update(const void * data, size_t n_bytes) {
    if (n_bytes > 0 && EVP_DigestUpdate(ctx_->md, data, n_bytes) != 1) throw std::bad_alloc();
}

std::array<uint8_t, 32> sha256::digest() {
    std::array<uint8_t, 32> out{};
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_->md, out.data(), &n) != 1 || n != out.size()) throw std::bad_alloc();
    return out;
}

std::string sha256::hex_digest() {
    static const char * const hex = "0123456789abcdef";
    std::string s;
    for (const uint8_t b : digest()) {
        s.push_back(hex[b >> 4]);
        s.push_back(hex[b & 15]);
    }
    return s;
}

std::string sha256_hex(std::string_view data) {
    sha256 h;
    h.update(data);
    return h.hex_digest();
}

}  // namespace os1
