// SPDX-License-Identifier: Apache-2.0
// Fuzz target: X.509 / SubjectPublicKeyInfo / DigestInfo parsers of the crypto façade.
#include "dnie/crypto/x509.hpp"

#include "dnie/crypto/rsa.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  using namespace dnie::crypto;
  auto cert = Certificate::parse(input);
  if (cert) {
    // Accessors on a parsed certificate must be total.
    DNIE_FUZZ_ASSERT(cert->tbs().size() > 0 && cert->spki().size() > 0);
    (void)cert->subject().to_string();
    (void)cert->issuer().get("CN");
    (void)cert->key_usage();
    (void)cert->is_ca();
    (void)cert->subject_key_id();
    (void)cert->authority_key_id();
    (void)cert->document_types();
    (void)cert->extended_key_usage();
    (void)cert->public_key().description();
    (void)cert->verify_signed_by(cert->public_key());
    auto again = Certificate::parse_any(ByteView::of(cert->to_pem()));
    DNIE_FUZZ_ASSERT(again && again->der() == cert->der());
  }
  auto key = PublicKey::from_spki(input);
  if (key) (void)key->description();
  auto di = parse_digest_info(input);
  if (di) DNIE_FUZZ_ASSERT(digest_info(di->alg, di->digest).ok());
  (void)parse_name(input);
  (void)ecdsa_der_to_raw(input, 32);
  (void)RsaPublicKey::from_der(input);
}
