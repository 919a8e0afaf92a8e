// SPDX-License-Identifier: Apache-2.0
// Card engine: ATR, GET CHIP INFO, GET CHALLENGE, class/instruction errors, terminated card,
// VirtualTransport and the link model.
#include "engine_fixture.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

TEST_CASE("ATR: contact (byte 15 = 04), terminated, contactless") {
  CardOptions o;
  o.contactless = false;
  VirtualCard card(test_image(), o);
  Bytes atr = card.power_on();
  CHECK(to_hex(atr) ==
        "3B7F96000000"
        "6A444E4965"
        "1001015504210390"
        "00");
  CHECK(atr[15] == 0x04);
  CardImage t = test_image();
  t.terminated = true;
  VirtualCard dead(std::move(t), o);
  CHECK(to_hex(dead.atr()).substr(34) == "0F6581");
  CHECK(tx(dead, "00A404000B4D61737465722E46696C65") == "6985");  // every command refused
  CHECK(tx(dead, "90B8000007") == "6985");
  VirtualCard nfc(test_image(), CardOptions{});
  CHECK(to_hex(nfc.atr()) == "3B888001E1F35E117781A10003");
}

TEST_CASE("GET CHIP INFO and GET CHALLENGE") {
  VirtualCard::Impl card(test_image(), CardOptions{});
  CHECK(tx(card, "90B8000007") == "010203040506079000");
  CHECK(tx(card, "90B8010007") == "6A86");
  card.forced_random = {hx("1122334455667788")};
  CHECK(tx(card, "0084000008") == "11223344556677889000");
  CHECK(card.session.challenge == hx("1122334455667788"));
  CHECK(tx(card, "0084000014").size() == (20 + 2) * 2);
  CHECK(tx(card, "0084000010") == "6700");
  CHECK(tx(card, "0084000000") == "6700");
}

TEST_CASE("class and instruction errors") {
  VirtualCard::Impl card(test_image(), CardOptions{});
  CHECK(tx(card, "00FF0000") == "6D00");
  CHECK(tx(card, "A0A40000020006") == "6E00");
  CHECK(tx(card, "FFA40000020006") == "6E00");
  CHECK(tx(card, "01A40000020006") == "6881");
  CHECK(tx(card, "00B8000007") == "6E00");  // GET CHIP INFO needs the proprietary class
  CHECK(tx(card, "10A40000020006") == "6884");
  CHECK(tx(card, "00A4") == "6700");
  CHECK(tx(card, "00860100027C00") == "6A86");
  CHECK(tx(card, "0022C1A40500") == "6700");  // Lc 5 with one byte of data
  CHECK(tx(card, "0022FFFF00") == "6A86");
  CHECK(tx(card, "0022F1A4028000") == "6A86");
  card.power_off();
  CHECK_FALSE(card.powered);
  CHECK(tx(card, "90B8000007") == "6F00");
}

TEST_CASE("VirtualTransport: limits, interface, fault hook, reconnect") {
  auto vc = std::make_unique<VirtualCard>(test_image(), CardOptions{});
  VirtualTransport t(std::move(vc));
  CHECK(t.name() == "virtual");
  CHECK(t.interface_type() == transport::Interface::Contactless);
  CHECK(t.limits().max_command_data == 255);
  CHECK(t.limits().max_response_data == 256);
  CHECK_FALSE(t.limits().extended_length);
  CHECK(to_hex(t.atr()) == "3B888001E1F35E117781A10003");
  auto r = t.transmit(apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7));
  REQUIRE(r);
  CHECK(r->sw() == 0x9000);
  CHECK(to_hex(r->data()) == "01020304050607");
  t.set_fault_hook([](std::size_t i, const apdu::CommandApdu&) -> std::optional<Error> {
    if (i == 1) return make_error(ErrorCode::CardRemoved, "gone");
    return std::nullopt;
  });
  auto f = t.transmit(apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7));
  REQUIRE_FALSE(f);
  CHECK(f.error().code == ErrorCode::CardRemoved);
  CHECK(t.transmit(apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7)));
  t.card().power_off();
  CHECK_FALSE(t.transmit(apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7)));
  CHECK(t.reconnect(true));
  CHECK(t.transmit(apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7)));

  CardOptions o;
  o.contactless = false;
  o.extended_length = true;
  VirtualCard c2(test_image(), o);
  VirtualTransport t2(c2);
  CHECK(t2.interface_type() == transport::Interface::Contact);
  CHECK(t2.limits().max_command_data == 65535);
  CHECK(t2.limits().max_response_data == 65536);
}

TEST_CASE("link model accumulates framing, bit rate and processing costs") {
  LinkModel m;
  m.enabled = true;
  m.bit_rate_kbps = 106;
  m.frame_size = 64;
  m.turnaround_ms = 1.0;
  // 5-byte command, 258-byte response: 1 + 5 frames (61-byte payload) and 4 R(ACK)s.
  const double t = link_time_ms(m, 5, 258);
  CHECK(t == doctest::Approx(((5 + 258) * 8.0 + 10 * 24.0) / 106.0 + 5 * 1.0));
  CardOptions o;
  o.link = m;
  VirtualCard card(test_image(), o);
  CHECK(card.modeled_time_ms() == 0);
  tx(card, "90B8000007");
  const double one = card.modeled_time_ms();
  CHECK(one > 0);
  card.reset_modeled_time();
  CHECK(card.modeled_time_ms() == 0);
  CHECK(cost::scalar_mult(32) == doctest::Approx(50.0));
  CHECK(cost::rsa_private(256) == doctest::Approx(200.0));
}
