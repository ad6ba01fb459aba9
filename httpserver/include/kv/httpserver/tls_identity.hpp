#pragma once
// The server's certificate and key: generated self-signed at start, or loaded from PEM files.

#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace kv::httpserver {

/// Frees an X509 certificate.
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
/// Frees an EVP_PKEY.
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

/// A certificate with its private key.
struct TlsIdentity {
  std::unique_ptr<X509, X509Free> certificate;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
};

/// A fresh P-256 key and a self-signed certificate (one year) with SANs for localhost,
/// 127.0.0.1 and each extra name (IP literals become IP SANs); throws std::runtime_error.
TlsIdentity generate_self_signed(const std::vector<std::string>& extra_names);

/// Loads a PEM certificate and a PEM private key; throws std::runtime_error naming the file.
TlsIdentity load_identity(const std::string& cert_path, const std::string& key_path);

/// The certificate in PEM form.
std::string certificate_pem(const TlsIdentity& identity);

}  // namespace kv::httpserver
