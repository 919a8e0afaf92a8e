// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "dnie/apdu/apdu.hpp"
#include "dnie/apdu/status.hpp"
#include "dnie/apdu/trace.hpp"

using namespace dnie;
using namespace dnie::apdu;

static std::string enc(const CommandApdu& c, bool ext = true) { return to_hex(c.encode(ext).value()); }

TEST_CASE("cases 1-4 short form (ISO 7816-3 §12.1.2)") {
  CHECK(enc(CommandApdu(0x00, 0xA4, 0x00, 0x00)) == "00A40000");             // case 1
  CHECK(enc(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8)) == "0084000008");    // case 2
  CHECK(enc(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 256)) == "00B0000000");  // Le 256 → 00
  CHECK(enc(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, kLeMax)) == "00B0000000");
  CHECK(enc(CommandApdu(0x00, 0xA4, 0x00, 0x00, hex_bytes("011C"))) ==
        "00A4000002011C");  // case 3 (DNIe: no Le)
  CHECK(enc(CommandApdu(0x00, 0xA4, 0x04, 0x00, hex_bytes("A0000002471001"), 256)) ==
        "00A4040007A000000247100100");
  CHECK(CommandApdu(0x00, 0xA4, 0, 0, hex_bytes("01"), 1).iso_case() == 4);
}

TEST_CASE("extended form (ISO 7816-3 §12.1.3)") {
  Bytes big(300, 0xAA);
  CommandApdu c(0x00, 0x2A, 0x9E, 0x9A, big, 65536);
  CHECK(c.needs_extended());
  Bytes e = c.encode().value();
  CHECK(e.size() == 4 + 3 + 300 + 2);
  CHECK(to_hex(ByteView(e).first(7)) == "002A9E9A00012C");
  CHECK(to_hex(ByteView(e).last(2)) == "0000");
  CHECK(c.encode(false).error().code == ErrorCode::Unsupported);
  CHECK(enc(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 1000)) ==
        "00B00000"
        "0003E8");
  CHECK(to_hex(CommandApdu(0x00, 0xB0, 0, 0, {}, 4).encode_extended().value()) == "00B00000000004");
}

TEST_CASE("parse round trips and rejects inconsistent lengths") {
  for (const char* h : {"00A40000", "0084000008", "00A4000002011C", "00A4040007A000000247100100",
                        "00B00000000004", "00B000000003E8", "002A9E9A0000020102", "002A9E9A00000201020000"}) {
    auto c = CommandApdu::parse(hex_bytes(h));
    REQUIRE_MESSAGE(c.ok(), h);
    CHECK_MESSAGE(to_hex(c->parsed_extended() ? c->encode_extended().value() : c->encode(false).value()) == h,
                  h);
  }
  CHECK(CommandApdu::parse(hex_bytes("00A400")).error().code == ErrorCode::MalformedData);
  CHECK(CommandApdu::parse(hex_bytes("00A4000003011C")).error().code == ErrorCode::MalformedData);
  CHECK(CommandApdu::parse(hex_bytes("00A400000000")).error().code == ErrorCode::MalformedData);
  CHECK(*CommandApdu::parse(hex_bytes("00A40000000000")).value().le() == 65536);
  CHECK(CommandApdu::parse(hex_bytes("00A400000001")).error().code == ErrorCode::MalformedData);
  auto le256 = CommandApdu::parse(hex_bytes("00B0000000")).value();
  CHECK(*le256.le() == 256);
}

TEST_CASE("responses and status words are data") {
  auto r = ResponseApdu::parse(hex_bytes("0102 6282")).value();
  CHECK(r.sw() == 0x6282);
  CHECK(r.data().size() == 2);
  CHECK_FALSE(r.ok());
  CHECK(is_success_or_warning(r.sw()));
  CHECK(ResponseApdu::parse(hex_bytes("90")).error().code == ErrorCode::MalformedData);
  CHECK(to_hex(ResponseApdu(hex_bytes("AA"), 0x9000).encode()) == "AA9000");
  CHECK(is_more_data(0x6110));
  CHECK(is_wrong_le(0x6C08));
  CHECK(is_counter(0x63C2));
  CHECK(counter_value(0x63C2) == 2);
  CHECK_FALSE(is_success_or_warning(0x63C2));
}

TEST_CASE("status word catalogue maps to actionable errors") {
  CHECK(sw_error(0x6A82, "SELECT").code == ErrorCode::NotFound);
  CHECK(sw_error(0x6982, "READ").code == ErrorCode::AccessDenied);
  CHECK(sw_error(0x6983, "VERIFY").code == ErrorCode::PinBlocked);
  CHECK(sw_error(0x6988, "READ").code == ErrorCode::SecureMessagingError);
  auto e = sw_error(0x63C1, "VERIFY");
  CHECK(e.tries_left == 1);
  CHECK(e.sw == 0x63C1);
  CHECK(sw_meaning(0x6B00).find("offset") != std::string_view::npos);
  CHECK(expect_ok(ResponseApdu(0x9000), "x").ok());
  CHECK(expect_ok(ResponseApdu(0x6D00), "x").error().code == ErrorCode::Unsupported);
}

TEST_CASE("traces redact secrets") {
  CommandApdu verify(0x00, 0x20, 0x00, 0x00, ByteView::of("12345678"));
  std::string t = redact_command(verify);
  CHECK(t.find("3132") == std::string::npos);
  CHECK(t.find("redacted 8 bytes") != std::string::npos);
  CommandApdu read(0x00, 0xB0, 0x00, 0x00, {}, 4);
  CHECK(redact_command(read) == "00 B0 00 00 Le=4");
  CommandApdu ga(0x10, 0x86, 0x00, 0x00, hex_bytes("7C00"), 256);
  CHECK(redact_response(ga, ResponseApdu(hex_bytes("7C12801000"), 0x9000)).find("redacted") !=
        std::string::npos);
  CHECK(redact_response(read, ResponseApdu(hex_bytes("6014"), 0x9000)) == "60 14 9000");
}
