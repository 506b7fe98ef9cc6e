// SHA-256, incremental, for verifying downloads and naming files: OpenSSL's
// (hardware SHA extensions where the CPU has them).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace os1 {

class sha256 {
public:
    sha256();
    ~sha256();
    sha256(const sha256 &) = delete;
    sha256 & operator=(const sha256 &) = delete;
    void update(const void * data, size_t n_bytes);
    void update(std::string_view s) { update(s.data(), s.size()); }
    std::array<uint8_t, 32> digest();  // finishes; call once
    std::string hex_digest();          // lowercase hex of digest()

private:
    struct context;
    std::unique_ptr<context> ctx_;
};

std::string sha256_hex(std::string_view data);

}  // namespace os1
