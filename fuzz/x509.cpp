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
    // A parsed certificate never reads an extension it relies on as "absent".
    DNIE_FUZZ_ASSERT(!cert->extension("2.5.29.15") || cert->key_usage());
    DNIE_FUZZ_ASSERT(!cert->extension("2.5.29.37") || !cert->extended_key_usage().empty());
    DNIE_FUZZ_ASSERT(!cert->extension("2.5.29.14") || cert->subject_key_id());
    DNIE_FUZZ_ASSERT(!cert->extension("2.23.136.1.1.6.2") || cert->document_types());
    (void)cert->is_ca();
    (void)cert->path_length();
    (void)cert->authority_key_id();
    DNIE_FUZZ_ASSERT(cert->check_critical_extensions().ok() ==
                     cert->unrecognised_critical_extensions().empty());
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
