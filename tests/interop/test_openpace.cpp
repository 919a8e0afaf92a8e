// SPDX-License-Identifier: Apache-2.0
// PACE cross-implementation tests (issue: PACE, "Oracles"): the SDK's terminal against
// OpenPACE's chip, and OpenPACE's terminal against the virtual DNIe, for every parameter set both
// support: Generic Mapping, ECDH on the 11 ICAO curves (IDs 8–18) and DH on the RFC 5114 groups
// (IDs 0–2), with 3DES and AES-128/192/256 — 56 sets in each direction.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "dnie/auth/pace.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/scripted.hpp"
#include "dnie/vcard/virtual_card.hpp"

#include "openpace_harness.hpp"
#include "test_support.hpp"

using namespace dnie;

namespace {

struct Combo {
  std::string oid;
  int param_id;
  std::string label;
  bool integrated = false;  ///< OpenPACE implements TR-03110 IM, not ICAO 9303-11 IM (see below)
  bool big = false;         ///< 2048-bit DH: GA data exceed 255 bytes, extended length needed
};

// id-PACE-{DH,ECDH}-GM-{3DES,AES128,AES192,AES256}: 0.4.0.127.0.7.2.2.4.<m>.<c>. OpenPACE 1.1.2
// refuses the Integrated Mapping protocols in EAC_CTX_init_pace ("Invalid arguments"): IM is
// checked against ICAO 9303-11 App. H instead (tests/unit/auth), and CAM against App. I.
std::vector<Combo> combos() {
  std::vector<Combo> out;
  const char* cipher[] = {"", "3DES", "AES-128", "AES-192", "AES-256"};
  for (int m : {1, 2}) {
    const bool ecdh = m == 2 || m == 4;
    const char* mapping = (m <= 2) ? "GM" : "IM";
    for (int c = 1; c <= 4; ++c) {
      std::vector<int> ids =
          ecdh ? std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18} : std::vector<int>{0, 1, 2};
      for (int id : ids)
        out.push_back(
            {"0.4.0.127.0.7.2.2.4." + std::to_string(m) + "." + std::to_string(c), id,
             std::string(ecdh ? "ECDH-" : "DH-") + mapping + " " + cipher[c] + " id " + std::to_string(id),
             m >= 3, !ecdh && id > 0});
    }
  }
  return out;
}

Bytes card_access_for(const Combo& c) {
  Bytes info = asn1::sequence(
      {asn1::oid(c.oid), asn1::integer(std::int64_t{2}), asn1::integer(std::int64_t{c.param_id})});
  return asn1::set({info});
}

}  // namespace

TEST_CASE("SDK terminal ↔ OpenPACE chip, every Generic Mapping parameter set") {
  int ok = 0, reruns = 0;
  for (const auto& c : combos()) {
    CAPTURE(c.label);
    for (int attempt = 0;; ++attempt) {
      interop::OpenPaceChip chip("123456", 2);
      transport::FunctionTransport t([&chip](ByteView cmd) -> Result<Bytes> { return chip.handle(cmd); }, {},
                                     transport::LinkLimits{65535, 65536, true});
      auth::PaceRequest req;
      req.password = auth::PacePassword::can("123456").value();
      req.card_access = card_access_for(c);
      req.options.policy.min_security_bits = 80;  // IDs 0, 8, 9 included on purpose (opt-in)
      auto ch = auth::establish_pace(t, req);
      if (!ch && chip.dh_leading_zero() && attempt < 8) {
        ++reruns;
        continue;
      }  // OpenPACE's deviation
      REQUIRE_MESSAGE(ch.ok(), ch.error().to_string() << " / openpace: " << chip.last_error);
      sm::SecureMessagingTransport smt(t, std::move(ch->session));
      auto r = smt.transmit(apdu::CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 256));
      REQUIRE_MESSAGE(r.ok(), r.error().to_string() << " / openpace: " << chip.last_error);
      CHECK(r->data() == interop::OpenPaceChip::payload());
      ++ok;
      break;
    }
  }
  MESSAGE(ok << " parameter sets agreed with OpenPACE's chip (" << reruns
             << " DH sessions rerun: OpenPACE strips a leading 00 that ICAO keeps)");
}

TEST_CASE("SDK terminal ↔ OpenPACE chip: a wrong CAN is reported as WrongCan; PIN works too") {
  interop::OpenPaceChip chip("654321", 2);
  transport::FunctionTransport t([&chip](ByteView cmd) -> Result<Bytes> { return chip.handle(cmd); }, {}, {});
  auth::PaceRequest req;
  req.password = auth::PacePassword::can("123456").value();
  req.card_access = card_access_for({"0.4.0.127.0.7.2.2.4.2.2", 13, ""});
  auto ch = auth::establish_pace(t, req);
  REQUIRE_FALSE(ch.ok());
  CHECK(ch.error().code == ErrorCode::WrongCan);

  interop::OpenPaceChip pin_chip("12345678", 3);
  transport::FunctionTransport t2([&pin_chip](ByteView cmd) -> Result<Bytes> { return pin_chip.handle(cmd); },
                                  {}, {});
  auth::PaceRequest req2;
  req2.password = auth::PacePassword::pin("12345678").value();
  req2.card_access = card_access_for({"0.4.0.127.0.7.2.2.4.2.2", 13, ""});
  CHECK(auth::establish_pace(t2, req2).ok());
}

TEST_CASE("OpenPACE terminal ↔ virtual DNIe, every Generic Mapping parameter set") {
  auto base = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE_MESSAGE(base.ok(), base.error().to_string());
  int ok = 0;
  for (const auto& c : combos()) {
    CAPTURE(c.label);
    vcard::CardImage img = *base;
    Bytes ca = card_access_for(c);
    auto* f = img.find_mut({0x011C});
    REQUIRE(f != nullptr);
    f->content = ca;
    vcard::CardOptions opt;
    opt.extended_length = c.big;  // 2048-bit DH mapping data do not fit a short APDU
    vcard::VirtualCard card(std::move(img), opt);
    std::string err;
    for (int attempt = 0; attempt < 8; ++attempt) {
      card.power_on();
      err = interop::openpace_terminal([&card](ByteView cmd) { return card.process(cmd); }, ca, c.oid,
                                       c.param_id, "123456", 2);
      if (err != interop::kDhLeadingZero) break;
    }
    CHECK_MESSAGE(err.empty(), err);
    ok += err.empty();
  }
  MESSAGE(ok << " parameter sets: OpenPACE's terminal opened the virtual card");
}

TEST_CASE("OpenPACE terminal ↔ virtual DNIe: the real DNIe parameters with its default CAN") {
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE(img.ok());
  const vcard::VFile* f = img->find({0x011C});
  REQUIRE(f != nullptr);
  Bytes ca = f->content;
  vcard::VirtualCard card(std::move(img).value());
  card.power_on();
  auto fn = [&card](ByteView cmd) { return card.process(cmd); };
  CHECK(interop::openpace_terminal(fn, ca, "0.4.0.127.0.7.2.2.4.2.2", 13, "123456", 2) == "");
  CHECK(interop::openpace_terminal(fn, ca, "0.4.0.127.0.7.2.2.4.2.2", 13, "000000", 2) != "");
}
