// SPDX-License-Identifier: Apache-2.0
// End to end: the SDK's EsignCard against the virtual DNIe 3.0 over PACE (NFC) and over the
// raw contact link — certificates, PIN counter, signatures verified with the certificate key
// and with the openssl command line, CHANGE PIN, profiles (docs/dnie-card.md §4.2–§4.5).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/vcard/generator.hpp"

#include "esign_e2e_fixture.hpp"

using namespace dnie;
using namespace dnie::test;

namespace {

const Bytes kData = ByteView::of("DNIe 3.0 end-to-end signature test").to_bytes();

Bytes digest(crypto::HashAlg alg) { return crypto::hash(alg, kData); }

void write(const std::filesystem::path& p, ByteView b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

bool have_openssl() { return std::system("openssl version >/dev/null 2>&1") == 0; }

/// openssl dgst -sha256 -verify with the certificate's public key; skipped without openssl.
void openssl_verify(const esign::CardCertificate& cert, ByteView sig) {
  if (!have_openssl()) {
    MESSAGE("openssl not found: command-line verification skipped");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("dnie-e2e-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string pem = cert.pem();
  write(dir / "cert.pem", ByteView::of(pem));
  write(dir / "sig.bin", sig);
  write(dir / "data.bin", kData);
  const std::string d = dir.string();
  const std::string cmd = "openssl x509 -in " + d + "/cert.pem -pubkey -noout > " + d +
                          "/pubkey.pem && openssl dgst -sha256 -verify " + d + "/pubkey.pem -signature " + d +
                          "/sig.bin " + d + "/data.bin >/dev/null 2>&1";
  CHECK_MESSAGE(std::system(cmd.c_str()) == 0, "openssl rejected the card's signature");
  std::filesystem::remove_all(dir);
}

}  // namespace

TEST_CASE("eSign over PACE: certificates, tries, three signatures, APDU counts") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  CHECK(card->chip().generation == "r1");
  CHECK(card->chip().pin_keyset == "test-r1-pin");
  CHECK(card->chip().user_keyset == "test-r1-user");
  CHECK(card->chip().sn_icc.size() == 8);

  // Certificates: 3, holder name and DNI as generated.
  auto id = vcard::default_identity(rig.card->image().seed, "genuine");
  REQUIRE(id.ok());
  auto certs = card->certificates();
  REQUIRE_MESSAGE(certs.ok(), certs.error().to_string());
  REQUIRE(certs->size() == 3);
  int holder = 0;
  for (const auto& c : *certs) {
    if (c.info.dni_number.empty()) continue;
    ++holder;
    CHECK(c.info.dni_number == id->dni);
    CHECK(c.info.given_name == id->name);
    CHECK(c.info.surname == id->first_surname + " " + id->second_surname);
  }
  CHECK(holder == 2);
  auto sign_cert = card->certificate(esign::KeyKind::Signing);
  REQUIRE(sign_cert.ok());
  CHECK(sign_cert->der() == rig.card->image().extras.at("sign-cert.der"));

  // Tries without spending one.
  auto tries = card->tries_left();
  REQUIRE_MESSAGE(tries.ok(), tries.error().to_string());
  CHECK(*tries == 3);
  CHECK(rig.card->image().pin_tries_left == 3);

  // First signature (certificate cached; the PIN channel is already open from tries_left()).
  const Bytes h = digest(crypto::HashAlg::Sha256);
  rig.link->reset_counters();
  auto sig = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
  REQUIRE_MESSAGE(sig.ok(), sig.error().to_string());
  const std::size_t first = rig.link->apdus();
  CHECK(sig->size() == 256);
  CHECK(sign_cert->certificate.public_key().rsa()->verify_pkcs1_v15(crypto::HashAlg::Sha256, h, *sig).ok());
  openssl_verify(*sign_cert, *sig);

  // Second and third signatures in the same session (relink: reset + PACE each time).
  std::size_t further[2] = {0, 0};
  for (auto& n : further) {
    rig.link->reset_counters();
    auto s = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    n = rig.link->apdus();
    CHECK(sign_cert->certificate.public_key().rsa()->verify_pkcs1_v15(crypto::HashAlg::Sha256, h, *s).ok());
  }
  // With consent to spend the last try the tries query still runs (an authenticated count before
  // every VERIFY: docs/security.md).
  rig.link->reset_counters();
  auto lt = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"), true);
  REQUIRE_MESSAGE(lt.ok(), lt.error().to_string());
  const std::size_t further_consent = rig.link->apdus();
  MESSAGE("APDUs: first signature " << first
                                    << " (certificate cached, PIN channel open from tries_left), further "
                                    << further[0] << " and " << further[1]
                                    << " (PACE 5 + PIN channel 8 + tries 1 + VERIFY 1 + "
                                    << "user channel 8 + MSE 1 + PSO:CDS 1 + GET RESPONSE 1), further with "
                                    << "allow_last_try " << further_consent);
  CHECK(further[0] <= 30);
  CHECK(further[1] == further[0]);
  CHECK(further_consent == further[0]);
  CHECK(rig.card->image().pin_tries_left == 3);
}

TEST_CASE("eSign over PACE: APDUs of a first signature straight after open()") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  rig.link->reset_counters();
  const Bytes h = digest(crypto::HashAlg::Sha256);
  auto sig = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
  REQUIRE_MESSAGE(sig.ok(), sig.error().to_string());
  const std::size_t first = rig.link->apdus();
  rig.link->reset_counters();
  sig = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
  REQUIRE_MESSAGE(sig.ok(), sig.error().to_string());
  MESSAGE("APDUs: first signature after open() "
          << first << " (CDF, PrKDF and certificate reads included), next " << rig.link->apdus());
  CHECK(first <= 41);
}

TEST_CASE("eSign over PACE: authentication key with SHA-1/384/512 and a raw DigestInfo") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  auto cert = card->certificate(esign::KeyKind::Authentication);
  REQUIRE(cert.ok());
  const crypto::RsaPublicKey& pub = *cert->certificate.public_key().rsa();
  for (auto alg : {crypto::HashAlg::Sha1, crypto::HashAlg::Sha384, crypto::HashAlg::Sha512}) {
    CAPTURE(crypto::hash_name(alg));
    const Bytes h = digest(alg);
    auto s = card->sign_hash(esign::KeyKind::Authentication, alg, h, pin_of("12345678"));
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    CHECK(pub.verify_pkcs1_v15(alg, h, *s).ok());
  }
  auto di = crypto::digest_info(crypto::HashAlg::Sha256, digest(crypto::HashAlg::Sha256));
  REQUIRE(di.ok());
  auto s = card->sign_digest_info(esign::KeyKind::Authentication, *di, pin_of("12345678"));
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  CHECK(pub.verify_pkcs1_v15(crypto::HashAlg::Sha256, digest(crypto::HashAlg::Sha256), *s).ok());
  // The two keys differ: the auth signature does not verify with the signing certificate.
  auto sc = card->certificate(esign::KeyKind::Signing);
  REQUIRE(sc.ok());
  CHECK_FALSE(sc->certificate.public_key()
                  .rsa()
                  ->verify_pkcs1_v15(crypto::HashAlg::Sha256, digest(crypto::HashAlg::Sha256), *s)
                  .ok());
}

TEST_CASE("eSign over PACE: wrong PIN, reset by the right PIN, last-try guard") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  const Bytes h = digest(crypto::HashAlg::Sha256);

  auto bad = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("87654321"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::WrongPin);
  CHECK(bad.error().tries_left == 2);
  auto t = card->tries_left();
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  CHECK(*t == 2);
  auto good = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
  REQUIRE_MESSAGE(good.ok(), good.error().to_string());
  t = card->tries_left();
  REQUIRE(t.ok());
  CHECK(*t == 3);

  // Two wrong PINs → one try left: without consent nothing is spent.
  CHECK(card->verify_pin(pin_of("00000000")).error().tries_left == 2);
  CHECK(card->verify_pin(pin_of("00000000")).error().tries_left == 1);
  CHECK(rig.card->image().pin_tries_left == 1);
  auto refused = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::LastTryRefused);
  CHECK(rig.card->image().pin_tries_left == 1);
  // With consent the right PIN resets the counter.
  auto consent =
      card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"), true);
  REQUIRE_MESSAGE(consent.ok(), consent.error().to_string());
  CHECK(rig.card->image().pin_tries_left == 3);
}

TEST_CASE("eSign over PACE: the third wrong PIN blocks; a blocked card refuses the PIN channel") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE(card.ok());
  CHECK(card->verify_pin(pin_of("00000000")).error().code == ErrorCode::WrongPin);
  CHECK(card->verify_pin(pin_of("00000000")).error().code == ErrorCode::WrongPin);
  auto last = card->verify_pin(pin_of("00000000"), true);
  CHECK(last.error().code == ErrorCode::PinBlocked);
  CHECK(rig.card->image().pin_tries_left == 0);
  auto after = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256,
                               digest(crypto::HashAlg::Sha256), pin_of("12345678"), true);
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == ErrorCode::PinBlocked);
}

TEST_CASE("eSign over PACE: blocked-pin and terminated profiles") {
  {
    Rig rig("blocked-pin");
    auto card = rig.open_nfc();
    REQUIRE_MESSAGE(card.ok(), card.error().to_string());
    auto t = card->tries_left();
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ErrorCode::PinBlocked);
    auto s = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256,
                             digest(crypto::HashAlg::Sha256), pin_of("12345678"));
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::PinBlocked);
  }
  {
    // NFC: the terminated card refuses PACE (the contactless ATR carries no life cycle).
    Rig rig("terminated");
    auto card = rig.open_nfc();
    CHECK_FALSE(card.ok());
    // Contact: the ATR ends 65 81 → CardTerminated before any command.
    Rig contact("terminated", false);
    auto c = esign::EsignCard::open(*contact.link);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == ErrorCode::CardTerminated);
    CHECK(contact.link->apdus() == 0);
  }
}

TEST_CASE("eSign over PACE: CHANGE PIN, then sign with the new PIN") {
  Rig rig("genuine");
  auto card = rig.open_nfc();
  REQUIRE(card.ok());
  auto st = card->change_pin(pin_of("12345678"), pin_of("NUEVOPIN2024"));
  REQUIRE_MESSAGE(st.ok(), st.error().to_string());
  CHECK(rig.card->image().pin == "NUEVOPIN2024");
  const Bytes h = digest(crypto::HashAlg::Sha256);
  auto old = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().code == ErrorCode::WrongPin);
  auto s = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("NUEVOPIN2024"));
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  // A wrong old PIN is a wrong VERIFY (counted), the PIN stays.
  auto wrong = card->change_pin(pin_of("00000000"), pin_of("OTROPIN2024"));
  CHECK(wrong.error().code == ErrorCode::WrongPin);
  CHECK(rig.card->image().pin == "NUEVOPIN2024");
}

TEST_CASE("eSign: CHANGE PIN falls back to the user channel on 69 82, spending no try") {
  // Which channel the card wants for 90 24 is not published (jmulticard ends up in the user
  // channel): a card that refuses it in the PIN channel gets it again in the user channel.
  vcard::CardOptions co;
  co.change_pin_in_user_channel = true;
  Rig rig("genuine", true, co);
  auto card = rig.open_nfc();
  REQUIRE(card.ok());
  auto st = card->change_pin(pin_of("12345678"), pin_of("NUEVOPIN2024"));
  REQUIRE_MESSAGE(st.ok(), st.error().to_string());
  CHECK(rig.card->image().pin == "NUEVOPIN2024");
  CHECK(rig.card->image().pin_tries_left == rig.card->image().pin_max_tries);
  const Bytes h = digest(crypto::HashAlg::Sha256);
  auto s = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("NUEVOPIN2024"));
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
}

TEST_CASE("eSign: r1 and r2 profiles pick the r1 / r2 test key sets and sign") {
  for (const char* profile : {"r1", "r2"}) {
    CAPTURE(profile);
    Rig rig(profile);
    const std::string gen = rig.card->image().generation == vcard::Generation::R2 ? "r2" : "r1";
    CHECK(gen == profile);
    auto card = rig.open_nfc();
    REQUIRE_MESSAGE(card.ok(), card.error().to_string());
    CHECK(card->chip().generation == gen);
    CHECK(card->chip().pin_keyset == "test-" + gen + "-pin");
    CHECK(card->chip().user_keyset == "test-" + gen + "-user");
    const Bytes h = digest(crypto::HashAlg::Sha256);
    auto s = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    // Forcing the other generation: its C_CV_CA does not open with this card's root → 6A 80.
    auto other = rig.relink();
    REQUIRE(other.ok());
    esign::EsignOptions o = rig.options();
    o.force_generation = gen == "r1" ? "r2" : "r1";
    auto wrong = esign::EsignCard::open(**other, std::move(o));
    REQUIRE(wrong.ok());
    auto t = wrong->tries_left();
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().sw == 0x6A80);
  }
}

TEST_CASE("eSign over the contact link (no PACE): CWA directly on the raw link") {
  Rig rig("genuine", false);
  esign::EsignOptions o;  // no relink: a contact link ends the card's channel itself
  o.extra_icc_roots.push_back(test_root(rig.card->image()));
  auto card = esign::EsignCard::open(*rig.link, std::move(o));
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  CHECK(card->chip().pin_keyset == "test-r1-pin");
  const Bytes h = digest(crypto::HashAlg::Sha256);
  for (int i = 0; i < 2; ++i) {
    auto s = card->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin_of("12345678"));
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    auto cert = card->certificate(esign::KeyKind::Signing);
    REQUIRE(cert.ok());
    CHECK(cert->certificate.public_key().rsa()->verify_pkcs1_v15(crypto::HashAlg::Sha256, h, *s).ok());
  }
  CHECK(rig.paces == 0);
}

TEST_CASE("eSign: the ICC chain verifies with the generated component root") {
  Rig rig("genuine");
  REQUIRE(rig.pace().ok());
  esign::EsignOptions o = rig.options();
  auto card = esign::EsignCard::open(*rig.smt, std::move(o));
  REQUIRE_MESSAGE(card.ok(), card.error().to_string());
  CHECK(card->chip().chain_verified);
  CHECK(card->chip().icc_issuer.find("TEST") != std::string::npos);
}
