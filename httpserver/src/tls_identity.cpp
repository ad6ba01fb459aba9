#include "kv/httpserver/tls_identity.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace kv::httpserver {

namespace {
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("cannot generate TLS certificate: ") + what);
}

bool is_ip_literal(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(ext != nullptr, "extension");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}
}  // namespace

TlsIdentity generate_self_signed(const std::vector<std::string>& extra_names) {
  TlsIdentity id;
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> pctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  check(pctx && EVP_PKEY_keygen_init(pctx.get()) == 1, "key context");
  check(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(pctx.get(), NID_X9_62_prime256v1) == 1, "curve");
  EVP_PKEY* raw_key = nullptr;
  check(EVP_PKEY_keygen(pctx.get(), &raw_key) == 1, "key generation");
  id.key.reset(raw_key);

  id.certificate.reset(X509_new());
  X509* cert = id.certificate.get();
  check(cert != nullptr, "certificate");
  check(X509_set_version(cert, 2) == 1, "version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  check(bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr, "serial");
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localvault"), -1, -1, 0);
  check(X509_set_issuer_name(cert, subject) == 1, "issuer");
  check(X509_set_pubkey(cert, id.key.get()) == 1, "public key");

  std::string san = "DNS:localhost,IP:127.0.0.1";
  for (const std::string& name : extra_names) {
    if (name.empty() || name == "localhost" || name == "127.0.0.1") continue;
    san += (is_ip_literal(name) ? ",IP:" : ",DNS:") + name;
  }
  // A self-signed certificate that clients add as a trust anchor (NODE_EXTRA_CA_CERTS).
  add_extension(cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert, NID_ext_key_usage, "serverAuth");
  add_extension(cert, NID_subject_key_identifier, "hash");
  add_extension(cert, NID_subject_alt_name, san);
  check(X509_sign(cert, id.key.get(), EVP_sha256()) > 0, "signature");
  return id;
}

TlsIdentity load_identity(const std::string& cert_path, const std::string& key_path) {
  TlsIdentity id;
  std::unique_ptr<BIO, BioFree> cert_bio(BIO_new_file(cert_path.c_str(), "r"));
  if (!cert_bio) throw std::runtime_error("cannot open certificate file " + cert_path);
  id.certificate.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!id.certificate) throw std::runtime_error("no PEM certificate in " + cert_path);
  std::unique_ptr<BIO, BioFree> key_bio(BIO_new_file(key_path.c_str(), "r"));
  if (!key_bio) throw std::runtime_error("cannot open key file " + key_path);
  id.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!id.key) throw std::runtime_error("no unencrypted PEM private key in " + key_path);
  if (X509_check_private_key(id.certificate.get(), id.key.get()) != 1)
    throw std::runtime_error("key in " + key_path + " does not match certificate " + cert_path);
  return id;
}

std::string certificate_pem(const TlsIdentity& identity) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), identity.certificate.get()) != 1)
    throw std::runtime_error("cannot encode the certificate as PEM");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace kv::httpserver
