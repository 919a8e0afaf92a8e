// SPDX-License-Identifier: Apache-2.0
// NfcTransport through Debian's real libnfc 1.8 (driver pn532_uart) talking to the project's
// PN532 emulator on a pseudo-terminal, served from a thread of this process.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "dnie/transport/atr.hpp"
#include "dnie/transport/nfc.hpp"

#include "pn532_emulator.hpp"

using namespace dnie;
using namespace dnie::transport;
using Clock = std::chrono::steady_clock;

namespace {

// libnfc reads these in nfc_init(): no USB scan, no log output.
const bool g_env = [] {
  ::setenv("LIBNFC_AUTO_SCAN", "false", 1);
  ::setenv("LIBNFC_LOG_LEVEL", "0", 1);
  ::unsetenv("LIBNFC_DEFAULT_DEVICE");
  return true;
}();

// A tiny card: SELECT → 9000, GET CHALLENGE → 8 bytes, INS CA → 250 bytes, READ BINARY → Le
// bytes (256 for Le 00), INS EE → echo of the data.
Bytes fake_card(ByteView a) {
  if (a.size() < 4) return {0x67, 0x00};
  const std::size_t le = a.size() == 5 ? (a[4] == 0 ? 256 : a[4]) : 0;
  Bytes r;
  switch (a[1]) {
    case 0xA4:
      break;
    case 0x84:
      r = hex_bytes("0102030405060708");
      break;
    case 0xCA:
      r.assign(250, 0xCA);
      break;
    case 0xB0:
      for (std::size_t i = 0; i < le; ++i) r.push_back(static_cast<std::uint8_t>(i));
      break;
    case 0xEE:
      if (a.size() > 5) r = a.subview(5, a[4]).to_bytes();
      break;
    default:
      return {0x6D, 0x00};
  }
  append(r, {0x90, 0x00});
  return r;
}

struct Emulated {
  tools::Pn532Emulator emu;
  std::atomic<bool> stop{false};
  std::thread th;
  std::string pty;
  std::mutex mu;
  std::vector<std::string> lines;

  explicit Emulated(tools::Pn532Target t = {}) : emu(fake_card, std::move(t)) {
    (void)g_env;
    emu.set_log([this](std::string_view l) {
      std::lock_guard<std::mutex> g(mu);
      lines.emplace_back(l);
    });
    pty = emu.open_pty().value();
    th = std::thread([this] { (void)emu.serve(std::chrono::seconds(100), stop); });
  }
  ~Emulated() {
    stop = true;
    th.join();
  }
  NfcOptions options(int timeout_ms = 1000) const {
    NfcOptions o;
    o.connstring = "pn532_uart:" + pty;
    o.timeout_ms = timeout_ms;
    return o;
  }
  bool saw(std::string_view host_prefix) {
    std::lock_guard<std::mutex> g(mu);
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.rfind("host> " + std::string(host_prefix), 0) == 0;
    });
  }
  std::vector<std::string> host_commands() {
    std::lock_guard<std::mutex> g(mu);
    std::vector<std::string> out;
    for (const auto& l : lines)
      if (l.rfind("host> ", 0) == 0) out.push_back(l.substr(6, 5));  // "D4 4A"
    return out;
  }
};

Result<ResponseApdu> send(NfcTransport& t, std::string_view hex) {
  return t.transmit(CommandApdu::parse(hex_bytes(hex)).value());
}

}  // namespace

TEST_CASE("libnfc: opens pn532_uart on the pty, selects the Type B DNIe, synthesises its ATR") {
  Emulated e;
  auto t = NfcTransport::open(e.options());
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  NfcTransport& nfc = **t;
  CHECK(nfc.atr() == hex_bytes("3B 88 80 01 E1 F3 5E 11 77 81 A1 00 03"));
  CHECK(identify_atr(nfc.atr()).kind == CardKind::DnieContactless);
  CHECK(nfc.target().type == NfcTargetType::TypeB);
  CHECK(nfc.target().uid == hex_bytes("1A2B3C4D"));
  CHECK(nfc.target().atqb == hex_bytes("50 1A2B3C4D E1F35E11 7781A1"));
  CHECK(nfc.target().historical_bytes == hex_bytes("E1 F3 5E 11 77 81 A1 00"));
  CHECK(nfc.name() == "pn532_uart:" + e.pty);
  CHECK(nfc.interface_type() == Interface::Contactless);
  CHECK(nfc.limits().max_command_data == 255);
  CHECK(nfc.limits().max_response_data == 256);
  CHECK_FALSE(nfc.limits().extended_length);
  CHECK(nfc.target_present());
  CHECK(e.saw("D4 4A 01 03 00"));  // InListPassiveTarget 106 kbps Type B, AFI 00
}

TEST_CASE("libnfc: APDU exchanges up to a 256-byte response and a 255-byte command") {
  Emulated e;
  auto t = NfcTransport::open(e.options());
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  NfcTransport& nfc = **t;
  auto sel = send(nfc, "00A4040C07A0000000041010");
  REQUIRE(sel.ok());
  CHECK(sel->sw() == 0x9000);
  auto ch = send(nfc, "0084000008");
  REQUIRE(ch.ok());
  CHECK(to_hex(ch->data()) == "0102030405060708");
  auto r250 = send(nfc, "00CA010000");
  REQUIRE(r250.ok());
  CHECK(r250->data().size() == 250);
  auto r256 = send(nfc, "00B0000000");  // 258 bytes on the wire: an extended PN532 frame
  REQUIRE_MESSAGE(r256.ok(), r256.error().to_string());
  CHECK(r256->data().size() == 256);
  CHECK(r256->data()[255] == 0xFF);
  CHECK(r256->sw() == 0x9000);
  Bytes data(255);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(0xFF - i);
  auto echo = nfc.transmit(CommandApdu(0x00, 0xEE, 0x00, 0x00, data, 256));
  REQUIRE_MESSAGE(echo.ok(), echo.error().to_string());
  CHECK(echo->data() == data);
  // Through the ISO 7816-4 helper as well.
  auto tr = transceive(nfc, CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8));
  REQUIRE(tr.ok());
  CHECK(tr->data().size() == 8);
  // Extended length is refused before it reaches libnfc.
  auto ext = nfc.transmit(CommandApdu(0x00, 0xEE, 0, 0, Bytes(300, 0x01), 256));
  CHECK_FALSE(ext.ok());
  CHECK(e.emu.apdu_count() == 6);
}

TEST_CASE("libnfc: tag loss gives CardRemoved without hanging; reconnect after re-insertion") {
  Emulated e;
  auto t = NfcTransport::open(e.options(2000));
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  NfcTransport& nfc = **t;
  e.emu.remove_after(2);
  CHECK(send(nfc, "0084000008").ok());
  CHECK(send(nfc, "0084000008").ok());
  const auto t0 = Clock::now();
  auto lost = send(nfc, "0084000008");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().code == ErrorCode::CardRemoved);
  CHECK(lost.error().native != 0);
  CHECK(ms < 2000);
  MESSAGE("tag loss: " << lost.error().to_string() << " after " << ms << " ms");
  // Fails fast afterwards; presence says gone.
  auto again = send(nfc, "0084000008");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::CardRemoved);
  CHECK_FALSE(nfc.target_present());
  // Out of the field: reconnect finds nothing.
  auto none = nfc.reconnect(false);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::NoCard);
  // Back in the field: reconnect with an RF reset works.
  e.emu.set_card_present(true);
  auto back = nfc.reconnect(true);
  REQUIRE_MESSAGE(back.ok(), back.error().to_string());
  auto ok = send(nfc, "00A4040000");
  REQUIRE(ok.ok());
  CHECK(ok->sw() == 0x9000);
  CHECK(nfc.atr() == hex_bytes("3B 88 80 01 E1 F3 5E 11 77 81 A1 00 03"));
  CHECK(e.saw("D4 32 01 00"));  // the RF field was switched off for the reset
}

TEST_CASE("libnfc: a reader that stops answering times out within the configured time") {
  Emulated e;
  auto t = NfcTransport::open(e.options(400));
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  NfcTransport& nfc = **t;
  e.emu.set_mute(true);
  const auto t0 = Clock::now();
  auto r = send(nfc, "0084000008");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  REQUIRE_FALSE(r.ok());
  // Nothing answers, not even the presence check (libnfc: NFC_ETIMEOUT twice): Timeout.
  CHECK(r.error().code == ErrorCode::Timeout);
  CHECK(r.error().native == -6);
  CHECK(ms < 3000);
  MESSAGE("mute reader: " << r.error().to_string() << " after " << ms << " ms");
  e.emu.set_mute(false);
  auto after = send(nfc, "0084000008");  // the reader answers again: the link recovers
  REQUIRE_MESSAGE(after.ok(), after.error().to_string());
  CHECK(after->sw() == 0x9000);
}

TEST_CASE("libnfc: destruction releases the target and powers the reader down; reopen works") {
  Emulated e;
  {
    auto t = NfcTransport::open(e.options());
    REQUIRE_MESSAGE(t.ok(), t.error().to_string());
    CHECK(send(**t, "00A4040000").ok());
  }
  CHECK((e.saw("D4 44") || e.saw("D4 52")));  // InDeselect / InRelease
  CHECK(e.saw("D4 16"));                      // PowerDown on nfc_close
  auto again = NfcTransport::open(e.options());
  REQUIRE_MESSAGE(again.ok(), again.error().to_string());
  CHECK(send(**again, "0084000008").ok());
  const auto seq = e.host_commands();
  std::string joined;
  for (const auto& c : seq) joined += c.substr(3) + " ";
  MESSAGE("PN532 commands sent by libnfc: " << joined);
}

TEST_CASE("libnfc: Type A fallback, caller-chosen order, and no card") {
  tools::Pn532Target ta;
  ta.emulate_type_a = true;
  ta.emulate_type_b = false;
  Emulated e(ta);
  auto t = NfcTransport::open(e.options());
  REQUIRE_MESSAGE(t.ok(), t.error().to_string());
  CHECK((*t)->target().type == NfcTargetType::TypeA);
  CHECK((*t)->target().uid == hex_bytes("08112233"));
  CHECK((*t)->atr() == hex_bytes("3B 88 80 01 E1 F3 5E 11 77 81 A1 00 03"));
  CHECK(send(**t, "00A4040000").ok());
  t = make_error(ErrorCode::Cancelled, "closed");  // destroys the transport

  NfcOptions only_b = e.options();
  only_b.order = {NfcTargetType::TypeB};
  auto nb = NfcTransport::open(only_b);
  REQUIRE_FALSE(nb.ok());
  CHECK(nb.error().code == ErrorCode::NoCard);

  e.emu.set_card_present(false);
  auto none = NfcTransport::open(e.options());
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::NoCard);
}

TEST_CASE("libnfc: a nonexistent device is ReaderNotFound; bad options are rejected") {
  NfcOptions o;
  o.connstring = "pn532_uart:/dev/nonexistent-dnie-pty";
  auto t = NfcTransport::open(o);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == ErrorCode::ReaderNotFound);
  o.order.clear();
  CHECK(NfcTransport::open(o).error().code == ErrorCode::InvalidArgument);
  o = NfcOptions{};
  o.connstring = std::string(2000, 'x');
  CHECK(NfcTransport::open(o).error().code == ErrorCode::InvalidArgument);
  auto devs = NfcTransport::list_devices();
  CHECK(devs.ok());  // auto-scan is off: typically empty
}

TEST_CASE("libnfc error mapping keeps the native code") {
  CHECK(nfc_error(-6, "x").code == ErrorCode::Timeout);
  CHECK(nfc_error(-20, "x").code == ErrorCode::CardRemoved);
  CHECK(nfc_error(-10, "x").code == ErrorCode::CardRemoved);
  CHECK(nfc_error(-4, "x").code == ErrorCode::ReaderNotFound);
  CHECK(nfc_error(-3, "x").code == ErrorCode::Unsupported);
  CHECK(nfc_error(-1, "x").code == ErrorCode::TransportError);
  CHECK(nfc_error(-90, "op").native == -90);
  CHECK(nfc_error(-90, "op").message == "op: NFC_ECHIP");
  CHECK(nfc_code_name(-20) == "NFC_ERFTRANS");
}
