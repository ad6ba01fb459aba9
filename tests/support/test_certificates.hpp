// A throwaway certificate authority and a server certificate for 127.0.0.1, made with OpenSSL at
// test time, so that no key material is ever committed.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace kvtest {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using Cert = std::unique_ptr<X509, X509Deleter>;

/// A key pair and its certificate.
struct Identity {
  Pkey key;
  Cert cert;
  /// The certificate as PEM text.
  std::string pem() const {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) {
      throw std::runtime_error("PEM_write_bio_X509 failed");
    }
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  }
};

namespace detail {

inline void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

inline void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) throw std::runtime_error("OpenSSL: X509V3_EXT_conf_nid failed");
  int ok = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  check(ok, "X509_add_ext");
}

inline Identity make_identity(const char* common_name, const Identity* issuer, long serial) {
  Identity identity;
  identity.key.reset(EVP_EC_gen("P-256"));
  if (!identity.key) throw std::runtime_error("OpenSSL: EVP_EC_gen failed");
  identity.cert.reset(X509_new());
  X509* cert = identity.cert.get();
  check(X509_set_version(cert, 2), "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial), "ASN1_INTEGER_set");
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  check(X509_set_pubkey(cert, identity.key.get()), "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0),
        "X509_NAME_add_entry_by_txt");
  X509* issuer_cert = issuer ? issuer->cert.get() : cert;
  check(X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert)), "X509_set_issuer_name");
  if (issuer == nullptr) {
    add_extension(cert, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert, issuer_cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    add_extension(cert, issuer_cert, NID_ext_key_usage, "serverAuth");
  }
  EVP_PKEY* signer = issuer ? issuer->key.get() : identity.key.get();
  if (X509_sign(cert, signer, EVP_sha256()) <= 0)
    throw std::runtime_error("OpenSSL: X509_sign failed");
  return identity;
}

}  // namespace detail

/// A CA and a server certificate it signed, valid for 127.0.0.1 and localhost.
struct TestPki {
  explicit TestPki(const char* ca_name = "kvharness test CA")
      : ca(detail::make_identity(ca_name, nullptr, 1)),
        server(detail::make_identity("127.0.0.1", &ca, 2)) {}
  Identity ca;
  Identity server;
};

}  // namespace kvtest
