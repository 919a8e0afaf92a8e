// SPDX-License-Identifier: Apache-2.0
// Attacks on the SDK through its public session API (docs/security.md, "Attacks and what the SDK
// does"): hostile virtual cards (clones, impostors, weak PACE parameters: the hostile profiles of
// dnie/vcard/generator.hpp) and a hostile link (tests/support/hostile_link.hpp) that flips bits
// or answers in plain inside secure messaging. Every test counts what an attacker would need:
// accepted corrupted data, plaintext commands after a failure, a PIN or a password-derived value
// sent where it must not be.
#include <doctest/doctest.h>

#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/vcard/virtual_card.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "hostile_link.hpp"
#include "test_support.hpp"

using namespace dnie;
using test::HostileLink;

namespace {

vcard::CardImage image(const std::string& profile) {
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/" + profile + ".dvc");
  REQUIRE_MESSAGE(img.ok(), profile << ": " << img.error().to_string());
  return std::move(img).value();
}

/// A session on a virtual card behind a hostile link; `link` points at the link (owned by the
/// session). The card's test roots are trusted as a session on "virtual" trusts them.
struct Rig {
  std::unique_ptr<Session> session;
  HostileLink* link = nullptr;
  vcard::VirtualCard* card = nullptr;
};

Rig open_rig(vcard::CardImage img, SessionOptions o = {}) {
  Rig rig;
  auto root = vcard_session::icc_root(img);
  REQUIRE(root.ok());
  o.esign.extra_icc_roots.push_back(*root);
  o.custom_transport = [&rig, img]() -> Result<std::unique_ptr<transport::Transport>> {
    auto card = std::make_unique<vcard::VirtualCard>(img);
    rig.card = card.get();
    auto vt = std::make_unique<vcard::VirtualTransport>(std::move(card));
    (void)vt->reconnect(true);
    auto hl = std::make_unique<HostileLink>(std::move(vt));
    rig.link = hl.get();
    return std::unique_ptr<transport::Transport>(std::move(hl));
  };
  auto s = Session::open(o);
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  rig.session = std::move(s).value();
  return rig;
}

icao::TrustStore test_csca() {
  icao::TrustStore ts;
  REQUIRE(ts.add_certificates(image("genuine").extras.at("csca.der"), "test CSCA").ok());
  return ts;
}

std::size_t count_ins(const HostileLink& l, std::uint8_t ins) {
  std::size_t n = 0;
  for (const auto& e : l.log()) n += e.command.size() > 1 && e.command[1] == ins;
  return n;
}

/// VERIFY with data (the PIN) on the wire: INS 20 with DO'87' (protected) or with Lc (plain).
std::size_t pin_sent(const HostileLink& l) {
  std::size_t n = 0;
  for (const auto& e : l.log()) {
    const Bytes& c = e.command;
    if (c.size() < 6 || c[1] != 0x20) continue;
    n += (c[0] & 0x0C) == 0x0C ? c[5] == 0x87 : c[4] != 0;
  }
  return n;
}

}  // namespace

TEST_CASE("attack: a clone answers plain status words after chip authentication") {
  // The clone has the data but not the CA private key: it cannot MAC under the new keys, so it
  // answers the confirming command (and everything after) with a bare status word.
  auto ts = test_csca();
  for (const char* profile : {"clone-6a82", "clone-6982", "clone-6d00", "clone-6a80"}) {
    CAPTURE(profile);
    Rig rig = open_rig(image(profile));
    REQUIRE(rig.session->pace_can("123456").ok());
    auto doc = rig.session->read_document();
    REQUIRE(doc.ok());
    icao::PassiveAuthOptions pa;
    pa.trust_store = &ts;
    auto report = rig.session->verify(*doc, pa);
    CHECK(report.status("sod.signature") == icao::CheckStatus::Pass);  // a perfect copy of the data
    CHECK(report.status("chip_authentication") == icao::CheckStatus::Fail);
    CHECK(report.assessment().authenticity == icao::Authenticity::NotGenuine);
    // The channel is closed: nothing more goes out, in plain or otherwise.
    const std::size_t before = rig.link->log().size();
    CHECK_FALSE(rig.session->secure());
    auto again = rig.session->read_document({1});
    if (again) CHECK(again->dgs.at(1) == doc->dgs.at(1));  // only after a fresh PACE (counted)
    for (std::size_t i = before; i < rig.link->log().size(); ++i) {
      const Bytes& c = rig.link->log()[i].command;
      CHECK_MESSAGE(((c[0] & 0x0C) == 0x0C || HostileLink::allowed_plain(c)), to_hex(c));
    }
  }
}

TEST_CASE("attack: a clone withholds DG14 (whose key it lacks): never GENUINE") {
  auto ts = test_csca();
  Rig rig = open_rig(image("clone-no-dg14"));
  REQUIRE(rig.session->pace_can("123456").ok());
  auto doc = rig.session->read_document();
  REQUIRE(doc.ok());
  CHECK_FALSE(doc->has(14));
  icao::PassiveAuthOptions pa;
  pa.trust_store = &ts;
  auto report = rig.session->verify(*doc, pa);
  CHECK(report.status("chip_authentication") == icao::CheckStatus::NotPerformed);
  const auto a = report.assessment();
  CHECK(a.authenticity == icao::Authenticity::CannotVerify);
  CHECK(std::find(a.deciding.begin(), a.deciding.end(), "chip_authentication") != a.deciding.end());
}

TEST_CASE("attack: a card refuses the DNIe PACE parameters and offers weak ones") {
  // The chip says DNIe (ATR) but offers explicit 22-bit DH, explicit secp112r1, DH-1024 (ID 0)
  // or P-192 (ID 8). Any GENERAL AUTHENTICATE would carry a value that gives the CAN away offline.
  for (const char* profile : {"weak-dh", "weak-ec", "weak-id0", "weak-id8"}) {
    CAPTURE(profile);
    for (bool default_policy : {false, true}) {
      SessionOptions o;
      if (default_policy) o.pace_policy = auth::PacePolicy{};  // even the generic policy refuses them
      Rig rig = open_rig(image(profile), o);
      auto st = rig.session->pace_can("123456");
      REQUIRE_FALSE(st.ok());
      CHECK(st.error().code == ErrorCode::Unsupported);
      CHECK(count_ins(*rig.link, 0x86) == 0);  // no GENERAL AUTHENTICATE at all
      CHECK_FALSE(rig.session->secure());
    }
  }
}

TEST_CASE("attack: an impostor's ICC chain, claiming r1, r2 or TEST, never receives the PIN") {
  for (const char* profile : {"impostor-r1", "impostor-r2", "impostor-test"}) {
    CAPTURE(profile);
    Rig rig = open_rig(image(profile));
    REQUIRE(rig.session->pace_can("123456").ok());
    auto e = rig.session->esign();
    REQUIRE_MESSAGE(e.ok(), e.error().to_string());
    CHECK_FALSE((*e)->chip().chain_verified);
    // Public certificates can be read from any card ...
    CHECK((*e)->certificates().ok());
    // ... but no PIN operation starts: not even the CWA handshake.
    const std::size_t before = rig.link->log().size();
    auto pin = SecureBuffer::from_string("12345678");
    auto v = (*e)->verify_pin(pin);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::UntrustedDocument);
    const Bytes h = crypto::hash(crypto::HashAlg::Sha256, ByteView::of("contract"));
    auto s = (*e)->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::UntrustedDocument);
    auto t = (*e)->tries_left();
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ErrorCode::UntrustedDocument);
    CHECK(rig.link->log().size() == before);  // nothing was sent
    CHECK(pin_sent(*rig.link) == 0);
  }
}

TEST_CASE("attack: a spoofed tries answer (plain 63 C3 instead of the card's 63 C1)") {
  vcard::CardImage img = image("genuine");
  img.pin_tries_left = 1;  // the card would say 63 C1: the guard must refuse the last try
  Rig rig = open_rig(img);
  REQUIRE(rig.session->pace_can("123456").ok());
  auto e = rig.session->esign();
  REQUIRE(e.ok());
  // The retries query is VERIFY without data: protected, it has DO'97' and no DO'87'.
  rig.link->tamper_when(
      [](const Bytes& c) { return c.size() > 5 && c[1] == 0x20 && (c[0] & 0x0C) == 0x0C && c[5] != 0x87; },
      test::plain_sw(0x63C3));
  auto v = (*e)->verify_pin(SecureBuffer::from_string("00000000"));
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == ErrorCode::SecureMessagingError);
  CHECK(rig.link->tampered_index().has_value());
  CHECK(pin_sent(*rig.link) == 0);
  CHECK(rig.card->image().pin_tries_left == 1);
  CHECK(rig.link->plaintext_after_tamper().empty());
}

TEST_CASE("attack: plain 62 82 / 6A 82 / 6B 00 inside secure messaging never shorten data") {
  Rig ref_rig = open_rig(image("genuine"));
  REQUIRE(ref_rig.session->pace_can("123456").ok());
  auto ref = ref_rig.session->read_document();
  REQUIRE(ref.ok());
  for (std::uint16_t sw : {std::uint16_t{0x6282}, std::uint16_t{0x6A82}, std::uint16_t{0x6B00}}) {
    CAPTURE(sw);
    for (int nth : {1, 4, 12}) {  // the nth protected READ BINARY of the read
      CAPTURE(nth);
      Rig rig = open_rig(image("genuine"));
      REQUIRE(rig.session->pace_can("123456").ok());
      int seen = 0;
      rig.link->tamper_when(
          [&seen, nth](const Bytes& c) {
            return c.size() > 1 && c[1] == 0xB0 && (c[0] & 0x0C) == 0x0C && ++seen == nth;
          },
          test::plain_sw(sw));
      auto doc = rig.session->read_document();
      REQUIRE(rig.link->tampered_index().has_value());
      if (doc) {
        CHECK(doc->com == ref->com);
        CHECK(doc->sod == ref->sod);
        CHECK(doc->dgs == ref->dgs);
        CHECK(doc->unreadable.size() == ref->unreadable.size());
        CHECK(rig.session->stats().reestablished >= 1);  // the resume was counted
      }
      CHECK(rig.link->plaintext_after_tamper().empty());
    }
  }
  // eSign reads (certificates): a plain 6B 00 must not end a certificate early.
  Rig rig = open_rig(image("genuine"));
  REQUIRE(rig.session->pace_can("123456").ok());
  auto e = rig.session->esign();
  REQUIRE(e.ok());
  int seen = 0;
  rig.link->tamper_when(
      [&seen](const Bytes& c) {
        return c.size() > 1 && c[1] == 0xB0 && (c[0] & 0x0C) == 0x0C && ++seen == 2;
      },
      test::plain_sw(0x6B00));
  auto certs = (*e)->certificates();
  if (certs) {
    for (const auto& c : *certs) CHECK(c.certificate.der().size() > 1000);
  } else {
    CHECK(certs.error().code == ErrorCode::SecureMessagingError);
  }
  CHECK(rig.link->plaintext_after_tamper().empty());
}

TEST_CASE("attack: a bit flipped in a response at every APDU of a whole read") {
  Rig ref_rig = open_rig(image("genuine"));
  REQUIRE(ref_rig.session->pace_can("123456").ok());
  auto ref = ref_rig.session->read_document();
  REQUIRE(ref.ok());
  const std::size_t n = ref_rig.link->log().size();
  std::size_t accepted_corrupt = 0, plaintext = 0, recovered = 0, refused = 0;
  for (std::size_t at = 0; at < n; ++at) {
    CAPTURE(at);
    Rig rig = open_rig(image("genuine"));
    rig.link->tamper_at(at, test::flip_bit(at * 7 + 3, static_cast<std::uint8_t>(1u << (at % 8))));
    auto st = rig.session->pace_can("123456");
    auto doc = st ? rig.session->read_document() : Result<icao::LdsContent>(st.error());
    if (doc) {
      const bool same = doc->com == ref->com && doc->sod == ref->sod && doc->dgs == ref->dgs;
      accepted_corrupt += !same;
      recovered += same;
    } else {
      ++refused;
    }
    plaintext += rig.link->plaintext_after_tamper().size();
  }
  MESSAGE(n << " exchanges; bit flip at each: " << recovered << " recovered with identical data, " << refused
            << " refused, " << accepted_corrupt << " accepted corrupted, " << plaintext
            << " plaintext commands after a flip");
  CHECK(accepted_corrupt == 0);
  CHECK(plaintext == 0);
}

TEST_CASE("attack: a bit flipped in a response at every APDU of a signature (first and further)") {
  const Bytes h = crypto::hash(crypto::HashAlg::Sha256, ByteView::of("contract"));
  auto pin = SecureBuffer::from_string("12345678");
  // further = true: one undisturbed signature first, then the flips hit the next one, which
  // ends the spent channel (plain SELECT MF) and runs PACE and both CWA handshakes again.
  auto prepared = [&](bool further) {
    Rig rig = open_rig(image("genuine"));
    REQUIRE(rig.session->pace_can("123456").ok());
    auto e = rig.session->esign();
    REQUIRE(e.ok());
    REQUIRE((*e)->certificate(esign::KeyKind::Signing).ok());  // read before the count
    if (further) REQUIRE((*e)->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin).ok());
    return rig;
  };
  for (bool further : {false, true}) {
    CAPTURE(further);
    Rig ref = prepared(further);
    const std::size_t start = ref.link->log().size();
    auto sig = (*ref.session->esign())->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin);
    REQUIRE(sig.ok());
    const std::size_t n = ref.link->log().size() - start;
    std::size_t accepted_bad = 0, plaintext = 0, signed_ok = 0, refused = 0, pin_lost = 0;
    for (std::size_t at = 0; at < n; ++at) {
      CAPTURE(at);
      Rig rig = prepared(further);
      rig.link->tamper_at(at, test::flip_bit(at * 5 + 1, static_cast<std::uint8_t>(0x80u >> (at % 8))));
      auto e = rig.session->esign();
      REQUIRE(e.ok());
      auto s = (*e)->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin);
      if (s) {
        auto cert = (*e)->certificate(esign::KeyKind::Signing);
        REQUIRE(cert.ok());
        const bool good =
            cert->certificate.public_key().rsa()->verify_pkcs1_v15(crypto::HashAlg::Sha256, h, *s).ok();
        accepted_bad += !good;
        signed_ok += good;
      } else {
        ++refused;
      }
      pin_lost += rig.card->image().pin_tries_left != rig.card->image().pin_max_tries;
      for (const auto& c : rig.link->plaintext_after_tamper()) {
        MESSAGE("plaintext after a flip at " << at << ": " << c);
        ++plaintext;
      }
    }
    MESSAGE(n << " exchanges in the " << std::string(further ? "further" : "first")
              << " signature; bit flip at each: " << signed_ok << " signed correctly, " << refused
              << " refused, " << accepted_bad << " bad signatures returned, " << plaintext
              << " plaintext commands after a flip, " << pin_lost << " PIN tries lost");
    CHECK(accepted_bad == 0);
    CHECK(plaintext == 0);
    CHECK(pin_lost == 0);
  }
}
