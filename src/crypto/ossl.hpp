// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/ossl.hpp
// OpenSSL helpers shared by the façade's X.509 revocation and CMS code (revocation.cpp,
// cms_sign.cpp): owning pointers, DER ↔ object conversion, time conversion and the error-queue
// guard. Never included outside src/crypto.
#pragma once

#include <cstdint>
#include <memory>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/x509.hpp"

namespace dnie::crypto::ossl {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using OcspRespPtr = std::unique_ptr<OCSP_RESPONSE, Deleter<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, Deleter<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using OcspReqPtr = std::unique_ptr<OCSP_REQUEST, Deleter<OCSP_REQUEST, OCSP_REQUEST_free>>;
using OcspIdPtr = std::unique_ptr<OCSP_CERTID, Deleter<OCSP_CERTID, OCSP_CERTID_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
inline void x509_stack_free(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), x509_stack_free>>;

/// Our errors are values: leave the thread's OpenSSL error queue as we found it (the host
/// application may be reading it).
struct ErrorMark {
  ErrorMark() { ERR_set_mark(); }
  ~ErrorMark() { ERR_pop_to_mark(); }
  ErrorMark(const ErrorMark&) = delete;
  ErrorMark& operator=(const ErrorMark&) = delete;
};

/// OpenSSL's X509 for a certificate the façade already parsed (nullptr only on allocation
/// failure or a certificate OpenSSL refuses).
X509Ptr to_x509(const Certificate& cert);
/// Unix seconds of an ASN1_TIME (UTCTime or GeneralizedTime); nullopt when absent or invalid.
std::optional<std::int64_t> unix_time(const ASN1_TIME* t);
/// The EVP_MD of a façade hash (nullptr for none).
const EVP_MD* md_of(HashAlg alg) noexcept;
/// The façade hash of an EVP_MD / digest OID object, if it is one we know.
std::optional<HashAlg> hash_of(const ASN1_OBJECT* obj);
/// The DER of an OpenSSL object through its i2d function.
template <class T>
Bytes der_of(const T* obj, int (*i2d)(const T*, unsigned char**)) {
  unsigned char* buf = nullptr;
  const int n = i2d(obj, &buf);
  if (n <= 0) return {};
  Bytes out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}
/// PEM-or-DER bytes to DER of the first block with `label` (the input unchanged when it is not PEM).
Bytes pem_or_der(ByteView data, std::string_view label);

}  // namespace dnie::crypto::ossl
