// SPDX-License-Identifier: Apache-2.0
#include <vector>

#include <doctest/doctest.h>

#include "dnie/transport/scripted.hpp"

using namespace dnie;
using namespace dnie::transport;

TEST_CASE("61xx is followed with GET RESPONSE and data concatenated") {
  ScriptedTransport t;
  t.expect("00B0000000", "AABB6102").expect("00C0000002", "CCDD9000");
  auto r = transceive(t, CommandApdu(0x00, 0xB0, 0, 0, {}, 256)).value();
  CHECK(to_hex(r.data()) == "AABBCCDD");
  CHECK(r.sw() == 0x9000);
  CHECK(t.done());
}

TEST_CASE("6Cxx re-sends once with the exact Le") {
  ScriptedTransport t;
  t.expect("00CA010000", "6C05").expect("00CA010005", "01020304059000");
  auto r = transceive(t, CommandApdu(0x00, 0xCA, 0x01, 0x00, {}, 256)).value();
  CHECK(r.data().size() == 5);
  CHECK(t.done());
}

TEST_CASE("command chaining splits long data (ISO 7816-4 §5.1.1.1)") {
  ScriptedTransport t;
  t.set_limits(LinkLimits{4, 256, false});
  t.expect("102A00AE0401020304", "9000").expect("002A00AE020506", "9000");
  auto r = transceive(t, CommandApdu(0x00, 0x2A, 0x00, 0xAE, hex_bytes("010203040506"))).value();
  CHECK(r.ok());
  CHECK(t.done());
  ScriptedTransport t2;
  t2.set_limits(LinkLimits{4, 256, false});
  CHECK(transceive(t2, CommandApdu(0x00, 0x2A, 0x00, 0xAE, hex_bytes("010203040506")), false).error().code ==
        ErrorCode::Unsupported);
  // A chained block refused by the card stops the chain.
  ScriptedTransport t3;
  t3.set_limits(LinkLimits{4, 256, false});
  t3.expect("102A00AE0401020304", "6A80");
  CHECK(transceive(t3, CommandApdu(0x00, 0x2A, 0x00, 0xAE, hex_bytes("010203040506")))->sw() == 0x6A80);
}

TEST_CASE("transport errors propagate; scripted mismatches are clear") {
  ScriptedTransport t;
  t.fail_next(Error(ErrorCode::CardRemoved, "card left the field"));
  CHECK(transceive(t, CommandApdu(0x00, 0x84, 0, 0, {}, 8)).error().code == ErrorCode::CardRemoved);
  t.expect("0084000008", "9000");
  auto e = t.transmit(CommandApdu(0x00, 0x84, 0, 0, {}, 4)).error();
  CHECK(e.code == ErrorCode::ProtocolError);
  CHECK(e.message.find("expected 0084000008") != std::string::npos);
  CHECK(t.transmit(CommandApdu(0x00, 0x84, 0, 0, {}, 4)).error().message.find("unexpected extra") !=
        std::string::npos);
}

TEST_CASE("tracing and counting decorators") {
  ScriptedTransport t;
  t.expect(
       "0020000008"
       "3132333435363738",
       "63C2")
      .expect("00B0000004", "600102039000");
  std::vector<std::string> lines;
  TracingTransport tr(
      t, [&lines](const apdu::TraceEvent& e) { lines.push_back(e.text); }, "plain");
  CountingTransport c(tr);
  CHECK(c.transmit(CommandApdu(0x00, 0x20, 0, 0, ByteView::of("12345678")))->sw() == 0x63C2);
  CHECK(c.transmit(CommandApdu(0x00, 0xB0, 0, 0, {}, 4))->ok());
  REQUIRE(lines.size() == 4);
  for (auto& l : lines) CHECK(l.find("3132") == std::string::npos);  // the PIN never appears
  CHECK(lines[3] == "60 01 02 03 9000");
  CHECK(c.apdus() == 2);
  CHECK(c.bytes_sent() == 13 + 5);
  CHECK(c.bytes_received() == 2 + 6);
}

TEST_CASE("function transport and transactions") {
  int calls = 0;
  FunctionTransport f(
      [&calls](ByteView cmd) -> Result<Bytes> {
        ++calls;
        if (cmd.size() < 4) return make_error(ErrorCode::MalformedData, "short");
        return hex_bytes("9000");
      },
      hex_bytes("3B00"), LinkLimits{});
  {
    Transaction tx(f);
    CHECK(tx.status().ok());
    CHECK(f.transmit(CommandApdu(0x00, 0xA4, 0, 0))->ok());
  }
  CHECK(calls == 1);
  CHECK(to_hex(f.atr()) == "3B00");
}

#include "dnie/transport/atr.hpp"

TEST_CASE("ATR recognition (docs/dnie-card.md §1)") {
  auto i = identify_atr(hex_bytes("3B7F96000000 6A444E4965 1001015504 2103 9000"));
  CHECK(i.kind == CardKind::Dnie3);
  CHECK_FALSE(i.terminated);
  CHECK(i.os_version_major == 4);
  CHECK(identify_atr(hex_bytes("3B7F96000000 6A444E4965 2001015504 210F 6581")).terminated);
  CHECK(identify_atr(hex_bytes("3B7F38000000 6A444E4965 1002 4C34 0113 03 9000")).kind == CardKind::Dnie2);
  auto nfc = identify_atr(hex_bytes("3B888001E1F35E117781A10003"));
  CHECK(nfc.kind == CardKind::DnieContactless);
  CHECK(nfc.contactless);
  CHECK(identify_atr(hex_bytes("3B888001E1F35E117781E10043")).kind == CardKind::DnieContactless);
  CHECK(identify_atr(hex_bytes("3B8C800150D71A03F3E1F35E117781A16A")).kind == CardKind::DnieContactless);
  CHECK(identify_atr(hex_bytes("3B9513810180 73FF01000B")).kind == CardKind::Unknown);
  CHECK(identify_atr({}).kind == CardKind::Unknown);
}
