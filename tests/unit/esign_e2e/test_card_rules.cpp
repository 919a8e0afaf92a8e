// SPDX-License-Identifier: Apache-2.0
// The virtual card's own access rules, checked with raw APDUs inside channels built by the SDK's
// CWA engine (docs/dnie-card.md §4.2, §4.4, §4.5, §8): VERIFY only in the PIN channel, MSE:SET DST and
// PSO:CDS only in the user channel after an unconsumed VERIFY, the nested PIN handshake hazard
// (OpenSC PR #3614), SM errors, wrong CV chains, and the redaction of CHANGE PIN in traces.
#include "dnie/apdu/trace.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/esign/keysets.hpp"

#include "esign_e2e_fixture.hpp"

using namespace dnie;
using namespace dnie::test;

namespace {

/// Builds CWA channels over a transport with the test key sets, as the SDK's EsignCard would.
struct Cwa {
  esign::KeySetRegistry reg = esign::KeySetRegistry::builtin().value();
  Bytes sn;
  crypto::RsaPublicKey icc;

  explicit Cwa(transport::Transport& t, const vcard::CardImage& img)
      : icc(*crypto::Certificate::parse(img.extras.at("icc-cert.der")).value().public_key().rsa()) {
    auto r = transport::transceive(t, auth::cwa_get_chip_info_command(), false);
    REQUIRE(r.ok());
    sn = auth::cwa_parse_chip_info(*r).value();
  }
  auth::CwaEngine engine(const char* id) {
    const auth::CwaKeySet* ks = reg.find(id);
    REQUIRE(ks != nullptr);
    auto e = auth::CwaEngine::create(*ks, sn, icc);
    REQUIRE(e.ok());
    return std::move(e).value();
  }
  /// Handshake inside `channel` (PACE or a previous CWA channel); replaces its keys.
  Status over(sm::SecureMessagingTransport& channel, const char* id) {
    auto e = engine(id);
    return auth::cwa_switch_channel(channel, e);
  }
};

std::uint16_t sw_of(transport::Transport& t, const apdu::CommandApdu& c) {
  auto r = transport::transceive(t, c, false);
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  return r->sw();
}

apdu::CommandApdu mse_dst(std::uint8_t key) {
  return apdu::CommandApdu(0x00, 0x22, 0x41, 0xB6, Bytes{0x84, 0x02, 0x01, key});
}
apdu::CommandApdu pso_cds() {
  auto di =
      crypto::digest_info(crypto::HashAlg::Sha256, crypto::hash(crypto::HashAlg::Sha256, ByteView::of("x")))
          .value();
  return apdu::CommandApdu(0x00, 0x2A, 0x9E, 0x9A, di, apdu::kLeMax);
}
apdu::CommandApdu retries() { return apdu::CommandApdu(0x00, 0x20, 0x00, 0x00, {}, apdu::kLeMax); }
apdu::CommandApdu verify(const char* pin) {
  return apdu::CommandApdu(0x00, 0x20, 0x00, 0x00, ByteView::of(pin));
}

}  // namespace

TEST_CASE("card rule: a user channel without VERIFY cannot sign (69 82); VERIFY needs the PIN channel") {
  Rig rig("genuine");
  REQUIRE(rig.pace().ok());
  Cwa cwa(*rig.smt, rig.card->image());
  // Before any CWA channel (PACE only): no VERIFY, no signature.
  CHECK(sw_of(*rig.smt, verify("12345678")) == 0x6982);
  CHECK(sw_of(*rig.smt, mse_dst(2)) == 0x6982);
  // User channel straight over PACE.
  auto st = cwa.over(*rig.smt, "test-r1-user");
  REQUIRE_MESSAGE(st.ok(), st.error().to_string());
  CHECK(sw_of(*rig.smt, mse_dst(2)) == 0x6982);
  CHECK(sw_of(*rig.smt, pso_cds()) == 0x6982);
  CHECK(sw_of(*rig.smt, retries()) == 0x6982);
  CHECK(sw_of(*rig.smt, verify("12345678")) == 0x6982);
  CHECK(rig.card->image().pin_tries_left == 3);
}

TEST_CASE("card rule: one VERIFY, one signature; the flag survives the PIN → user switch") {
  Rig rig("genuine");
  REQUIRE(rig.pace().ok());
  Cwa cwa(*rig.smt, rig.card->image());
  REQUIRE(cwa.over(*rig.smt, "test-r1-pin").ok());
  CHECK(sw_of(*rig.smt, retries()) == 0x63C3);
  CHECK(sw_of(*rig.smt, verify("12345678")) == 0x9000);
  CHECK(sw_of(*rig.smt, mse_dst(2)) == 0x6982);  // not in the PIN channel
  REQUIRE(cwa.over(*rig.smt, "test-r1-user").ok());
  CHECK(sw_of(*rig.smt, apdu::CommandApdu(0x00, 0x22, 0x41, 0xB6, hex_bytes("84020103"))) == 0x6A88);
  CHECK(sw_of(*rig.smt, mse_dst(2)) == 0x9000);
  rig.link->reset_counters();
  auto r = transport::transceive(*rig.smt, pso_cds(), false);
  REQUIRE(r.ok());
  CHECK(r->sw() == 0x9000);
  CHECK(r->data().size() == 256);
  CHECK(rig.link->apdus() == 2);  // ~283-byte protected answer: 61xx + GET RESPONSE
  // Consumed: a second signature needs a new VERIFY.
  CHECK(sw_of(*rig.smt, pso_cds()) == 0x6982);
  CHECK(sw_of(*rig.smt, mse_dst(2)) == 0x6982);
  CHECK(sw_of(*rig.smt, mse_dst(1)) == 0x6982);
}

TEST_CASE("card hazard: a PIN-channel handshake inside a live user channel fails and ends SM") {
  Rig rig("genuine");
  REQUIRE(rig.pace().ok());
  Cwa cwa(*rig.smt, rig.card->image());
  REQUIRE(cwa.over(*rig.smt, "test-r1-pin").ok());
  REQUIRE(cwa.over(*rig.smt, "test-r1-user").ok());
  // OpenSC PR #3614: real cards corrupt data on this path; the virtual card refuses it.
  auto st = cwa.over(*rig.smt, "test-r1-pin");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().sw == 0x6988);
  CHECK_FALSE(rig.smt->is_secure());
  // SM is gone on the card too: a plain command is answered in plain.
  auto plain = transport::transceive(
      *rig.link, apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File")), false);
  REQUIRE(plain.ok());
  CHECK(plain->sw() == 0x9000);
  // A user → user switch is fine (no PIN channel involved).
  REQUIRE(rig.relink().ok());
  Cwa again(*rig.smt, rig.card->image());
  REQUIRE(again.over(*rig.smt, "test-r1-user").ok());
  CHECK(again.over(*rig.smt, "test-r1-user").ok());
}

TEST_CASE("card rule: plain APDU in a CWA channel → 69 87 and SM ends; wrong CV chains → 6A 80 / 6A 88") {
  Rig rig("genuine");
  REQUIRE(rig.pace().ok());
  Cwa cwa(*rig.smt, rig.card->image());
  REQUIRE(cwa.over(*rig.smt, "test-r1-pin").ok());
  CHECK(sw_of(*rig.link, apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File"))) == 0x6987);
  CHECK(sw_of(*rig.link, apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File"))) == 0x9000);
  CHECK(sw_of(*rig.link, verify("12345678")) == 0x6982);  // no channel → no VERIFY

  REQUIRE(rig.relink().ok());
  const auth::CwaKeySet* r1 = cwa.reg.find("test-r1-pin");
  const auth::CwaKeySet* r2 = cwa.reg.find("test-r2-pin");
  REQUIRE((r1 && r2));
  auto& t = *rig.smt;
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x22, 0x81, 0xB6, hex_bytes("8302020F"))) == 0x9000);
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, r2->c_cv_ca)) == 0x6A80);   // other generation
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, r1->c_cv_ifd)) == 0x6A80);  // skips the CA
  Bytes mse_ca = hex_bytes("8308");
  append(mse_ca, r1->ca_chr);
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x22, 0x81, 0xB6, mse_ca)) == 0x6A88);  // CA not opened yet
  // A failed MSE:SET leaves no key selected.
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, r1->c_cv_ca)) == 0x6985);
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x22, 0x81, 0xB6, hex_bytes("8302020F"))) == 0x9000);
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, r1->c_cv_ca)) == 0x9000);
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x22, 0x81, 0xB6, mse_ca)) == 0x9000);
  Bytes tampered = r1->c_cv_ifd;
  tampered[10] ^= 0x01;  // inside the signature
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, tampered)) == 0x6A80);
  Bytes at = hex_bytes("830C00000000");
  append(at, r1->ifd_chr);
  append(at, hex_bytes("8402021F"));
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x22, 0xC1, 0xA4, at)) == 0x6A88);  // C_CV_IFD not opened
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, r1->c_cv_ifd)) == 0x9000);
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x22, 0xC1, 0xA4, at)) == 0x9000);
  // EXTERNAL AUTHENTICATE before INTERNAL AUTHENTICATE / GET CHALLENGE.
  CHECK(sw_of(t, apdu::CommandApdu(0x00, 0x82, 0x00, 0x00, Bytes(128, 0x11))) == 0x6985);
}

TEST_CASE("card rule: contact link, PIN channel in plain over the raw link; VERIFY and sign by hand") {
  Rig rig("genuine", false);
  REQUIRE(rig.link->reconnect(true).ok());
  CHECK(sw_of(*rig.link, verify("12345678")) == 0x6982);
  Cwa cwa(*rig.link, rig.card->image());
  auto e = cwa.engine("test-r1-pin");
  auto s = auth::run_cwa(*rig.link, e);
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  sm::SecureMessagingTransport chan(*rig.link, std::move(s).value());
  CHECK(sw_of(chan, verify("12345678")) == 0x9000);
  REQUIRE(cwa.over(chan, "test-r1-user").ok());
  CHECK(sw_of(chan, mse_dst(1)) == 0x9000);
  CHECK(sw_of(chan, pso_cds()) == 0x9000);
}

TEST_CASE("traces: the DNIe CHANGE PIN 90 24 and VERIFY are redacted") {
  Bytes data = hex_bytes("0108");
  append(data, ByteView::of("12345678"));
  data.push_back(0x08);
  append(data, ByteView::of("87654321"));
  const std::string text = apdu::redact_command(apdu::CommandApdu(0x90, 0x24, 0x00, 0x00, data));
  CHECK(text.find("redacted") != std::string::npos);
  CHECK(text.find("3132333435363738") == std::string::npos);
  CHECK(text.find("12345678") == std::string::npos);
  CHECK(text.find("3837363534333231") == std::string::npos);
  const std::string v = apdu::redact_command(verify("12345678"));
  CHECK(v.find("redacted") != std::string::npos);
  CHECK(v.find("3132333435363738") == std::string::npos);
}
