// SPDX-License-Identifier: Apache-2.0
// The virtual card's contact interface (T=0, as the DNIe's ATR says) against the few real DNIe
// command/response pairs found in public logs (tests/data/vectors/dnie_real_card_logs.json;
// docs/dnie-card.md §1.1, §2.1, §5.2, §9): the same status words, the same 27-byte FCI behind
// 61 1B, the same 61 xx and GET RESPONSE around protected answers, and 69 87 to a plain command
// while a channel is open. The secure-messaging pairs cannot be replayed byte for byte (their
// keys are the real card's), so the same command form is sent under known keys and the answer's
// layout and sizes are compared. The SDK's parsers then read the real values: the ATRs
// (transport::identify_atr), the EF 2F03 version strings (Session::info) and the IDESPs (the
// key-set choice).
#include "dnie/card/session.hpp"
#include "dnie/esign/keysets.hpp"
#include "dnie/transport/atr.hpp"

#include "crypto/cipher.hpp"
#include "engine_fixture.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;
using dnie::test::vectors;

namespace {

const nlohmann::json& logs() {
  static const nlohmann::json v = vectors("dnie_real_card_logs.json");
  return v;
}

const nlohmann::json& pair(const std::string& id) {
  for (const auto& p : logs()["pairs"])
    if (p["id"] == id) return p;
  FAIL("no pair " << id);
  static const nlohmann::json none;
  return none;
}

CardOptions contact() {
  CardOptions o;
  o.contactless = false;  // T=0 by default, as the ATR announces
  return o;
}

/// Terminal side of the DNIe's CWA-14890 secure messaging (test code; CWA 14890-1 §8.7, §9):
/// 3DES-CBC with IV 0, retail MAC over SSC ‖ pad(pad(header) ‖ DO'87' ‖ DO'97'), 8-byte SSC,
/// never a trailing Le (docs/dnie-card.md §5.1).
struct TermCwa {
  Bytes kenc, kmac, ssc;
  void inc() {
    for (std::size_t i = ssc.size(); i-- > 0;)
      if (++ssc[i] != 0) break;
  }
  Bytes mac(ByteView m) { return crypto::retail_mac(kmac, crypto::pad_iso9797_m2(m, 8)).value(); }
  Bytes protect(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, std::optional<std::uint8_t> le) {
    inc();
    Bytes dos;
    if (le) append(dos, {0x97, 0x01, *le});
    Bytes m = ssc;
    append(m, crypto::pad_iso9797_m2(Bytes{0x0C, ins, p1, p2}, 8));
    append(m, dos);
    append(dos, {0x8E, 0x08});
    append(dos, mac(m));
    Bytes apdu{0x0C, ins, p1, p2, static_cast<std::uint8_t>(dos.size())};
    append(apdu, dos);
    return apdu;
  }
  /// Checks the MAC of a protected answer (DOs ‖ SW) and returns its plain data ‖ inner SW.
  std::string open(ByteView resp) {
    inc();
    auto dos = tlv::parse_all(resp.first(resp.size() - 2));
    if (!dos) return "malformed";
    Bytes m = ssc, plain, sw, cc;
    for (const auto& d : *dos) {
      if (d.tag == 0x8E) {
        cc = d.value.to_bytes();
        continue;
      }
      append(m, d.raw);
      if (d.tag == 0x99) sw = d.value.to_bytes();
      if (d.tag == 0x87)
        plain =
            crypto::unpad_iso9797_m2(crypto::des3_cbc_decrypt(kenc, Bytes(8, 0), d.value.subview(1))->view())
                .value();
    }
    if (cc != mac(m)) return "badmac";
    append(plain, sw);
    return to_hex(plain);
  }
};

const char* const kEnc = "0123456789ABCDEFFEDCBA9876543210";
const char* const kMac = "F0E1D2C3B4A5968778695A4B3C2D1E0F";
const char* const kSsc = "0000000000000041";

/// Opens a CWA user channel on the card with known keys (what EXTERNAL AUTHENTICATE would do).
TermCwa open_cwa(VirtualCard::Impl& card) {
  card.sm.start(SmSuite::Des3, SecureBuffer(hx(kEnc)), SecureBuffer(hx(kMac)), SecureBuffer(hx(kSsc)));
  card.session.channel = CwaChannel::User;
  return TermCwa{hx(kEnc), hx(kMac), hx(kSsc)};
}

/// Answer ‖ SW of a command, with every 61 xx collected by GET RESPONSE 00 C0 00 00 xx.
Bytes collect(VirtualCard::Impl& card, Bytes first, std::vector<std::string>* gets = nullptr) {
  Bytes all;
  while (first.size() >= 2 && first[first.size() - 2] == 0x61) {
    append(all, ByteView(first).first(first.size() - 2));
    const std::string get = "00C00000" + to_hex(Bytes{first.back()});
    if (gets) gets->push_back(get);
    first = card.process(hex_bytes(get));
  }
  append(all, first);
  return all;
}

}  // namespace

TEST_CASE("real ATRs: identify_atr reads them; the contact virtual card answers with one of them") {
  for (const auto& a : logs()["atrs"]) {
    const Bytes atr = hx(a["atr"]);
    INFO(a["atr"].get<std::string>() << " (" << a["source"].get<std::string>() << ")");
    const auto info = transport::identify_atr(atr);
    if (atr[1] == 0x7F) {  // contact: 3B 7F TA1 00 00 00 6A "DNIe" ...
      CHECK(!info.contactless);
      CHECK(info.kind == (atr[15] == 0x04 ? transport::CardKind::Dnie3 : transport::CardKind::Dnie2));
      CHECK(info.os_version_major == atr[15]);
      CHECK(info.os_version_minor == atr[16]);
      CHECK_FALSE(info.terminated);
    } else {  // PC/SC contactless: 3B 88 80 01 E1 F3 5E 11 77 81 xx xx TCK
      CHECK(info.contactless);
      CHECK(info.kind == transport::CardKind::DnieContactless);
    }
  }
  // The virtual card's default contact ATR is the 2019 pcsc_scan one.
  VirtualCard card(test_image(), contact());
  bool same = false;
  for (const auto& a : logs()["atrs"]) same |= card.atr() == hx(a["atr"]);
  CHECK(same);
}

TEST_CASE("OpenSC issue 810: SELECT \"Master.File\" answers 61 1B on T=0, GET RESPONSE the 27-byte FCI") {
  const auto& p = pair("osc810-select-mf");
  VirtualCard::Impl card(test_image(), contact());
  CHECK(tx(card, p["command"].get<std::string>()) == p["response"].get<std::string>());
  // 6F 19: DF name 84 0B "Master.File" and the 85 0A descriptor (DF 38, FID 3F00).
  const Bytes fci = card.process(hex_bytes("00C000001B"));
  REQUIRE(fci.size() == 0x1B + 2);
  CHECK(to_hex(ByteView(fci).first(17)) == "6F19840B4D61737465722E46696C65850A");
  CHECK(to_hex(ByteView(fci).subview(17, 3)) == "383F00");
  CHECK(to_hex(ByteView(fci).subview(fci.size() - 2)) == "9000");
  // The same FCI parses as the SDK's select path reads it.
  auto outer = tlv::parse_single(ByteView(fci).first(fci.size() - 2));
  REQUIRE(outer);
  CHECK(outer->tag == 0x6F);
  CHECK(tlv::find(outer->value, 0x84)->value == ByteView::of("Master.File"));
  CHECK(tlv::find(outer->value, 0x85)->value.size() == 10);
}

TEST_CASE("PR 2109: a plain READ BINARY while a channel is open gets 69 87 and ends the channel") {
  const auto& p = pair("pr2109-plain-read-binary-6987");
  VirtualCard::Impl card(test_image(), contact());
  CHECK(tx(card, "00A4000002601F") == "610E");
  CHECK(tx(card, "00C000000E").substr(0, 4) == "6F0C");
  (void)open_cwa(card);
  CHECK(tx(card, p["command"].get<std::string>()) == p["response"].get<std::string>());
  CHECK_FALSE(card.sm.active());
  CHECK(card.session.channel == CwaChannel::None);
  // The channel is gone: the same plain command now reads (the file is public on contact).
  const Bytes again = card.process(hx(p["command"]));
  CHECK(again.size() == 0xFF + 2);
  CHECK(to_hex(ByteView(again).subview(0xFF)) == "9000");
}

TEST_CASE("PR 2109: a protected READ BINARY (DO'97' FF, no trailing Le) answers 61 00 on T=0") {
  const auto& p = pair("pr2109-read-binary-sm");
  const Bytes real = hx(p["command"]);
  VirtualCard::Impl card(test_image(), contact());
  CHECK(tx(card, "00A4000002601F") == "610E");
  (void)card.process(hex_bytes("00C000000E"));
  TermCwa t = open_cwa(card);
  const Bytes cmd = t.protect(0xB0, 0x00, 0x00, 0xFF);
  // The same form as the real card's command: header, Lc 0D, 97 01 FF, 8E 08 and the MAC.
  REQUIRE(cmd.size() == real.size());
  CHECK(to_hex(ByteView(cmd).first(10)) == to_hex(ByteView(real).first(10)));
  const Bytes first = card.process(cmd);
  CHECK(to_hex(first) == p["response"].get<std::string>());
  // 255 bytes → 87 82 01 01 01 ‖ 256 ‖ 99 02 90 00 ‖ 8E 08 ‖ 8: 275 bytes behind the 61 00.
  std::vector<std::string> gets;
  const Bytes all = collect(card, first, &gets);
  REQUIRE(all.size() == 275 + 2);
  CHECK(gets == std::vector<std::string>{"00C0000000", "00C0000013"});
  CHECK(to_hex(ByteView(all).first(5)) == "8782010101");
  CHECK(t.open(all) == to_hex(ByteView(pattern(600, 2)).first(0xFF)) + "9000");
  CHECK(card.sm.active());
}

TEST_CASE("OpenSC issue 1313: GET RESPONSE 21 fetches 87 11 01 ‖ 16, 99 02 90 00, 8E 08 ‖ 8") {
  const auto& p = pair("osc1313-get-response-sm");
  const Bytes real = hx(p["response"]);
  VirtualCard::Impl card(test_image(), contact());
  CHECK(tx(card,
           "00A4000002"
           "0006") == "610E");
  (void)card.process(hex_bytes("00C000000E"));
  TermCwa t = open_cwa(card);
  // The 9-byte IDESP under the channel: its protected answer has the real one's size.
  CHECK(to_hex(card.process(t.protect(0xB0, 0x00, 0x00, 0x00))) == "6121");
  const Bytes got = card.process(hx(p["command"]));
  REQUIRE(got.size() == real.size());
  const auto layout = [](ByteView r) {
    return to_hex(r.first(3)) + "|" + to_hex(r.subview(19, 6)) + "|" + to_hex(r.subview(r.size() - 2));
  };
  CHECK(layout(got) == layout(real));
  CHECK(layout(got) == "871101|990290008E08|9000");
  CHECK(t.open(got) == to_hex(ByteView::of("BMP100123")) + "9000");
}

TEST_CASE("real EF 2F03 version strings through Session::info") {
  for (const auto& v : logs()["version_strings"]) {
    const std::string text = v["value"];
    INFO(text << " (" << v["source"].get<std::string>() << ")");
    CardImage img = test_image();
    VFile* f = img.find_mut({0x2F03});
    REQUIRE(f != nullptr);
    f->content.assign(text.begin(), text.end());
    dnie::SessionOptions o;
    o.custom_transport = [&img]() -> Result<std::unique_ptr<transport::Transport>> {
      auto vt = std::make_unique<VirtualTransport>(std::make_unique<VirtualCard>(img, contact()));
      return std::unique_ptr<transport::Transport>(std::move(vt));
    };
    auto s = dnie::Session::open(o);
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    auto ci = (*s)->info();
    REQUIRE_MESSAGE(ci.ok(), ci.error().to_string());
    CHECK(ci->version == text);
    CHECK(ci->dnie_confirmed == std::optional<bool>(true));
    CHECK(ci->idesp == "BMP100123");
    CHECK(ci->chip_serial == img.chip_serial);
  }
}

TEST_CASE("real IDESP values pick the key-set generation; a real chip serial is 7 bytes") {
  auto reg = esign::KeySetRegistry::builtin();
  REQUIRE(reg.ok());
  for (const auto& v : logs()["idesp"]) {
    const std::string idesp = v["value"];
    INFO(idesp);
    auto c = reg->select({"", "", idesp});
    REQUIRE_MESSAGE(c.ok(), c.error().to_string());
    CHECK(c->generation == (idesp >= std::string("BMP100001") ? "r2" : "r1"));
  }
  for (const auto& s : logs()["chip_serials"]) CHECK(hx(s["value"]).size() == 7);
}
