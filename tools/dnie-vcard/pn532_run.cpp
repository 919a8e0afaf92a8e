// SPDX-License-Identifier: Apache-2.0
// dnie-vcard --pn532: serves the virtual card through the emulated PN532 on a pseudo-terminal.
// The pty path goes to the first line of stdout, so a test can hand it to libnfc as
// "pn532_uart:<path>".
#include <cstdio>

#include "dnie/vcard/virtual_card.hpp"

#include "pn532_emulator.hpp"

namespace dnie::tools {

int run_pn532(vcard::VirtualCard& card, double timeout_seconds, std::atomic<bool>& stop) {
  Pn532Target target;
  const Bytes& uid = card.image().uid;
  for (std::size_t i = 0; i < target.pupi.size() && i < uid.size(); ++i) target.pupi[i] = uid[i];
  Pn532Emulator emu([&card](ByteView apdu) { return card.process(apdu); }, target);
  emu.set_activation_handler([&card] { card.power_on(); });
  auto pty = emu.open_pty();
  if (!pty) {
    std::fprintf(stderr, "dnie-vcard: %s\n", pty.error().to_string().c_str());
    return 1;
  }
  std::printf("%s\n", pty->c_str());
  std::fflush(stdout);
  const auto limit = timeout_seconds > 0
                         ? std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000))
                         : std::chrono::milliseconds(24LL * 3600 * 1000);
  auto st = emu.serve(limit, stop);
  if (!st) {
    std::fprintf(stderr, "dnie-vcard: %s\n", st.error().to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace dnie::tools
