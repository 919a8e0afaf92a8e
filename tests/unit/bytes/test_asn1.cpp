// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "dnie/bytes/asn1.hpp"

using namespace dnie;

TEST_CASE("OID text conversion") {
  // id-PACE-ECDH-GM-AES-CBC-CMAC-128 (BSI TR-03110-3 §A.1.1)
  CHECK(to_hex(asn1::oid("0.4.0.127.0.7.2.2.4.2.2")) == "060A04007F00070202040202");
  CHECK(asn1::oid_to_string(hex_bytes("04007F00070202040202")).value() == "0.4.0.127.0.7.2.2.4.2.2");
  CHECK(asn1::oid_to_string(hex_bytes("2A864886F70D010101")).value() == "1.2.840.113549.1.1.1");
  CHECK(asn1::oid_to_string(hex_bytes("8837")).value() == "2.999");
  CHECK(asn1::oid_to_string(hex_bytes("2A86")).error().code == ErrorCode::MalformedData);
  CHECK(asn1::oid_to_string(hex_bytes("2A8001")).error().code == ErrorCode::MalformedData);
  CHECK(asn1::oid_from_string("1.2.x").error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("INTEGER decoding and encoding") {
  CHECK(to_hex(asn1::integer_unsigned(hex_bytes("00FF")).value()) == "FF");
  CHECK(asn1::integer_unsigned(hex_bytes("FF")).error().code == ErrorCode::MalformedData);
  CHECK(to_hex(asn1::integer_unsigned(hex_bytes("FF01"), true).value()) == "FF01");
  CHECK(asn1::integer_value(hex_bytes("FF")).value() == -1);
  CHECK(asn1::integer_value(hex_bytes("0100")).value() == 256);
  CHECK(to_hex(asn1::integer(hex_bytes("0080"))) == "02020080");
  CHECK(to_hex(asn1::integer(hex_bytes("0000"))) == "020100");
  CHECK(to_hex(asn1::integer(std::int64_t{-129})) == "0202FF7F");
  CHECK(to_hex(asn1::integer(std::int64_t{127})) == "02017F");
}

TEST_CASE("times") {
  auto t = asn1::parse_time(asn1::kUtcTime, ByteView::of("160823000000Z")).value();
  CHECK(asn1::format_time(t) == "2016-08-23T00:00:00Z");
  auto g = asn1::parse_time(asn1::kGeneralizedTime, ByteView::of("20501231235959Z")).value();
  CHECK(asn1::format_time(g) == "2050-12-31T23:59:59Z");
  CHECK(asn1::parse_time(asn1::kUtcTime, ByteView::of("491231235959Z")).value() < g);
  CHECK(asn1::parse_time(asn1::kUtcTime, ByteView::of("161323000000Z")).error().code ==
        ErrorCode::MalformedData);
  CHECK(asn1::parse_time(asn1::kUtcTime, ByteView::of("160823000000+0100")).error().code ==
        ErrorCode::MalformedData);
  CHECK(to_hex(asn1::x509_time(t)) == to_hex(asn1::utc_time(t)));
  CHECK(asn1::x509_time(g)[0] == asn1::kGeneralizedTime);
}

TEST_CASE("strings and SET OF ordering") {
  Bytes enc = hex_bytes("1E0400C100E9");
  auto bmp = tlv::parse_single(enc).value();
  CHECK(asn1::string_value(bmp).value() == "\xC3\x81\xC3\xA9");  // "Áé"
  CHECK(to_hex(asn1::set({hex_bytes("0201FF"), hex_bytes("020101")})) ==
        "3106020101"
        "0201FF");
}
