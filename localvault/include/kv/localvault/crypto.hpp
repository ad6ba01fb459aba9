#pragma once
// The few OpenSSL primitives the vault needs, behind value-type functions.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kv::localvault {

/// Fills `size` bytes at `out` with randomness; injected so tests can be deterministic.
using RandomSource = std::function<void(unsigned char* out, std::size_t size)>;

/// A RandomSource backed by OpenSSL's CSPRNG; throws std::runtime_error if it fails.
RandomSource system_random();

/// `count` random bytes from `random`.
std::string random_bytes(const RandomSource& random, std::size_t count);

/// A random GUID in the 8-4-4-4-12 lowercase hex form (request, trace and correlation ids).
std::string random_guid(const RandomSource& random);

/// HMAC-SHA256 of `data` under `key` (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Compares two byte strings in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// AES-256-GCM: returns nonce(12) || ciphertext || tag(16); `aad` is authenticated, not encrypted.
std::string aes_gcm_seal(std::string_view key, std::string_view nonce, std::string_view plaintext,
                         std::string_view aad);

/// Reverses aes_gcm_seal; nullopt when the input is short or fails authentication.
std::optional<std::string> aes_gcm_open(std::string_view key, std::string_view sealed,
                                        std::string_view aad);

}  // namespace kv::localvault
