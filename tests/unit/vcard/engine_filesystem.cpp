// SPDX-License-Identifier: Apache-2.0
// Card engine: SELECT / READ BINARY / FCI / access rules (docs/dnie-card.md §2, §4.1, §5.2).
#include "engine_fixture.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

namespace {
// Contact, with the answers of T=1 (direct data): what the APDU-level checks below compare. The
// T=0 behaviour (61 xx, GET RESPONSE) has its own test.
CardOptions contact() {
  CardOptions o;
  o.contactless = false;
  o.t0 = false;
  return o;
}
}  // namespace

TEST_CASE("SELECT by DF name, FID, AID and parent returns the 85 0A FCI") {
  VirtualCard::Impl card(test_image(), contact());
  // MF by name "Master.File": type 38, FID 3F00, size 0, ACL from the image.
  CHECK(tx(card, "00A404000B4D61737465722E46696C65") ==
        "6F19840B4D61737465722E46696C65"  // 84: the DF name (27 bytes, as 61 1B on a real card)
        "850A383F00000000"
        "00FFFFFF"
        "9000");
  // By FID without Le (JMC) and with Le (OpenSC): same FCI.
  CHECK(tx(card, "00A40000020006") ==
        "6F0C850A010006"
        "0009"
        "00FFFFFFFF"
        "9000");
  CHECK(tx(card, "00A4000002606100") ==
        "6F0C850A386061"
        "0000"
        "0000FFFFFF"
        "9000");
  CHECK(tx(card, "00A40000027001") ==
        "6F0C850A247001"
        "0514"
        "00FFFFFFFF"
        "9000");  // compressed cert
  // Parent of 6061 is the MF.
  CHECK(tx(card, "00A4030000") ==
        "6F19840B4D61737465722E46696C65850A383F00"
        "0000"
        "0000FFFFFF"
        "9000");
  // ICAO AID selects DF 3F01; P2=0C gives no FCI.
  CHECK(tx(card, "00A4040C07A0000002471001") == "9000");
  CHECK(tx(card, "00A4020C02011E") == "9000");
  CHECK(tx(card, "00A40000023F00") ==
        "6F19840B4D61737465722E46696C65850A383F00"
        "0000"
        "0000FFFFFF"
        "9000");
  // PIN file 0000: key EF type 15, plain 10-byte form.
  CHECK(tx(card, "00A40000020000") ==
        "6F0C850A150000"
        "000A"
        "00FFFFFFFF"
        "9000");
  // Path selection from the MF.
  CHECK(tx(card, "00A40800045015600100") ==
        "6F0C850A016001"
        "0834"
        "00FFFFFFFF"
        "9000");
}

TEST_CASE("SELECT errors") {
  VirtualCard::Impl card(test_image(), contact());
  CHECK(tx(card, "00A40000021234") == "6A82");
  CHECK(tx(card, "00A404000A4D61737465722E46696C") == "6A82");  // partial name
  CHECK(tx(card, "00A40500021234") == "6A86");                  // bad P1
  CHECK(tx(card, "00A40001020006") == "6A86");                  // bad P2
  CHECK(tx(card, "00A4000003000600") == "6700");                // FID of 3 bytes (Lc 3, Le 00? → case 4)
  CHECK(tx(card, "00A40300") == "6A82");                        // no parent of the MF
  CHECK(tx(card, "00A40000020006FFFF") == "6700");              // inconsistent length
}

TEST_CASE("contact T=0: an answer with data to a command with data comes as 61 xx and GET RESPONSE") {
  // OpenSC issue 810 (a DNIe 3.0 on T=0): 00 A4 04 00 0B "Master.File" → 61 1B; the FCI is then
  // fetched with GET RESPONSE (ISO/IEC 7816-3 §12.2.3).
  CardOptions o = contact();
  o.t0 = true;
  VirtualCard::Impl card(test_image(), o);
  CHECK(tx(card, "00A404000B4D61737465722E46696C65") == "611B");
  CHECK(tx(card, "00C000001B") == "6F19840B4D61737465722E46696C65850A383F0000000000FFFFFF9000");
  // READ BINARY (no command data) answers directly.
  CHECK(tx(card, "00A40000020006") == "610E");
  CHECK(tx(card, "00C000000E") == "6F0C850A010006000900FFFFFFFF9000");
  CHECK(tx(card, "00B0000009").size() == 2 * (9 + 2));
}

TEST_CASE("READ BINARY: offsets, 62 82, 6B 00, Le 00, SFI") {
  VirtualCard::Impl card(test_image(), contact());
  REQUIRE(tx(card, "00A40000020006").size() > 4);
  CHECK(tx(card, "00B0000004") == "424D50319000");
  CHECK(tx(card, "00B0000300") ==
        "313030313233"
        "9000");  // Le 00: what is left, 9000
  CHECK(tx(card, "00B0000310") ==
        "313030313233"
        "6282");                            // explicit Le past the end
  CHECK(tx(card, "00B0000901") == "6282");  // at the end
  CHECK(tx(card, "00B0000A01") == "6B00");  // beyond the end
  // Le 00 on a large file: 256 bytes.
  REQUIRE(tx(card, "00A4000002601F").substr(0, 4) == "6F0C");
  Bytes all = card.process(hex_bytes("00B0000000"));
  CHECK(all.size() == 258);
  CHECK(ByteView(all).subview(0, 256) == ByteView(pattern(600, 2)).subview(0, 256));
  // Offset 0x0200 reads the tail.
  Bytes tail = card.process(hex_bytes("00B0020000"));
  CHECK(tail.size() == 88 + 2);
  // Offsets above 32767 are SFI reads: 0x81 = SFI 01 does not exist at MF level.
  CHECK(tx(card, "00B0810000") == "6A82");
  // SFI 1C: EF.CardAccess from the MF.
  CHECK(tx(card, "00B09C0000") == to_hex(card_access_gm13()) + "9000");
  // No current EF after selecting a DF.
  tx(card, "00A40000025015");
  CHECK(tx(card, "00B0000004") == "6986");
  // Key EFs are never readable.
  tx(card, "00A40000020000");
  CHECK(tx(card, "00B0000004") == "6982");
}

TEST_CASE("contact: ICAO DF needs PACE, MF files are plain; DG3 always 69 82") {
  VirtualCard::Impl card(test_image(), contact());
  tx(card, "00A4040C07A0000002471001");
  CHECK(tx(card, "00B0810004") == "6982");  // DG1 by SFI
  // With a PACE secure channel (keys set directly) the DG becomes readable, DG3 never.
  card.sm.start(SmSuite::Aes, SecureBuffer(Bytes(16, 1)), SecureBuffer(Bytes(16, 2)), SecureBuffer(16));
  card.session.pace_password = Password::Can;
  std::uint16_t sw = 0;
  card.session.df_path = {&card.image.mf, &card.image.mf.children[9]};
  CHECK(card.may_read(card.image.mf.children[9].children[0], &sw));
  CHECK_FALSE(card.may_read(card.image.mf.children[9].children[1], &sw));
  CHECK(sw == 0x6982);
}

TEST_CASE("contactless: only EF.CardAccess and 2F01 are free") {
  VirtualCard::Impl card(test_image(), CardOptions{});
  CHECK(tx(card, "00A4000C02011C") == "9000");
  CHECK(tx(card, "00B0000004") == "311430129000");
  CHECK(tx(card, "00A4000C022F01") == "9000");
  CHECK(tx(card, "00B0000002") == to_hex(ByteView(pattern(20, 1)).first(2)) + "9000");
  CHECK(tx(card, "00A4000C020006") == "9000");
  CHECK(tx(card, "00B0000004") == "6982");
  CHECK(tx(card, "00A4000C02601F") == "9000");
  CHECK(tx(card, "00B0000004") == "6982");
}

TEST_CASE("long responses use 61xx and GET RESPONSE") {
  CardOptions o = contact();
  o.max_response = 100;
  VirtualCard::Impl card(test_image(), o);
  tx(card, "00A4000C02601F");
  Bytes r = card.process(hex_bytes("00B00000F0"));  // 240 bytes requested
  REQUIRE(r.size() == 102);
  CHECK(r[100] == 0x61);
  CHECK(r[101] == 140);
  Bytes r2 = card.process(hex_bytes("00C0000000"));
  REQUIRE(r2.size() == 102);
  CHECK(r2[100] == 0x61);
  CHECK(r2[101] == 40);
  Bytes r3 = card.process(hex_bytes("00C0000028"));
  REQUIRE(r3.size() == 42);
  CHECK(r3[40] == 0x90);
  Bytes joined(r.begin(), r.begin() + 100);
  joined.insert(joined.end(), r2.begin(), r2.begin() + 100);
  joined.insert(joined.end(), r3.begin(), r3.begin() + 40);
  const Bytes src = pattern(600, 2);
  CHECK(joined == Bytes(src.begin(), src.begin() + 240));
  CHECK(tx(card, "00C0000010") == "6985");  // nothing pending
}

TEST_CASE("extended length only when enabled") {
  VirtualCard::Impl card(test_image(), contact());
  tx(card, "00A4000C02601F");
  CHECK(tx(card, "00B00000000100") == "6700");
  CardOptions o = contact();
  o.extended_length = true;
  o.max_response = 65536;
  VirtualCard::Impl ext(test_image(), o);
  tx(ext, "00A4000C02601F");
  Bytes r = ext.process(hex_bytes("00B00000000000"));  // Le 0000: everything
  CHECK(r.size() == 602);
}
