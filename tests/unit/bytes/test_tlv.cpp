// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "dnie/bytes/tlv.hpp"

using namespace dnie;

TEST_CASE("parse simple and multi-byte tags") {
  Bytes b = hex_bytes("5F1F03414243");
  auto t = tlv::parse_single(b).value();
  CHECK(t.tag == 0x5F1F);
  CHECK(t.value == ByteView(hex_bytes("414243")));
  CHECK(t.header_size() == 3);
  CHECK_FALSE(t.constructed());
  auto c = tlv::parse_single(hex_bytes("7F4903860100")).value();
  CHECK(c.tag == 0x7F49);
  CHECK(c.constructed());
  CHECK(c.tag_class() == 1);
  auto three = tlv::parse_single(hex_bytes("9F810100")).value();
  CHECK(three.tag == 0x9F8101);
}

TEST_CASE("definite lengths up to four bytes") {
  for (std::size_t len : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u}) {
    Bytes v(len, 0xAB);
    Bytes enc = tlv::encode(0x04, v);
    auto t = tlv::parse_single(enc, tlv::Mode::Der).value();
    CHECK(t.value.size() == len);
  }
  CHECK(to_hex(tlv::encode_length(0x80)) == "8180");
  CHECK(to_hex(tlv::encode_length(0x100)) == "820100");
  CHECK(to_hex(tlv::encode_length(0x10000)) == "83010000");
  CHECK(to_hex(tlv::encode_length(0x1000000)) == "8401000000");
}

TEST_CASE("strict on malformed input") {
  auto code = [](const char* h, tlv::Mode m = tlv::Mode::Ber) {
    auto r = tlv::parse_single(hex_bytes(h), m);
    return r ? ErrorCode::Ok : r.error().code;
  };
  CHECK(code("3080") == ErrorCode::MalformedData);              // indefinite length
  CHECK(code("04850000000001AA") == ErrorCode::MalformedData);  // 5 length bytes
  CHECK(code("0405AABB") == ErrorCode::MalformedData);          // truncated value
  CHECK(code("5F") == ErrorCode::MalformedData);                // truncated tag
  CHECK(code("04") == ErrorCode::MalformedData);                // missing length
  CHECK(code("0482") == ErrorCode::MalformedData);              // truncated length
  CHECK(code("0401AABB") == ErrorCode::MalformedData);          // trailing bytes
  CHECK(code("1F8181818100") == ErrorCode::MalformedData);      // tag over 4 bytes
  CHECK(code("048101AA") == ErrorCode::Ok);                     // BER accepts non-minimal
  CHECK(code("048101AA", tlv::Mode::Der) == ErrorCode::MalformedData);
  CHECK(code("04820001AA", tlv::Mode::Der) == ErrorCode::MalformedData);
  CHECK(code("") == ErrorCode::MalformedData);
}

TEST_CASE("parse_all, reader and find") {
  Bytes b = hex_bytes("8001018102AABB8300");
  auto all = tlv::parse_all(b).value();
  REQUIRE(all.size() == 3);
  CHECK(all[1].tag == 0x81);
  tlv::Reader r(b);
  CHECK(r.peek_tag() == 0x80);
  CHECK(r.expect(0x80).ok());
  CHECK(r.expect(0x80).error().code == ErrorCode::MalformedData);  // 0x81 found
  CHECK(tlv::find(b, 0x83).value().value.empty());
  CHECK(tlv::find(b, 0x84).error().code == ErrorCode::NotFound);
  CHECK(tlv::parse_all(hex_bytes("800101FF")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("header-only parsing sizes a file from its prefix") {
  auto h = tlv::parse_header(hex_bytes("7582 3A 10 7F61")).value();
  CHECK(h.tag == 0x75);
  CHECK(h.header_size == 4);
  CHECK(h.total_size == 4 + 0x3A10);
  CHECK(tlv::parse_header(hex_bytes("7580")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("building") {
  CHECK(to_hex(tlv::encode(0x5F1F, hex_bytes("AA"))) == "5F1F01AA");
  CHECK(to_hex(tlv::encode_constructed(0x7C, {hex_bytes("8001AA"), hex_bytes("8100")})) == "7C058001AA8100");
  Bytes out;
  tlv::append_tag(out, 0x9F8101);
  CHECK(to_hex(out) == "9F8101");
}
