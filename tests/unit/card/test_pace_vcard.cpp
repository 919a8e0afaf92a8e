// SPDX-License-Identifier: Apache-2.0
// The SDK's PACE terminal against the virtual chip for every mapping and parameter set the card
// offers in EF.CardAccess (GM, IM, CAM; ECDH IDs 8–18, DH IDs 0–2; 3DES and AES), and a loop of
// PACE sessions with random CANs and fresh ephemeral keys (the 1-in-256 leading-zero class of bug
// shows up within a few hundred sessions; DNIE_PACE_LOOP sets the count, default 10000).
#include <cstdlib>
#include <random>

#include <doctest/doctest.h>

#include "dnie/auth/pace.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/vcard/virtual_card.hpp"

#include "test_support.hpp"

using namespace dnie;

namespace {

vcard::CardImage base_image() {
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE_MESSAGE(img.ok(), img.error().to_string());
  return std::move(img).value();
}

Bytes card_access(const std::string& oid, int id) {
  return asn1::set(
      {asn1::sequence({asn1::oid(oid), asn1::integer(std::int64_t{2}), asn1::integer(std::int64_t{id})})});
}

// PACE, then one protected READ BINARY of EF.CardAccess; returns "" or the failure.
std::string pace_and_read(vcard::CardImage img, const Bytes& ca, bool extended,
                          const std::string& can = "123456") {
  img.find_mut({0x011C})->content = ca;
  img.can = can;
  vcard::CardOptions o;
  o.extended_length = extended;
  vcard::VirtualTransport t(std::make_unique<vcard::VirtualCard>(std::move(img), o));
  (void)t.reconnect(true);
  auth::PaceRequest req;
  req.password = auth::PacePassword::can(can).value();
  // Every set the card can offer, including the 80-bit IDs 0, 8 and 9 the default policy refuses.
  req.options.policy.min_security_bits = 80;
  auto ch = auth::establish_pace(t, req);
  if (!ch) return "PACE: " + ch.error().to_string();
  sm::SecureMessagingTransport smt(t, std::move(ch->session));
  auto sel = smt.transmit(apdu::CommandApdu(0x00, 0xA4, 0x00, 0x0C, hex_bytes("011C")));
  if (!sel || !sel->ok()) return "SELECT under SM failed";
  auto rd = transport::transceive(smt, apdu::CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 256));
  if (!rd) return "READ under SM: " + rd.error().to_string();
  if (rd->data() != ca) return "EF.CardAccess differs under SM";
  return "";
}

}  // namespace

TEST_CASE("SDK terminal ↔ virtual chip: every mapping and parameter set") {
  const vcard::CardImage base = base_image();
  int ok = 0, unsupported = 0;
  // m: 1 DH-GM, 2 ECDH-GM, 3 DH-IM, 4 ECDH-IM, 6 ECDH-CAM; c: 1 3DES, 2..4 AES-128/192/256.
  for (int m : {1, 2, 3, 4, 6}) {
    const bool ecdh = m == 2 || m == 4 || m == 6;
    for (int c = (m == 6 ? 2 : 1); c <= 4; ++c) {
      std::vector<int> ids =
          ecdh ? std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18} : std::vector<int>{0, 1, 2};
      for (int id : ids) {
        const std::string oid = "0.4.0.127.0.7.2.2.4." + std::to_string(m) + "." + std::to_string(c);
        CAPTURE(oid);
        CAPTURE(id);
        std::string err = pace_and_read(base, card_access(oid, id), !ecdh && id > 0);
        // The virtual chip refuses ECDH-IM on curves with p ≡ 1 (mod 4) (secp224r1): its point
        // encoding needs a general square root; the SDK must report that as Unsupported.
        if (m == 4 && id == 10 && err.find("Unsupported") != std::string::npos) {
          ++unsupported;
          continue;
        }
        CHECK_MESSAGE(err.empty(), err);
        ok += err.empty();
      }
    }
  }
  MESSAGE(ok << " parameter sets established and used; " << unsupported << " refused as unsupported");
}

TEST_CASE("PACE loop: random CANs and ephemeral keys never fail") {
  const char* env = std::getenv("DNIE_PACE_LOOP");
  const int n = env ? std::atoi(env) : 10000;
  vcard::CardImage img = base_image();
  const Bytes ca = img.find({0x011C})->content;
  std::mt19937 rng(20261126);
  // This loop is about PACE; a reset here must end the channel (a cold reset). Ending a channel a
  // warm reset leaves open is the session's job, tested in test_session and the pcscd e2e tests.
  vcard::CardOptions co;
  co.warm_reset_keeps_channel = false;
  auto t = std::make_unique<vcard::VirtualTransport>(std::make_unique<vcard::VirtualCard>(img, co));
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    // Fresh card per CAN (the CAN lives in the image); ephemeral keys are random on both sides.
    if (i % 50 == 0) {
      char can[8];
      std::snprintf(can, sizeof can, "%06u", static_cast<unsigned>(rng() % 1000000));
      img.can = can;
      t = std::make_unique<vcard::VirtualTransport>(std::make_unique<vcard::VirtualCard>(img, co));
    }
    (void)t->reconnect(true);
    auth::PaceRequest req;
    req.password = auth::PacePassword::can(img.can).value();
    req.card_access = ca;
    auto ch = auth::establish_pace(*t, req);
    if (!ch) {
      ++failures;
      MESSAGE("session " << i << ": " << ch.error().to_string());
      continue;
    }
    sm::SecureMessagingTransport smt(*t, std::move(ch->session));
    auto r = smt.transmit(apdu::CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
    if (!r || !r->ok()) {
      ++failures;
      MESSAGE("session " << i << ": SM after PACE failed");
    }
  }
  MESSAGE(n << " PACE sessions, " << failures << " failures");
  CHECK(failures == 0);
}
