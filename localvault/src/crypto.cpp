#include "kv/localvault/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "kv/localvault/encoding.hpp"

namespace kv::localvault {

namespace {
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
// OpenSSL takes lengths as int; anything longer would be cut short by the cast.
constexpr std::size_t kMaxCipherInput = 1u << 30;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}
}  // namespace

RandomSource system_random() {
  return [](unsigned char* out, std::size_t size) {
    if (RAND_bytes(out, static_cast<int>(size)) != 1)
      throw std::runtime_error("OpenSSL RAND_bytes failed to produce random bytes");
  };
}

std::string random_bytes(const RandomSource& random, std::size_t count) {
  std::string out(count, '\0');
  random(bytes(out), count);
  return out;
}

std::string random_guid(const RandomSource& random) {
  std::string h = hex_encode(random_bytes(random, 16));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), mac,
           &length) == nullptr)
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(mac), length);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string aes_gcm_seal(std::string_view key, std::string_view nonce, std::string_view plaintext,
                         std::string_view aad) {
  if (key.size() != 32 || nonce.size() != kNonceSize)
    throw std::invalid_argument("AES-256-GCM needs a 32-byte key and a 12-byte nonce");
  if (plaintext.size() > kMaxCipherInput || aad.size() > kMaxCipherInput)
    throw std::invalid_argument("AES-256-GCM input is larger than OpenSSL's int lengths");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(nonce);
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key),
                                      bytes(nonce)) == 1;
  ok = ok &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonceSize, &len, bytes(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
  int tail = 0;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonceSize + len, &tail) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                                 bytes(out) + kNonceSize + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("OpenSSL AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> aes_gcm_open(std::string_view key, std::string_view sealed,
                                        std::string_view aad) {
  if (key.size() != 32 || sealed.size() < kNonceSize + kTagSize ||
      sealed.size() > kMaxCipherInput || aad.size() > kMaxCipherInput)
    return std::nullopt;
  std::string_view nonce = sealed.substr(0, kNonceSize);
  std::string_view body = sealed.substr(kNonceSize, sealed.size() - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(body.size(), '\0');
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key),
                                      bytes(nonce)) == 1;
  ok = ok &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), bytes(out), &len, bytes(body),
                               static_cast<int>(body.size())) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, bytes(tag)) == 1;
  int tail = 0;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), bytes(out) + len, &tail) == 1;
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace kv::localvault
