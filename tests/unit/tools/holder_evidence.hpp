// SPDX-License-Identifier: Apache-2.0
// Revocation evidence for the tools' holder-certificate tests, over the virtual card's TEST PKI
// (tests/unit/holder/holder_fixture.hpp: CRLs and fresh OCSP responses from the openssl command
// line). A *stale* OCSP response — thisUpdate and nextUpdate in the past, RFC 6960 §4.2.2.1 — is
// one `openssl ocsp` cannot make (it dates every answer now), so it is built here with OpenSSL's
// OCSP API, signed by the TEST CA key.
#pragma once

#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "../holder/holder_fixture.hpp"

namespace dnie::test {

/// A successful, correctly signed OCSP response saying `cert_file` (a PEM in pki.dir) is good,
/// valid from `this_update` to `next_update` (Unix seconds).
inline Bytes dated_ocsp_response(const TestPki& pki, const std::string& cert_file, std::int64_t this_update,
                                 std::int64_t next_update) {
  auto pem_cert = [&pki](const std::string& name) {
    BIO* b = BIO_new_file(pki.p(name).c_str(), "r");
    REQUIRE(b != nullptr);
    X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    BIO_free(b);
    REQUIRE(x != nullptr);
    return x;
  };
  X509* cert = pem_cert(cert_file);
  X509* ca = pem_cert("ca.pem");
  BIO* kb = BIO_new_file(pki.p("ca.key").c_str(), "r");
  REQUIRE(kb != nullptr);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
  BIO_free(kb);
  REQUIRE(key != nullptr);
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert, ca);
  OCSP_BASICRESP* basic = OCSP_BASICRESP_new();
  ASN1_TIME* tu = ASN1_TIME_set(nullptr, static_cast<time_t>(this_update));
  ASN1_TIME* nu = ASN1_TIME_set(nullptr, static_cast<time_t>(next_update));
  REQUIRE(OCSP_basic_add1_status(basic, id, V_OCSP_CERTSTATUS_GOOD, 0, nullptr, tu, nu) != nullptr);
  REQUIRE(OCSP_basic_sign(basic, ca, key, EVP_sha256(), nullptr, 0) == 1);
  OCSP_RESPONSE* resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
  REQUIRE(resp != nullptr);
  unsigned char* der = nullptr;
  const int n = i2d_OCSP_RESPONSE(resp, &der);
  REQUIRE(n > 0);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  OCSP_RESPONSE_free(resp);
  OCSP_BASICRESP_free(basic);
  ASN1_TIME_free(tu);
  ASN1_TIME_free(nu);
  OCSP_CERTID_free(id);
  EVP_PKEY_free(key);
  X509_free(ca);
  X509_free(cert);
  return out;
}

}  // namespace dnie::test
