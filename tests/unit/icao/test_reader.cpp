// SPDX-License-Identifier: Apache-2.0
// LDS reading over a scripted transport: APDU economy (one SELECT, maximal chunks sized by the
// link, length from the TLV header), EOF handling, short EF identifiers, odd-INS offsets, and the
// document read that records unreadable DGs (DG3: 69 82) instead of failing.
#include "dnie/bytes/tlv.hpp"
#include "dnie/icao/lds.hpp"
#include "dnie/transport/scripted.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;
using transport::ScriptedTransport;

namespace {
Bytes file_of(std::uint8_t tag, std::size_t total) {
  // tag 82 hi lo <content> with a recognisable pattern; total = 4 + content.
  Bytes content(total - 4);
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return tlv::encode(tag, content);
}
Bytes part(const Bytes& f, std::size_t off, std::size_t n) {
  return Bytes(f.begin() + static_cast<std::ptrdiff_t>(off),
               f.begin() + static_cast<std::ptrdiff_t>(off + n));
}
Bytes ok(const Bytes& d) { return concat({d, hex_bytes("9000")}); }
transport::LinkLimits sm_limits() {
  transport::LinkLimits l;
  l.max_response_data = 223;  // PACE AES SM over 256-byte frames
  return l;
}
}  // namespace

TEST_CASE("read_ef: one SELECT, 223-byte chunks, length from the TLV header, progress") {
  Bytes f = file_of(0x75, 500);
  REQUIRE(f.size() == 500);
  ScriptedTransport t;
  t.set_limits(sm_limits());
  t.expect(hex_bytes("00A4020C020102"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000DF"), ok(part(f, 0, 223)));
  t.expect(hex_bytes("00B000DFDF"), ok(part(f, 223, 223)));
  t.expect(hex_bytes("00B001BE36"), ok(part(f, 446, 54)));
  std::vector<std::pair<std::size_t, std::size_t>> prog;
  auto r = read_ef(t, dg_fid(2), [&](std::size_t d, std::size_t n) { prog.emplace_back(d, n); });
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  CHECK(*r == f);
  CHECK(t.done());
  CHECK(t.exchanges() == 4);
  REQUIRE(prog.size() == 3);
  CHECK(prog.back() == std::make_pair(std::size_t{500}, std::size_t{500}));
}

TEST_CASE("read_ef: small file ends with 62 82; padding cut to the TLV length") {
  Bytes f = file_of(0x61, 95);
  Bytes padded = concat({f, Bytes(10, 0)});
  ScriptedTransport t;
  t.set_limits(sm_limits());
  t.expect(hex_bytes("00A4020C020101"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000DF"), concat({padded, hex_bytes("6282")}));
  auto r = read_ef(t, 0x0101);
  REQUIRE(r.ok());
  CHECK(*r == f);
  CHECK(t.exchanges() == 2);
}

TEST_CASE("read_ef: errors") {
  {
    ScriptedTransport t;
    t.expect(hex_bytes("00A4020C020105"), hex_bytes("6A82"));
    CHECK(read_ef(t, 0x0105).error().code == ErrorCode::NotFound);
  }
  {
    Bytes f = file_of(0x75, 500);
    ScriptedTransport t;
    t.set_limits(sm_limits());
    t.expect(hex_bytes("00A4020C020102"), hex_bytes("9000"));
    t.expect(hex_bytes("00B00000DF"), ok(part(f, 0, 223)));
    t.expect(hex_bytes("00B000DFDF"), hex_bytes("6B00"));
    CHECK(read_ef(t, 0x0102).error().code == ErrorCode::MalformedData);
  }
  {
    ScriptedTransport t;
    t.expect(hex_bytes("00A4020C020103"), hex_bytes("9000"));
    t.expect(hex_bytes("00B0000000"), hex_bytes("6982"));
    CHECK(read_ef(t, 0x0103).error().code == ErrorCode::AccessDenied);
  }
  {
    ScriptedTransport t;  // a header announcing 2 MB
    t.expect(hex_bytes("00A4020C020102"), hex_bytes("9000"));
    t.expect(hex_bytes("00B0000000"), hex_bytes("7583200000AABB9000"));
    CHECK(read_ef(t, 0x0102).error().code == ErrorCode::MalformedData);
  }
}

TEST_CASE("read_ef: short EF identifier saves the SELECT, falls back when refused") {
  Bytes f = file_of(0x60, 22);
  ReadOptions o;
  o.use_short_ef = true;
  {
    ScriptedTransport t;
    t.expect(hex_bytes("00B09E0000"), ok(f));
    auto r = read_ef(t, kFidCom, {}, o);
    REQUIRE(r.ok());
    CHECK(*r == f);
    CHECK(t.exchanges() == 1);
  }
  {
    ScriptedTransport t;
    t.expect(hex_bytes("00B09E0000"), hex_bytes("6A81"));
    t.expect(hex_bytes("00A4020C02011E"), hex_bytes("9000"));
    t.expect(hex_bytes("00B0000000"), ok(f));
    auto r = read_ef(t, kFidCom, {}, o);
    REQUIRE(r.ok());
    CHECK(t.done());
  }
}

TEST_CASE("read_ef: extended length chunks and READ BINARY B1 past offset 32767") {
  Bytes f = file_of(0x75, 45000);
  ScriptedTransport t;
  transport::LinkLimits l;
  l.extended_length = true;
  l.max_response_data = 65536;
  t.set_limits(l);
  ReadOptions o;
  o.max_chunk = 20000;
  t.expect(hex_bytes("00A4020C020102"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000004E20"), ok(part(f, 0, 20000)));
  t.expect(hex_bytes("00B04E20004E20"), ok(part(f, 20000, 20000)));
  t.expect(hex_bytes("00B10000000005540300 9C401388"), ok(tlv::encode(0x53, part(f, 40000, 5000))));
  auto r = read_ef(t, 0x0102, {}, o);
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  CHECK(*r == f);
}

TEST_CASE("LdsReader: AID once, EF.COM and EF.SOD lists, DG3 not readable (needs EAC)") {
  Bytes com = tlv::encode(
      0x60, concat({tlv::encode(0x5F01, ByteView::of("0107")), tlv::encode(0x5C, Bytes{0x61, 0x63})}));
  Bytes dg1 = file_of(0x61, 95);
  ScriptedTransport t;
  t.set_limits(sm_limits());
  t.expect(hex_bytes("00A4040C07A0000002471001"), hex_bytes("9000"));
  t.expect(hex_bytes("00A4020C02011E"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000DF"), concat({com, hex_bytes("6282")}));
  t.expect(hex_bytes("00A4020C02011D"), hex_bytes("6A82"));
  t.expect(hex_bytes("00A4020C020101"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000DF"), concat({dg1, hex_bytes("6282")}));
  t.expect(hex_bytes("00A4020C020103"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000DF"), hex_bytes("6982"));
  LdsReader reader(t);
  std::vector<std::uint16_t> seen;
  auto doc =
      reader.read_document({}, [&](std::uint16_t fid, std::size_t, std::size_t) { seen.push_back(fid); });
  REQUIRE_MESSAGE(doc.ok(), doc.error().to_string());
  CHECK(t.done());
  CHECK(doc->com == com);
  CHECK(doc->sod.empty());
  CHECK(*doc->dg(1) == dg1);
  REQUIRE(doc->unreadable.count(3) == 1);
  CHECK(doc->unreadable.at(3).message == "not readable (needs EAC)");
  CHECK(seen.front() == kFidCom);
  // The application stays selected.
  t.expect(hex_bytes("00A4020C020101"), hex_bytes("9000"));
  t.expect(hex_bytes("00B00000DF"), concat({dg1, hex_bytes("6282")}));
  CHECK(reader.read_dg(1).ok());
  CHECK(t.done());
}

TEST_CASE("LdsReader: DNIe route to DF 3F01 when the AID is not found; transport errors abort") {
  ScriptedTransport t;
  t.expect(hex_bytes("00A4040C07A0000002471001"), hex_bytes("6A82"));
  t.expect(hex_bytes("00A4000C023F01"), hex_bytes("9000"));
  LdsReader reader(t);
  CHECK(reader.select_application().ok());
  t.fail_next(Error(ErrorCode::CardRemoved, "gone"));
  CHECK(reader.read_document().error().code == ErrorCode::CardRemoved);
}
