// SHA-256 (FIPS 180-4), incremental, for verifying downloads and files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace os1 {

class sha256 {
public:
    sha256();
    void update(const void * data, size_t n_bytes);
    void update(std::string_view s) { update(s.data(), s.size()); }
    std::array<uint8_t, 32> digest();  // finishes; call once
    std::string hex_digest();          // lowercase hex of digest()

private:
    void block(const uint8_t * p);
    uint32_t h_[8];
    uint8_t buf_[64];
    size_t buf_len_ = 0;
    uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view data);

}  // namespace os1
