// SPDX-License-Identifier: Apache-2.0
// Example: sign the SHA-256 of a message with the DNIe's signing key (KprivFirmaDigital) and
// verify the signature with the signing certificate.
//
//   sign_hash [message] [reader] [CAN]     PIN from $DNIE_PIN (12345678 for the virtual card)
//
// Over NFC the eSign side runs inside the PACE channel: PACE with the CAN first, then the PIN
// channel, VERIFY PIN, the user channel and PSO: COMPUTE DIGITAL SIGNATURE (see esign.hpp).
// "virtual..." readers through dnie::vcard_session, as in read_identity.cpp.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dnie/bytes/secure.hpp"
#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

int main(int argc, char** argv) {
  const std::string message = argc > 1 ? argv[1] : "Hello, DNIe";
  dnie::SessionOptions options;
  options.reader = argc > 2 ? argv[2] : "virtual";
  const char* env_can = std::getenv("DNIE_CAN");
  const std::string can = argc > 3 ? argv[3] : env_can ? env_can : "123456";
  const char* env_pin = std::getenv("DNIE_PIN");
  const dnie::SecureBuffer pin = dnie::SecureBuffer::from_string(env_pin ? env_pin : "12345678");

  const dnie::Bytes digest = dnie::crypto::hash(dnie::crypto::HashAlg::Sha256, dnie::ByteView::of(message));
  std::printf("message: %s\nSHA-256: %s\n", message.c_str(), dnie::to_hex(digest).c_str());

  auto session = dnie::vcard_session::open(options);
  if (!session) {
    std::fprintf(stderr, "open %s: %s\n", options.reader.c_str(), session.error().to_string().c_str());
    return 2;
  }
  if (auto st = (*session)->pace_can(can); !st) {
    std::fprintf(stderr, "PACE: %s\n", st.error().to_string().c_str());
    return 1;
  }
  auto card = (*session)->esign();
  if (!card) {
    std::fprintf(stderr, "eSign: %s\n", card.error().to_string().c_str());
    return 1;
  }
  auto cert = (*card)->certificate(dnie::esign::KeyKind::Signing);
  if (!cert) {
    std::fprintf(stderr, "signing certificate: %s\n", cert.error().to_string().c_str());
    return 1;
  }
  std::printf("signer: %s\n", cert->certificate.subject().to_string().c_str());

  auto sig = (*card)->sign_hash(dnie::esign::KeyKind::Signing, dnie::crypto::HashAlg::Sha256, digest, pin);
  if (!sig) {
    std::fprintf(stderr, "sign: %s\n", sig.error().to_string().c_str());
    return 1;
  }
  std::printf("signature (%zu bytes): %s\n", sig->size(), dnie::to_hex(*sig).c_str());

  // Independent check with the certificate's public key (sign_hash already checks it too).
  const dnie::crypto::RsaPublicKey* key = cert->certificate.public_key().rsa();
  if (!key) {
    std::fprintf(stderr, "the signing certificate has no RSA key\n");
    return 1;
  }
  if (auto ok = key->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha256, digest, *sig); !ok) {
    std::fprintf(stderr, "signature does NOT verify: %s\n", ok.error().to_string().c_str());
    return 1;
  }
  std::printf("signature verifies with the signing certificate\n");
  return 0;
}
