// SPDX-License-Identifier: Apache-2.0
// The PN532 emulator's frame parser and command core, without a pty or libnfc.
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "dnie/transport/nfc.hpp"

#include "pn532_emulator.hpp"

using namespace dnie;
using namespace dnie::tools;

namespace {

Bytes card(ByteView apdu) {
  if (apdu.size() >= 2 && apdu[1] == 0xA4) return {0x90, 0x00};
  if (apdu.size() >= 2 && apdu[1] == 0xBB) {  // a long answer (600 bytes + SW)
    Bytes r(600);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(i);
    append(r, {0x90, 0x00});
    return r;
  }
  Bytes r = apdu.to_bytes();  // echo
  append(r, {0x90, 0x00});
  return r;
}

Bytes cmd(std::string_view hex) { return pn532::encode_frame(hex_bytes(hex)); }

// Splits emulator output into frames; every byte must belong to a valid frame.
std::vector<pn532::Frame> frames_of(ByteView out) {
  pn532::FrameParser p;
  p.feed(out);
  std::vector<pn532::Frame> v;
  while (auto f = p.next()) v.push_back(*f);
  CHECK(p.rejected() == 0);
  CHECK(p.buffered() == 0);
  return v;
}

// Sends one command payload and returns the response payload (after the ACK).
Bytes call(Pn532Emulator& emu, std::string_view hex) {
  auto fr = frames_of(emu.on_host_bytes(cmd(hex)));
  REQUIRE(fr.size() == 2);
  CHECK(fr[0].kind == pn532::FrameKind::Ack);
  return fr[1].kind == pn532::FrameKind::Information ? fr[1].payload : Bytes{0x7F};
}

}  // namespace

TEST_CASE("pn532 frames: normal and extended encodings round-trip (UM0701 §6.2.1)") {
  CHECK(to_hex(pn532::encode_frame(hex_bytes("D414 01"))) == "0000FF03FDD414011700");
  Bytes big(pn532::kMaxFrameLen, 0xA5);  // 265 = 0x0109
  big[0] = 0xD5;
  Bytes ext = pn532::encode_frame(big);
  CHECK(to_hex(ByteView(ext).first(8)) == "0000FFFFFF0109F6");
  pn532::FrameParser p;
  p.feed(ByteView(ext).first(100));
  CHECK_FALSE(p.next().has_value());  // truncated: waits
  p.feed(ByteView(ext).subview(100));
  auto f = p.next();
  REQUIRE(f.has_value());
  CHECK(f->payload == big);
}

TEST_CASE("pn532 frames: wake-up bytes, ACK, NACK and byte-by-byte feeding") {
  pn532::FrameParser p;
  Bytes stream = hex_bytes("55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  append(stream, pn532::kAck);
  append(stream, cmd("D4 02"));
  append(stream, pn532::kNack);
  for (std::uint8_t b : stream) p.feed(ByteView(&b, 1));
  auto a = p.next();
  REQUIRE(a);
  CHECK(a->kind == pn532::FrameKind::Ack);
  auto i = p.next();
  REQUIRE(i);
  CHECK(i->kind == pn532::FrameKind::Information);
  CHECK(to_hex(i->payload) == "D402");
  auto n = p.next();
  REQUIRE(n);
  CHECK(n->kind == pn532::FrameKind::Nack);
  CHECK_FALSE(p.next());
}

TEST_CASE("pn532 frames: bad LCS, bad DCS, zero and oversized lengths are skipped") {
  pn532::FrameParser p;
  Bytes bad_lcs = cmd("D4 02");
  bad_lcs[4] ^= 0x01;
  Bytes bad_dcs = cmd("D4 02");
  bad_dcs[bad_dcs.size() - 2] ^= 0x40;
  Bytes zero = hex_bytes("0000FF0000");             // LEN 0 with LCS 0
  Bytes oversized = hex_bytes("0000FFFFFF0400FC");  // extended, 1024 bytes announced
  for (const Bytes& b : {bad_lcs, bad_dcs, zero, oversized}) p.feed(b);
  p.feed(cmd("D4 4A 01 03 00"));
  auto f = p.next();
  REQUIRE(f);
  CHECK(to_hex(f->payload) == "D44A010300");
  CHECK(p.rejected() == 4);
}

TEST_CASE("pn532 emulator: libnfc's init sequence is answered") {
  Pn532Emulator emu(card);
  CHECK(to_hex(call(emu, "D4 14 01")) == "D515");
  CHECK(to_hex(call(emu, "D4 00 00 6C 69 62 6E 66 63")) == "D501006C69626E6663");
  CHECK(to_hex(call(emu, "D4 02")) == "D50332010607");
  CHECK(to_hex(call(emu, "D4 12 14")) == "D513");
  CHECK(to_hex(call(emu, "D4 06 63 02 63 03 63 0D")) == "D507000000");
  CHECK(to_hex(call(emu, "D4 08 63 02 80")) == "D509");
  CHECK(to_hex(call(emu, "D4 32 05 FF FF FF")) == "D533");
  CHECK(to_hex(call(emu, "D4 16 F0")) == "D51700");
  CHECK(to_hex(call(emu, "D4 52 00")) == "D55300");
  // Unknown command (TgInitAsTarget): ACK + error frame (§6.2.1.5).
  auto fr = frames_of(emu.on_host_bytes(cmd("D4 8C 00")));
  REQUIRE(fr.size() == 2);
  CHECK(fr[1].kind == pn532::FrameKind::Error);
  // Frames for another TFI are ignored; a NACK repeats the last response.
  CHECK(emu.on_host_bytes(cmd("D5 03")).empty());
  CHECK(to_hex(call(emu, "D4 02")) == "D50332010607");
  auto again = frames_of(emu.on_host_bytes(pn532::kNack));
  REQUIRE(again.size() == 1);
  CHECK(to_hex(again[0].payload) == "D50332010607");
}

TEST_CASE("pn532 emulator: InListPassiveTarget Type B layout (UM0701 §7.3.5)") {
  Pn532Emulator emu(card);
  int activations = 0;
  emu.set_activation_handler([&] { ++activations; });
  // NbTg 1, Tg 1, ATQB 50 PUPI AppData ProtInfo, ATTRIB_RES length 1, ATTRIB_RES 00.
  CHECK(to_hex(call(emu, "D4 4A 01 03 00")) == "D54B0101501A2B3C4DE1F35E117781A10100");
  CHECK(activations == 1);
  CHECK(to_hex(call(emu, "D4 4A 01 00")) == "D54B00");  // no Type A unless configured
  for (const char* brty : {"D4 4A 01 01 00 FF FF 00 00", "D4 4A 01 02 00 FF FF 00 00", "D4 4A 01 04"})
    CHECK(to_hex(call(emu, brty)) == "D54B00");
  CHECK(to_hex(call(emu, "D4 42 06 00")) == "D54301");           // InCommunicateThru probe: timeout
  CHECK(to_hex(call(emu, "D4 40 01 00 A4 04 00")) == "D54127");  // no target selected
}

TEST_CASE("pn532 emulator: Type A option and the synthesised ATRs agree") {
  Pn532Target t;
  t.emulate_type_a = true;
  t.emulate_type_b = false;
  Pn532Emulator emu(card, t);
  CHECK(to_hex(call(emu, "D4 4A 01 03 00")) == "D54B00");
  CHECK(to_hex(call(emu, "D4 4A 01 00")) ==
        "D54B010100042004081122330D788070"
        "02E1F35E117781A100");
  auto atr_a = transport::pcsc_atr_type_a(t.ats);
  REQUIRE(atr_a);
  const Bytes dnie_atr = hex_bytes("3B 88 80 01 E1 F3 5E 11 77 81 A1 00 03");
  CHECK(*atr_a == dnie_atr);
  CHECK(transport::pcsc_atr_type_b(t.app_data, t.protocol_info, 0x01) == dnie_atr);
  CHECK(transport::pcsc_atr_type_b(t.app_data, t.protocol_info, 0x10) ==
        hex_bytes("3B 88 80 01 E1 F3 5E 11 77 81 A1 10 13"));
  CHECK(transport::pcsc_atr_type_a(hex_bytes("70 01")).error().code == ErrorCode::MalformedData);
  CHECK(transport::pcsc_atr_type_a(Bytes{}).value() == hex_bytes("3B 80 80 01 01"));
}

TEST_CASE("pn532 emulator: InDataExchange, MI chaining both ways, removal") {
  Pn532Emulator emu(card);
  call(emu, "D4 4A 01 03 00");
  CHECK(to_hex(call(emu, "D4 40 01 00 A4 04 00")) == "D541009000");
  // Host chaining: Tg with MI (0x41) then the last part.
  CHECK(to_hex(call(emu, "D4 40 41 00 EE 00 00")) == "D54100");
  CHECK(to_hex(call(emu, "D4 40 01 02 AA BB")) == "D5410000EE000002AABB9000");
  // A 602-byte answer: status MI + 262 bytes, then empty exchanges fetch the rest.
  Bytes r1 = call(emu, "D4 40 01 00 BB 00 00 00");
  REQUIRE(r1.size() == 3 + 262);
  CHECK(r1[2] == 0x40);
  Bytes r2 = call(emu, "D4 40 01");
  REQUIRE(r2.size() == 3 + 262);
  CHECK(r2[2] == 0x40);
  Bytes r3 = call(emu, "D4 40 01");
  REQUIRE(r3.size() == 3 + 602 - 524);
  CHECK(r3[2] == 0x00);
  CHECK(to_hex(ByteView(r3).last(2)) == "9000");
  CHECK(r2[3] == static_cast<std::uint8_t>(262));  // continuity of the 0..599 pattern
  // A 255-byte command data field arrives in an extended frame.
  Bytes big = hex_bytes("D4 40 01 00 EE 00 00 FF");
  big.resize(big.size() + 255, 0x42);
  auto fr = frames_of(emu.on_host_bytes(pn532::encode_frame(big)));
  REQUIRE(fr.size() == 2);
  CHECK(fr[1].payload.size() == 3 + 5 + 255 + 2);
  // The card leaves the field after one more APDU.
  const std::size_t before = emu.apdu_count();
  emu.remove_after(1);
  CHECK(to_hex(call(emu, "D4 40 01 00 A4 04 00")) == "D541009000");
  CHECK(to_hex(call(emu, "D4 40 01 00 A4 04 00")) == "D54101");
  CHECK(emu.apdu_count() == before + 1);
  CHECK_FALSE(emu.card_present());
  CHECK(to_hex(call(emu, "D4 42 BA 01")) == "D54301");  // presence check fails
  CHECK(to_hex(call(emu, "D4 4A 01 03 00")) == "D54B00");
  emu.set_card_present(true);
  CHECK(to_hex(call(emu, "D4 4A 01 03 00")).substr(0, 8) == "D54B0101");
  CHECK(to_hex(call(emu, "D4 42 BA 01")) == "D54300AA01");  // R(NAK) → R(ACK)
}

TEST_CASE("pn532 emulator: random garbage never crashes and output stays well-formed") {
  Pn532Emulator emu(card);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255), len(0, 64);
  const Bytes interesting[] = {cmd("D4 4A 01 03 00"), cmd("D4 40 01 00 A4 04 00"),
                               cmd("D4 40 41 01"),    hex_bytes("0000FFFFFF"),
                               hex_bytes("0000FF"),   Bytes(pn532::kAck.begin(), pn532::kAck.end())};
  for (int iter = 0; iter < 3000; ++iter) {
    Bytes in;
    const int n = len(rng);
    for (int k = 0; k < n; ++k) in.push_back(static_cast<std::uint8_t>(byte(rng)));
    if (iter % 3 == 0) append(in, interesting[static_cast<std::size_t>(iter / 3) % 6]);
    Bytes out = emu.on_host_bytes(in);
    pn532::FrameParser check;
    check.feed(out);
    while (check.next()) {
    }
    CHECK(check.rejected() == 0);
  }
}
