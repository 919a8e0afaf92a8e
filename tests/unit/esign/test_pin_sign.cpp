// SPDX-License-Identifier: Apache-2.0
// PIN status mapping over a scripted PIN channel; DigestInfo per SHA; signature check.
#include "dnie/crypto/rsa.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/transport/scripted.hpp"

#include "test_support.hpp"

using namespace dnie;

namespace {
SecureBuffer pin(std::string_view s) { return SecureBuffer::from_string(s); }
// VERIFY with PIN "CLAVE1234" (ASCII, no padding).
const char* kVerify = "0020000009434C41564531323334";
}  // namespace

TEST_CASE("PIN: tries left without spending one") {
  transport::ScriptedTransport t;
  t.as_secure_channel();  // the PIN channel
  t.expect("0020000000", "63C3");
  auto n = esign::pin_tries_left(t);
  REQUIRE(n);
  CHECK(*n == 3);
  t.expect("0020000000", "63C0");
  CHECK(esign::pin_tries_left(t).error().code == ErrorCode::PinBlocked);
  t.expect("0020000000", "6983");
  CHECK(esign::pin_tries_left(t).error().code == ErrorCode::PinBlocked);
  CHECK(t.done());
}

TEST_CASE("PIN: VERIFY outcomes") {
  SUBCASE("wrong PIN → WrongPin with tries left") {
    transport::ScriptedTransport t;
    t.as_secure_channel();  // the PIN channel
    t.expect("0020000000", "63C3").expect(kVerify, "63C2");
    auto st = esign::pin_verify(t, pin("CLAVE1234"));
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ErrorCode::WrongPin);
    CHECK(st.error().tries_left == 2);
    CHECK(st.error().sw == 0x63C2);
  }
  SUBCASE("one try left and no consent → LastTryRefused, VERIFY never sent") {
    transport::ScriptedTransport t;
    t.as_secure_channel();  // the PIN channel
    t.expect("0020000000", "63C1");
    auto st = esign::pin_verify(t, pin("CLAVE1234"), false);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ErrorCode::LastTryRefused);
    CHECK(st.error().tries_left == 1);
    CHECK(t.done());
    CHECK(t.exchanges() == 1);
  }
  SUBCASE("consent: the last try is spent, after the tries query all the same") {
    transport::ScriptedTransport t;
    t.as_secure_channel();  // the PIN channel
    t.expect("0020000000", "63C1").expect(kVerify, "9000");
    CHECK(esign::pin_verify(t, pin("CLAVE1234"), true));
    CHECK(t.exchanges() == 2);
  }
  SUBCASE("an unauthenticated tries answer (a plain 63 C3 on the link) never lets the PIN out") {
    transport::ScriptedTransport t;  // not a secure channel: answers are not MAC-verified
    t.expect("0020000000", "63C3");
    auto st = esign::pin_verify(t, pin("CLAVE1234"), true);
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ErrorCode::SecureMessagingError);
    CHECK(t.exchanges() == 1);  // VERIFY never sent
  }
  SUBCASE("blocked → PinBlocked; terminated → CardTerminated") {
    transport::ScriptedTransport t;
    t.as_secure_channel();  // the PIN channel
    t.expect("0020000000", "63C2").expect(kVerify, "6983");
    CHECK(esign::pin_verify(t, pin("CLAVE1234")).error().code == ErrorCode::PinBlocked);
    t.expect("0020000000", "6581");
    CHECK(esign::pin_verify(t, pin("CLAVE1234")).error().code == ErrorCode::CardTerminated);
  }
  SUBCASE("wrong PIN with the last try spent → PinBlocked") {
    transport::ScriptedTransport t;
    t.as_secure_channel();  // the PIN channel
    t.expect("0020000000", "63C1").expect(kVerify, "63C0");
    CHECK(esign::pin_verify(t, pin("CLAVE1234"), true).error().code == ErrorCode::PinBlocked);
  }
  SUBCASE("PIN format checked before any APDU") {
    transport::ScriptedTransport t;
    t.as_secure_channel();  // the PIN channel
    CHECK(esign::pin_verify(t, pin("1234567")).error().code == ErrorCode::InvalidArgument);
    CHECK(esign::pin_verify(t, pin("12345678901234567")).error().code == ErrorCode::InvalidArgument);
    // Only what cannot be a DNIe PIN is refused locally; the proven clients send any character.
    CHECK(esign::pin_verify(t, pin(std::string("CLAVE\n1234"))).error().code == ErrorCode::InvalidArgument);
    CHECK(esign::pin_verify(t, pin(std::string("CLAVE\0"
                                               "1234",
                                               10)))
              .error()
              .code == ErrorCode::InvalidArgument);
    CHECK(esign::validate_pin(pin("CLAVE 1234")));
    CHECK(esign::validate_pin(pin("Clave!#2024")));
    CHECK(esign::validate_pin(pin("contraseña1")));
    CHECK(t.exchanges() == 0);
    CHECK(esign::validate_pin(pin("abcdEFGH12345678")));
  }
}

TEST_CASE("DigestInfo for each SHA and signature verification") {
  crypto::DeterministicRng rng(ByteView::of("sig"));
  auto key = crypto::RsaPrivateKey::generate(2048, rng).value();
  // A self-signed certificate is not needed: verify_card_signature uses the certificate's key,
  // so build one from the specimen and check the failure path, and the success path with a key.
  for (auto alg : {crypto::HashAlg::Sha1, crypto::HashAlg::Sha224, crypto::HashAlg::Sha256,
                   crypto::HashAlg::Sha384, crypto::HashAlg::Sha512}) {
    CAPTURE(crypto::hash_name(alg));
    Bytes digest = crypto::hash(alg, ByteView::of("document"));
    auto di = crypto::digest_info(alg, digest);
    REQUIRE(di);
    auto parsed = crypto::parse_digest_info(*di);
    REQUIRE(parsed);
    CHECK(parsed->alg == alg);
    // The card does PKCS#1 v1.5 over the DigestInfo (sign_pkcs1_v15_raw plays the card).
    auto sig = key.sign_pkcs1_v15_raw(*di).value();
    CHECK(key.public_key().verify_pkcs1_v15(alg, digest, sig));
  }
  auto cert =
      crypto::Certificate::parse(test::read_file(test::data_path("pki/DNIE_ESPECIMEN_signing_cert.cer")))
          .value();
  Bytes digest = crypto::hash(crypto::HashAlg::Sha256, ByteView::of("document"));
  Bytes di = crypto::digest_info(crypto::HashAlg::Sha256, digest).value();
  Bytes wrong = key.sign_pkcs1_v15_raw(di).value();  // not the certificate's key
  auto st = esign::verify_card_signature(cert, di, wrong);
  REQUIRE_FALSE(st);
  CHECK(st.error().code == ErrorCode::VerificationFailed);
  CHECK(esign::verify_card_signature(cert, hex_bytes("3000"), wrong).error().code ==
        ErrorCode::InvalidArgument);
}
