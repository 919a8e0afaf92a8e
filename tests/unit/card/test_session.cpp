// SPDX-License-Identifier: Apache-2.0
// The session against every virtual card profile: the SDK's PACE terminal against the virtual
// chip, economical reads, passive + chip authentication verdicts, resumable reads after tag loss.
#include <algorithm>

#include <doctest/doctest.h>

#include "dnie/bytes/asn1.hpp"
#include "dnie/card/session.hpp"
#include "dnie/crypto/dh.hpp"
#include "dnie/icao/identity.hpp"
#include "dnie/vcard/generator.hpp"
#include "dnie/vcard/virtual_card.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "test_support.hpp"

using namespace dnie;

namespace {

icao::TrustStore trust_for(const std::string& profile) {
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/" + profile + ".dvc");
  REQUIRE(img.ok());
  icao::TrustStore ts;
  REQUIRE(ts.add_certificates(img->extras.at("csca.der"), "test CSCA").ok());
  return ts;
}

std::unique_ptr<Session> open_session(const std::string& reader, SessionOptions o = {}) {
  o.reader = reader;
  vcard_session::VirtualCardOptions vc;
  vc.image_dir = DNIE_VCARD_IMAGE_DIR;
  auto s = vcard_session::open(o, vc);
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  return std::move(s).value();
}

icao::VerificationReport read_and_verify(const std::string& profile) {
  auto s = open_session("virtual:" + profile);
  REQUIRE(s->pace_can("123456").ok());
  auto doc = s->read_document();
  REQUIRE_MESSAGE(doc.ok(), doc.error().to_string());
  auto ts = trust_for("genuine");  // the police trust the real (test) CSCA only
  icao::PassiveAuthOptions pa;
  pa.trust_store = &ts;
  return s->verify(*doc, pa);
}

// A session link to a virtual card built from an image the test has modified.
std::function<Result<std::unique_ptr<transport::Transport>>()> virtual_card_link(
    const vcard::CardImage& image) {
  return [&image]() -> Result<std::unique_ptr<transport::Transport>> {
    auto vt = std::make_unique<vcard::VirtualTransport>(std::make_unique<vcard::VirtualCard>(image));
    (void)vt->reconnect(true);
    return std::unique_ptr<transport::Transport>(std::move(vt));
  };
}

vcard::CardImage genuine_image() {
  auto img = vcard::CardImage::load(std::string(DNIE_VCARD_IMAGE_DIR) + "/genuine.dvc");
  REQUIRE_MESSAGE(img.ok(), img.error().to_string());
  return std::move(img).value();
}

// A session on a virtual card built from `image` (which must outlive the session).
std::unique_ptr<Session> open_on(const vcard::CardImage& image, SessionOptions o = {}) {
  o.custom_transport = virtual_card_link(image);
  auto s = Session::open(o);
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  return std::move(s).value();
}

std::string failed(const icao::VerificationReport& r) {
  std::string out;
  for (const auto& c : r.checks)
    if (c.status == icao::CheckStatus::Fail) out += c.id + " ";
  return out;
}

}  // namespace

TEST_CASE("PACE with the CAN, then the whole document in the fewest APDUs") {
  auto s = open_session("virtual");
  CHECK_FALSE(s->secure());
  CHECK(s->pace_can("123456").ok());
  CHECK(s->secure());
  REQUIRE(s->pace_result() != nullptr);
  CHECK(s->pace_result()->protocol_oid == "0.4.0.127.0.7.2.2.4.2.2");  // from EF.CardAccess
  s->reset_stats();
  auto doc = s->read_document();
  REQUIRE(doc.ok());
  for (int dg : {1, 2, 7, 11, 13, 14}) CHECK_MESSAGE(doc->has(dg), "DG" << dg);
  CHECK(doc->unreadable.count(3) == 1);  // DG3 needs EAC: 69 82
  // Minimum: per file one SELECT + ceil(size/223) READ BINARY (the 223-byte AES-SM frame limit).
  std::size_t min = 1;  // SELECT of the ICAO application
  auto add = [&min](std::size_t n) { min += 1 + (n + 222) / 223; };
  add(doc->com.size());
  add(doc->sod.size());
  for (auto& [n, b] : doc->dgs) add(b.size());
  min += 1;  // DG3's refused SELECT
  MESSAGE("read " << s->stats().apdus << " APDUs, theoretical minimum " << min);
  CHECK(s->stats().apdus <= min * 110 / 100);
}

TEST_CASE("verdicts for every profile") {
  SUBCASE("genuine passes every check") {
    auto r = read_and_verify("genuine");
    CHECK_MESSAGE(r.assessment().label() == "GENUINE", failed(r));
    CHECK(r.status("chip_authentication") == icao::CheckStatus::Pass);
    CHECK(r.status("ds.chain") == icao::CheckStatus::Pass);
  }
  SUBCASE("altered data group") {
    auto r = read_and_verify("altered-dg");
    CHECK(r.assessment().authenticity == icao::Authenticity::NotGenuine);
    CHECK(failed(r).find(".hash") != std::string::npos);
  }
  SUBCASE("cloned chip fails chip authentication") {
    auto r = read_and_verify("cloned-chip");
    CHECK(r.status("chip_authentication") == icao::CheckStatus::Fail);
    CHECK(r.assessment().authenticity == icao::Authenticity::NotGenuine);
  }
  SUBCASE("expired document") {
    auto r = read_and_verify("expired");
    CHECK(r.assessment().label() == "GENUINE, EXPIRED");
    CHECK(r.status("document.expiry") == icao::CheckStatus::Fail);
  }
  SUBCASE("untrusted CSCA") {
    auto r = read_and_verify("untrusted-csca");
    CHECK(r.assessment().authenticity == icao::Authenticity::CannotVerify);
    CHECK(r.status("ds.chain") != icao::CheckStatus::Pass);
  }
}

TEST_CASE("clear outcomes: wrong CAN, terminated card") {
  auto s = open_session("virtual");
  auto e = s->pace_can("654321");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ErrorCode::WrongCan);
  CHECK(s->pace_can("123456").ok());  // CAN tries are not counted
  SessionOptions o;  // the contact ATR of a terminated card ends 65 81 (docs/dnie-card.md §1.1)
  o.reader = "virtual-contact:terminated";
  vcard_session::VirtualCardOptions vc;
  vc.image_dir = DNIE_VCARD_IMAGE_DIR;
  auto t = vcard_session::open(o, vc);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == ErrorCode::CardTerminated);
}

TEST_CASE("a read interrupted by tag loss resumes with a new PACE and returns identical data") {
  auto s0 = open_session("virtual");
  REQUIRE(s0->pace_can("123456").ok());
  auto ref = s0->read_document({2});
  REQUIRE(ref.ok());
  for (std::size_t fail_at : {8u, 12u, 20u}) {
    CAPTURE(fail_at);
    SessionOptions o;
    o.on_link_opened = [fail_at](transport::Transport& t) {
      auto* vt = dynamic_cast<vcard::VirtualTransport*>(&t);
      REQUIRE(vt != nullptr);
      vt->set_fault_hook([fail_at](std::size_t i, const apdu::CommandApdu&) -> std::optional<Error> {
        if (i == fail_at) return Error(ErrorCode::CardRemoved, "the card left the field");
        return std::nullopt;
      });
    };
    auto s = open_session("virtual", o);
    REQUIRE(s->pace_can("123456").ok());
    s->reset_stats();
    auto doc = s->read_document({2});
    REQUIRE_MESSAGE(doc.ok(), doc.error().to_string());
    CHECK(doc->dgs.at(2) == ref->dgs.at(2));
    // Resumed at the last offset: only the new PACE (EF.CardAccess is cached) and one SELECT
    // more than an undisturbed read, not the part of DG2 already read.
    const std::size_t undisturbed =
        1 + 2 + 2 + 1 + (ref->dgs.at(2).size() + 222) / 223;  // app, COM, SOD, DG2
    MESSAGE("read with one tag loss at exchange " << fail_at << ": " << s->stats().apdus << " APDUs");
    CHECK(s->stats().apdus <= undisturbed + 20);
  }
}

TEST_CASE("chip authentication with 3DES (MSE:Set KAT) switches the channel too") {
  // DG14 offering id-CA-ECDH-3DES-CBC-CBC (0.4.0.127.0.7.2.2.3.2.1) instead of AES-128: the
  // terminal must use MSE:Set KAT and 3DES secure messaging afterwards (ICAO 9303-11 §6.2.3).
  vcard::CardImage patched = genuine_image();
  vcard::VFile* dg14 = patched.find_mut({0x3F01, 0x010E});
  REQUIRE(dg14 != nullptr);
  const Bytes aes_oid = hex_bytes("04007F00070202030202");
  auto it = std::search(dg14->content.begin(), dg14->content.end(), aes_oid.begin(), aes_oid.end());
  REQUIRE(it != dg14->content.end());
  *(it + static_cast<std::ptrdiff_t>(aes_oid.size() - 1)) = 0x01;
  REQUIRE(vcard::resign_document(patched).ok());  // CA runs only on a DG14 that EF.SOD vouches for
  auto s = open_on(patched);
  REQUIRE(s->pace_can("123456").ok());
  auto doc = s->read_document({1, 14});
  REQUIRE(doc.ok());
  auto report = s->verify(*doc);
  CHECK_MESSAGE(report.status("chip_authentication") == icao::CheckStatus::Pass,
                (report.find("chip_authentication") ? report.find("chip_authentication")->reason : ""));
  CHECK(report.status("dg14.hash") == icao::CheckStatus::Pass);
  // The channel now runs 3DES SM under the new keys: reading goes on.
  auto again = s->read_document({1});
  REQUIRE(again.ok());
  CHECK(again->dgs.at(1) == doc->dgs.at(1));
}

TEST_CASE("chip authentication is not run on a DG14 that EF.SOD does not vouch for") {
  // A DG14 changed after signing (here: 3DES instead of AES) must not be used for CA at all: the
  // key it carries is the attacker's (ICAO 9303-11 §6.2 relies on passive authentication of DG14).
  vcard::CardImage patched = genuine_image();
  vcard::VFile* dg14 = patched.find_mut({0x3F01, 0x010E});
  REQUIRE(dg14 != nullptr);
  dg14->content.back() ^= 0x01;
  auto s = open_on(patched);
  REQUIRE(s->pace_can("123456").ok());
  auto doc = s->read_document({1, 14});
  REQUIRE(doc.ok());
  auto report = s->verify(*doc);
  CHECK(report.status("dg14.hash") == icao::CheckStatus::Fail);
  CHECK(report.status("chip_authentication") == icao::CheckStatus::NotPerformed);
}

TEST_CASE("chip authentication with DH (RFC 5114 group, X9.42 key in DG14)") {
  // A DG14 with a DH chip-authentication key (ICAO 9303-11 §6.2, id-CA-DH-AES-CBC-CMAC-128):
  // the image's CA private key is replaced by a DH exponent on standardized group 0.
  auto grp = crypto::DhGroup::standard(0);
  REQUIRE(grp.ok());
  auto kp = grp->generate(crypto::system_rng());
  REQUIRE(kp.ok());
  Bytes params = asn1::sequence({asn1::integer(grp->p()), asn1::integer(grp->g()), asn1::integer(grp->q())});
  Bytes spki = asn1::sequence({asn1::sequence({asn1::oid("1.2.840.10046.2.1"), params}),
                               asn1::bit_string(asn1::integer(kp->public_key))});
  Bytes ca_info = asn1::sequence(
      {asn1::oid("0.4.0.127.0.7.2.2.3.1.2"), asn1::integer(std::int64_t{1}), asn1::integer(std::int64_t{1})});
  Bytes pk_info = asn1::sequence({asn1::oid("0.4.0.127.0.7.2.2.1.1"), spki, asn1::integer(std::int64_t{1})});
  vcard::CardImage patched = genuine_image();
  patched.find_mut({0x3F01, 0x010E})->content = tlv::encode(0x6E, asn1::set({ca_info, pk_info}));
  patched.ca_private_key = kp->private_key.view().to_bytes();
  patched.ca_param_id = 0;
  patched.ca_key_id = 1;
  REQUIRE(vcard::resign_document(patched).ok());
  auto s = open_on(patched);
  REQUIRE(s->pace_can("123456").ok());
  auto doc = s->read_document({1, 14});
  REQUIRE(doc.ok());
  auto report = s->verify(*doc);
  CHECK_MESSAGE(report.status("chip_authentication") == icao::CheckStatus::Pass,
                (report.find("chip_authentication") ? report.find("chip_authentication")->reason : ""));
  auto again = s->read_document({1});
  REQUIRE(again.ok());
  CHECK(again->dgs.at(1) == doc->dgs.at(1));
}

TEST_CASE(
    "a DNIe ATR starts PACE with the DNIe's parameters; EF.CardAccess only when the card refuses them") {
  SUBCASE("genuine card: MSE:Set AT and four GENERAL AUTHENTICATE, nothing else") {
    auto s = open_session("virtual");
    REQUIRE(s->pace_can("123456").ok());
    CHECK(s->stats().apdus == 5);
    CHECK(s->pace_result()->protocol_oid == "0.4.0.127.0.7.2.2.4.2.2");
  }
  SUBCASE("a wrong CAN is reported as such, without a second attempt") {
    auto s = open_session("virtual");
    auto st = s->pace_can("654321");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::WrongCan);
    CHECK(s->stats().apdus == 5);
  }
  SUBCASE("a DNIe ATR with other parameters (NIST P-256) is refused before anything password-derived") {
    // A genuine DNIe uses brainpoolP256r1 (ID 13) only: a chip that says DNIe and offers anything
    // else is not one, and gets neither a mapping key nor a token (docs/security.md).
    vcard::CardImage patched = genuine_image();
    patched.find_mut({0x011C})->content =
        asn1::set({asn1::sequence({asn1::oid("0.4.0.127.0.7.2.2.4.2.2"), asn1::integer(std::int64_t{2}),
                                   asn1::integer(std::int64_t{12})})});
    auto s = open_on(patched);
    auto st = s->pace_can("123456");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::Unsupported);
    CHECK(st.error().message.find("ID 12") != std::string::npos);
    CHECK(s->stats().apdus == 2);  // refused MSE:Set AT, EF.CardAccess; no GENERAL AUTHENTICATE
    // The caller may widen the policy explicitly: then PACE runs with ID 12.
    SessionOptions wide;
    wide.pace_policy = auth::PacePolicy{};
    auto s2 = open_on(patched, wide);
    auto st2 = s2->pace_can("123456");
    REQUIRE_MESSAGE(st2.ok(), st2.error().to_string());
    CHECK(s2->stats().apdus == 7);  // refused MSE:Set AT, EF.CardAccess, MSE:Set AT, 4 × GA
    CHECK(s2->pace_result()->parameter_id == 12);
  }
  SUBCASE("pace_parameters_from_atr = false reads EF.CardAccess first, as ICAO 9303-11 §4.4 describes") {
    SessionOptions o;
    o.pace_parameters_from_atr = false;
    auto s = open_session("virtual", o);
    REQUIRE(s->pace_can("123456").ok());
    CHECK(s->stats().apdus == 6);
  }
}

TEST_CASE("a card that refuses SELECT with P2=0C is read with the proven clients' form") {
  // The economical ICAO form first; on 6A 86 the reader switches to SELECT MF by name, 3F01 and
  // the EFs with P1=00, P2=00 (jmulticard's form; docs/dnie-card.md §2.1) and reads the same bytes.
  auto ref = open_session("virtual");
  REQUIRE(ref->pace_can("123456").ok());
  auto want = ref->read_document();
  REQUIRE(want.ok());
  vcard::CardImage img = genuine_image();
  SessionOptions o;
  std::vector<std::string> selects;
  o.trace = [&selects](const apdu::TraceEvent& e) {
    if (e.direction == apdu::TraceEvent::Direction::Command && e.level == "plain" &&
        e.text.rfind("00 A4", 0) == 0)
      selects.push_back(e.text.substr(0, 11));
  };
  o.custom_transport = [&img]() -> Result<std::unique_ptr<transport::Transport>> {
    vcard::CardOptions co;
    co.refuse_select_p2_0c = true;
    auto vt = std::make_unique<vcard::VirtualTransport>(std::make_unique<vcard::VirtualCard>(img, co));
    (void)vt->reconnect(true);
    return std::unique_ptr<transport::Transport>(std::move(vt));
  };
  auto s = Session::open(o);
  REQUIRE(s.ok());
  REQUIRE((*s)->pace_can("123456").ok());
  auto doc = (*s)->read_document();
  REQUIRE_MESSAGE(doc.ok(), doc.error().to_string());
  CHECK(doc->dgs == want->dgs);
  CHECK(doc->sod == want->sod);
  REQUIRE(selects.size() >= 3);
  CHECK(selects[0] == "00 A4 04 0C");  // the AID, refused
  CHECK(selects[1] == "00 A4 00 0C");  // 3F01, refused
  CHECK(selects[2] == "00 A4 04 00");  // SELECT MF by name, then P1=00 P2=00 only
  for (std::size_t i = 3; i < selects.size(); ++i) CHECK(selects[i] == "00 A4 00 00");
}

TEST_CASE("eSign reads skip re-selecting a DF that is current, and recover when someone else moved it") {
  auto s = open_session("virtual");
  REQUIRE(s->pace_can("123456").ok());
  auto es = s->esign();
  REQUIRE(es.ok());
  REQUIRE((*es)->token_info().ok());  // DF 5015 is now current
  // Another user of the channel selects DF 6061 behind the eSign object's back: the shortcut
  // SELECT of 6004 in "5015" is refused and the path is selected again from the MF.
  auto sel =
      transport::transceive(s->transport(), apdu::CommandApdu(0x00, 0xA4, 0x00, 0x0C, hex_bytes("6061")));
  REQUIRE(sel.ok());
  REQUIRE(sel->ok());
  auto certs = (*es)->certificates();
  REQUIRE_MESSAGE(certs.ok(), certs.error().to_string());
  CHECK(certs->size() == 3);
  // Fresh session: the same certificates, and ICAO reads in between do not confuse it.
  auto s2 = open_session("virtual");
  REQUIRE(s2->pace_can("123456").ok());
  auto es2 = s2->esign();
  REQUIRE(es2.ok());
  REQUIRE(s2->read_document({1}).ok());
  auto certs2 = (*es2)->certificates();
  REQUIRE(certs2.ok());
  REQUIRE(certs2->size() == certs->size());
  for (std::size_t i = 0; i < certs->size(); ++i)
    CHECK((*certs)[i].certificate.der() == (*certs2)[i].certificate.der());
}

TEST_CASE("card identity: EF 2F03 tells a contactless DNIe from a TIE, which shares its ATR") {
  SUBCASE("genuine DNIe") {
    auto s = open_session("virtual");
    auto before = s->info();
    REQUIRE(before.ok());
    CHECK(before->atr_info.description == "DNIe 3.0/4.0 or TIE (contactless)");  // no PACE yet
    REQUIRE(s->pace_can("123456").ok());
    auto ci = s->info();
    REQUIRE(ci.ok());
    REQUIRE(ci->dnie_confirmed.has_value());
    CHECK(*ci->dnie_confirmed);
    CHECK(ci->atr_info.description == "DNIe 3.0/4.0 (contactless)");
  }
  SUBCASE("same ATR, EF 2F03 of another document") {
    vcard::CardImage patched = genuine_image();
    vcard::VFile* ver = patched.find_mut({0x2F03});
    REQUIRE(ver != nullptr);
    const std::string other = "TIE 01.00";
    ver->content.assign(other.begin(), other.end());
    auto s = open_on(patched);
    REQUIRE(s->pace_can("123456").ok());
    auto ci = s->info();
    REQUIRE(ci.ok());
    REQUIRE(ci->dnie_confirmed.has_value());
    CHECK_FALSE(*ci->dnie_confirmed);
    CHECK(ci->atr_info.description.rfind("not a DNIe", 0) == 0);
  }
}

TEST_CASE("holder identity for C++ users: DG1, DG11 and DG13 merged as the C API does") {
  auto s = open_session("virtual");
  REQUIRE(s->pace_can("123456").ok());
  auto doc = s->read_document({1, 11, 13});
  REQUIRE(doc.ok());
  auto id = icao::holder_identity(*doc);
  REQUIRE_MESSAGE(id.ok(), id.error().to_string());
  CHECK(id->names == "CARMEN");
  CHECK(id->surnames == "ESPAÑOLA ESPAÑOLA");  // DG13's UTF-8, not the MRZ transliteration
  CHECK(id->dni_number == "99999999R");
  CHECK(id->birth_date == "1980-01-01");
  CHECK(id->sex == "F");
  CHECK(id->nationality == "ESP");
  CHECK(id->address.find("AVDA DE MADRID 1") != std::string::npos);
  CHECK(id->sources == "DG1, DG11, DG13");
  icao::LdsContent only_mrz;
  only_mrz.dgs[1] = doc->dgs.at(1);
  auto mrz = icao::holder_identity(only_mrz);
  REQUIRE(mrz.ok());
  CHECK(mrz->surnames == "ESPANOLA ESPANOLA");
  CHECK(icao::holder_identity(icao::LdsContent{}).error().code == ErrorCode::NotFound);
}
