// SPDX-License-Identifier: Apache-2.0
// Conformance table: every distinct command form the SDK sends to a DNIe — in a document read
// with verification, a first and a further signature, a PIN change, and a contact session — is
// recorded off the wire and must appear in the table below with the public evidence that a real
// DNIe accepts it (a proven client that sends it, or a clause a DNIe follows; docs/dnie-card.md
// §10). A new form fails this test until someone adds its evidence.
//
// A form is what the card sees of a command: CLA (secure-messaging bits shown as "SM"), INS,
// P1-P2 (offsets of READ BINARY as "xx xx"), whether there is data (plain: Lc; SM: DO'87'/'85'),
// and whether there is an Le (plain: Le; SM: DO'97'); for SM also whether a trailing Le follows.
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "dnie/bytes/tlv.hpp"
#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/vcard/virtual_card.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "hostile_link.hpp"
#include "test_support.hpp"

using namespace dnie;
using test::HostileLink;

namespace {

std::string hx(std::uint8_t b) {
  const char* d = "0123456789ABCDEF";
  return std::string{d[b >> 4], d[b & 15]};
}

/// The form of an encoded command (see the file comment).
std::string form(const Bytes& c) {
  if (c.size() < 4) return "malformed";
  const bool sm = (c[0] & 0x0C) == 0x0C;
  const std::uint8_t cla = static_cast<std::uint8_t>(c[0] & ~0x0C);
  const bool offset = c[1] == 0xB0;  // READ BINARY: P1-P2 are an offset
  std::string f =
      (sm ? "SM " : "") + hx(cla) + " " + hx(c[1]) + " " + (offset ? "xx xx" : hx(c[2]) + " " + hx(c[3]));
  auto apdu = apdu::CommandApdu::parse(c);
  if (!apdu) return f + " unparsed";
  if (!sm) {
    f += apdu->data().empty() ? "" : " data";
    f += apdu->le() ? " Le" : "";
    return f;
  }
  auto dos = tlv::parse_all(apdu->data());
  if (!dos) return f + " bad-SM";
  for (const auto& d : *dos)
    if (d.tag == 0x87 || d.tag == 0x85) f += " DO87";
  for (const auto& d : *dos)
    if (d.tag == 0x97) f += " DO97";
  f += apdu->le() ? " +Le" : "";
  return f;
}

// The table: form → evidence (peer file and function, or the clause the DNIe follows).
const std::map<std::string, std::string>& table() {
  static const std::map<std::string, std::string> t = {
      // PACE (plain, before the channel) — docs/dnie-card.md §3.2
      {"00 22 C1 A4 data", "jmulticard MseSetPaceAlgorithmApduCommand (MSE:Set AT, no Le)"},
      {"10 86 00 00 data Le",
       "ICAO 9303-11 §4.4.4.2 (GA with Le 00); jmulticard GeneralAuthenticateApduCommand sends it "
       "without Le — both ISO 7816-4 valid, docs/dnie-card.md §9"},
      {"00 86 00 00 data Le", "ICAO 9303-11 §4.4.4.2 (last GA, Le 00); as above"},
      // Ending a channel and selecting — docs/dnie-card.md §2.1, §9
      {"00 A4 04 00 data",
       "jmulticard Dnie.java / OpenSC card-dnie.c: SELECT MF by name \"Master.File\", no Le"},
      {"SM 00 A4 04 00 DO87 +Le", "the same SELECT MF by name under PACE SM (jmulticard, every read)"},
      {"SM 00 A4 04 00 DO87", "the same SELECT MF by name under CWA SM (jmulticard Dnie signature path)"},
      {"SM 00 A4 00 00 DO87 +Le", "jmulticard SelectFileByIdApduCommand (P1=00 P2=00, no Le) under PACE SM"},
      {"SM 00 A4 00 00 DO87",
       "jmulticard SelectFileByIdApduCommand under CWA SM (PIN file 0000 before CHANGE PIN)"},
      {"SM 00 A4 04 0C DO87 +Le",
       "ICAO 9303-10 §3.10.1 SELECT eMRTD application (P2=0C); AndyQ NFCPassportReader issue 17 read a "
       "DNIe this way; refused → the jmulticard form (docs/dnie-card.md §2.2)"},
      {"SM 00 A4 02 0C DO87 +Le",
       "ICAO 9303-10 §3.10 SELECT EF (P1=02, P2=0C) inside the eMRTD application; refused → the jmulticard "
       "form"},
      // Reading — docs/dnie-card.md §5.2
      {"SM 00 B0 xx xx DO97 +Le", "jmulticard AbstractIso7816FourCard READ BINARY (Le only) under PACE SM"},
      {"SM 00 B0 xx xx DO97",
       "real DNIe log in OpenSC PR 2109: 0C B0 00 00 0D 97 01 FF 8E 08 ... (CWA SM, no trailing Le); "
       "tests/data/vectors/dnie_real_card_logs.json"},
      // DNIe proprietary — docs/dnie-card.md §4.3
      {"SM 90 B8 00 00 DO97 +Le", "jmulticard/OpenSC GET CHIP INFO 90 B8 00 00 07 (under PACE SM)"},
      {"90 B8 00 00 Le", "jmulticard GetChipInfoApduCommand / OpenSC cwa-dnie.c on contact (plain)"},
      // CWA-14890 handshake — docs/dnie-card.md §4.3
      {"SM 00 22 81 B6 DO87 +Le", "jmulticard/OpenSC MSE:SET 81 B6 (83 02 02 0F / 83 08 CHR) inside PACE SM"},
      {"SM 00 22 81 B6 DO87", "the same inside the PIN channel's CWA SM (user channel handshake)"},
      {"00 22 81 B6 data", "OpenSC cwa14890.c on contact: MSE:SET 81 B6 in plain"},
      {"SM 00 2A 00 AE DO87 +Le", "jmulticard/OpenSC PSO:VERIFY CERTIFICATE inside PACE SM"},
      {"SM 00 2A 00 AE DO87", "the same inside CWA SM"},
      {"00 2A 00 AE data", "OpenSC cwa14890.c PSO:VERIFY CERTIFICATE on contact"},
      {"SM 00 22 C1 A4 DO87 +Le", "jmulticard/OpenSC MSE:SET AT C1 A4 (83 0C, 84 02 02 1F) inside PACE SM"},
      {"SM 00 22 C1 A4 DO87", "the same inside CWA SM"},
      {"00 22 C1 A4 data", "OpenSC cwa14890.c MSE:SET AT on contact"},
      {"SM 00 88 00 00 DO87 +Le", "jmulticard InternalAuthenticateApduCommand (no Le) inside PACE SM"},
      {"SM 00 88 00 00 DO87", "the same inside CWA SM"},
      {"00 88 00 00 data", "jmulticard InternalAuthenticateApduCommand on contact (no Le)"},
      {"SM 00 84 00 00 DO97 +Le", "jmulticard/OpenSC GET CHALLENGE Le 08 inside PACE SM"},
      {"SM 00 84 00 00 DO97", "the same inside CWA SM (DO'97' without DO'87': OpenSC cwa_encode_apdu)"},
      {"00 84 00 00 Le", "OpenSC cwa14890.c GET CHALLENGE on contact"},
      {"SM 00 82 00 00 DO87 +Le", "jmulticard/OpenSC EXTERNAL AUTHENTICATE inside PACE SM"},
      {"SM 00 82 00 00 DO87", "the same inside CWA SM"},
      {"00 82 00 00 data", "OpenSC cwa14890.c EXTERNAL AUTHENTICATE on contact"},
      // PIN and signature under CWA SM — docs/dnie-card.md §4.4, §4.5, §9
      {"SM 00 20 00 00 DO97",
       "jmulticard RetriesLeftApduCommand (VERIFY without data, Le) in the PIN channel"},
      {"SM 00 20 00 00 DO87", "jmulticard VerifyApduCommand / OpenSC dnie_pin_verify: VERIFY, no Le"},
      {"SM 90 24 00 00 DO87", "jmulticard Dnie.changePIN: 90 24 00 00 (no Le)"},
      {"SM 00 22 41 B6 DO87", "jmulticard MseSetComputationApduCommand / OpenSC dnie_set_security_env"},
      {"SM 00 2A 9E 9A DO87",
       "jmulticard PsoSignHashApduCommand: no Le (with Le the CWA wrap would add DO'97', answered 69 88)"},
      // Contact, public files in plain — docs/dnie-card.md §2.3, §9
      {"00 A4 00 00 data", "jmulticard SelectFileByIdApduCommand on contact (plain, no Le)"},
      {"00 B0 xx xx Le", "jmulticard AbstractIso7816FourCard READ BINARY on contact (plain)"},
      // Response chaining — ISO/IEC 7816-4 §5.3.4; docs/dnie-card.md §5.2
      {"00 C0 00 00 Le", "GET RESPONSE after 61 xx (jmulticard AbstractApduConnectionIso7816; OpenSC)"},
      // Chip authentication (verification) — ICAO 9303-11 §6.2.4; the DNIe's DG14 carries the key
      {"SM 00 22 41 A4 DO87 +Le",
       "ICAO 9303-11 §6.2.4 MSE:Set AT for Chip Authentication (DG14 of the DNIe, hashed by EF.SOD)"},
      {"SM 00 86 00 00 DO87 DO97 +Le", "ICAO 9303-11 §6.2.4 GENERAL AUTHENTICATE for Chip Authentication"},
  };
  return t;
}

struct Recorder {
  std::set<std::string> forms;
  void add(const HostileLink& l) {
    for (const auto& e : l.log()) forms.insert(form(e.command));
  }
};

/// A session on the virtual card behind a recording link (contactless or contact).
struct Rig {
  std::unique_ptr<Session> session;
  HostileLink* link = nullptr;
};

Rig open_rig(bool contact) {
  Rig rig;
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE(img.ok());
  SessionOptions o;
  auto root = vcard_session::icc_root(*img);
  REQUIRE(root.ok());
  o.esign.extra_icc_roots.push_back(*root);
  vcard::CardImage image = std::move(img).value();
  o.custom_transport = [&rig, image, contact]() -> Result<std::unique_ptr<transport::Transport>> {
    vcard::CardOptions co;
    co.contactless = !contact;
    auto vt = std::make_unique<vcard::VirtualTransport>(std::make_unique<vcard::VirtualCard>(image, co));
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

}  // namespace

TEST_CASE("every command form the SDK sends to a DNIe is in the conformance table with its evidence") {
  Recorder rec;
  const Bytes h = crypto::hash(crypto::HashAlg::Sha256, ByteView::of("conformance"));
  auto pin = SecureBuffer::from_string("12345678");
  {  // NFC: document read and verification, identity, two signatures, PIN change
    Rig rig = open_rig(false);
    REQUIRE(rig.session->pace_can("123456").ok());
    auto doc = rig.session->read_document();
    REQUIRE(doc.ok());
    (void)rig.session->verify(*doc);
    REQUIRE(rig.session->info(true).ok());
    auto e = rig.session->esign();
    REQUIRE(e.ok());
    REQUIRE((*e)->certificates().ok());
    for (int i = 0; i < 2; ++i)
      REQUIRE((*e)->sign_hash(esign::KeyKind::Signing, crypto::HashAlg::Sha256, h, pin).ok());
    REQUIRE((*e)->change_pin(pin, SecureBuffer::from_string("NUEVOPIN2024")).ok());
    rec.add(*rig.link);
  }
  {  // contact: identity, public files in plain, a signature in the CWA channels
    Rig rig = open_rig(true);
    auto e = rig.session->esign();
    REQUIRE_MESSAGE(e.ok(), e.error().to_string());
    REQUIRE((*e)->certificates().ok());
    auto s = (*e)->sign_hash(esign::KeyKind::Authentication, crypto::HashAlg::Sha256, h, pin);
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    rec.add(*rig.link);
  }
  std::size_t unknown = 0;
  for (const auto& f : rec.forms) {
    auto it = table().find(f);
    if (it == table().end()) {
      ++unknown;
      FAIL_CHECK("command form without evidence: \"" << f << "\" (add it to the table with its source)");
    }
  }
  MESSAGE(rec.forms.size() << " distinct command forms sent, " << unknown << " without evidence");
  // Forms a real DNIe refuses must never appear (docs/dnie-card.md §9).
  for (const auto& f : rec.forms) {
    const bool cwa_both = f.rfind("SM ", 0) == 0 && f.find("DO87 DO97") != std::string::npos &&
                          f.find("+Le") == std::string::npos;
    CHECK_MESSAGE(!cwa_both, "DO'87' with DO'97' under CWA SM (69 88 on a real card): " << f);
  }
}
