// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the PN532 emulator's HSU frame parser and command core (tools/dnie-vcard).
// Whatever the host sends, the emulator must not crash, and everything it sends back must be
// well-formed frames (ACK, error frame, or information frames with valid LCS/DCS).
// The first input byte picks the chunk size, so frames split across reads are exercised.
// The emulator is compiled into this target directly (fuzz targets link only the SDK layers).
#include "../tools/dnie-vcard/pn532_emulator.cpp"  // NOLINT(bugprone-suspicious-include)
#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  if (input.empty()) return;
  tools::Pn532Target target;
  target.emulate_type_a = (input[0] & 0x80) != 0;
  tools::Pn532Emulator emu(
      [](ByteView apdu) {
        Bytes r = apdu.first(600).to_bytes();  // echo: long answers exercise MI chaining
        r.resize(r.size() * ((apdu.size() & 1) + 1), 0x5A);
        append(r, {0x90, 0x00});
        return r;
      },
      target);
  if ((input[0] & 0x40) != 0) emu.remove_after(2);
  const std::size_t chunk = (input[0] & 0x3F) + 1u;
  ByteView rest = input.subview(1);
  tools::pn532::FrameParser check;
  while (!rest.empty()) {
    const ByteView part = rest.first(chunk);
    rest = rest.subview(part.size());
    check.feed(emu.on_host_bytes(part));
    while (auto f = check.next()) DNIE_FUZZ_ASSERT(f->payload.size() <= tools::pn532::kMaxFrameLen);
    DNIE_FUZZ_ASSERT(check.rejected() == 0);
  }
  DNIE_FUZZ_ASSERT(check.buffered() == 0);
}
