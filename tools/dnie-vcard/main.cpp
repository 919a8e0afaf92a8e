// SPDX-License-Identifier: Apache-2.0
// dnie-vcard: serves the virtual DNIe 3.0 to a real pcscd (through the vpcd driver) or to the
// real libnfc (through an emulated PN532 on a pseudo-terminal).
//
//   dnie-vcard [--profile genuine | --image FILE] [--contact] [--vpcd 127.0.0.1:35963]
//   dnie-vcard --pn532 [--profile ...]      # prints the pty path on the first line of stdout
//
// It runs until pcscd closes the connection, SIGTERM/SIGINT, or --timeout seconds.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "dnie/vcard/virtual_card.hpp"

#include "vcard_source.hpp"
#include "vpcd_bridge.hpp"
#ifdef DNIE_VCARD_WITH_PN532
namespace dnie::tools {
int run_pn532(vcard::VirtualCard& card, double timeout_seconds, std::atomic<bool>& stop);
}
#endif

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Serve the virtual DNIe 3.0 to pcscd (vpcd) or libnfc (emulated PN532)", "dnie-vcard"};
  dnie::tools::VcardSource src;
  bool contact = false, pn532 = false, extended = false;
  std::string vpcd = "127.0.0.1:35963", state_file, atr_hex;
  double timeout = 0;
  src.add_options(app);
  app.add_flag("--contact", contact, "Contact ATR and rules instead of contactless");
  app.add_option("--vpcd", vpcd, "vpcd address HOST:PORT (35963 = 'Virtual PCD 00 00')");
  app.add_flag("--pn532", pn532, "Emulate a PN532 on a pseudo-terminal for libnfc (pn532_uart:/dev/pts/N)");
  app.add_flag("--extended-length", extended, "Accept extended-length APDUs");
  app.add_option("--atr", atr_hex,
                 "Answer with this ATR (hex) instead of the DNIe's, e.g. one whose historical bytes "
                 "announce extended length (ISO/IEC 7816-4 §8.1.1.2.7); for reader tests");
  app.add_option("--state-file", state_file, "Persist PIN counters in this file across runs");
  app.add_option("--timeout", timeout, "Stop after this many seconds (0 = never)");
  CLI11_PARSE(app, argc, argv);

  auto image = src.load();
  if (!image) {
    std::fprintf(stderr, "dnie-vcard: %s\n", image.error().to_string().c_str());
    return 1;
  }
  if (!atr_hex.empty()) {
    auto atr = dnie::from_hex(atr_hex);
    if (!atr || atr->size() < 2 || atr->size() > 33) {
      std::fprintf(stderr, "dnie-vcard: --atr needs 2 to 33 bytes of hex\n");
      return 1;
    }
    image->atr_contact = *atr;
    image->atr_contactless = *atr;
  }
  dnie::vcard::CardOptions opt;
  opt.contactless = !contact;
  opt.extended_length = extended;
  if (extended) opt.max_response = 65536;  // answers up to Ne in one response (no 61xx)
  opt.state_file = state_file;
  dnie::vcard::VirtualCard card(std::move(image).value(), opt);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);

  if (pn532) {
#ifdef DNIE_VCARD_WITH_PN532
    return dnie::tools::run_pn532(card, timeout, g_stop);
#else
    std::fprintf(stderr, "dnie-vcard: built without the PN532 emulator\n");
    return 1;
#endif
  }

  dnie::tools::VpcdCard vc;
  vc.power_on = [&card] { return card.power_on(); };
  vc.power_off = [&card] { card.power_off(); };
  vc.reset = [&card] { return card.reset(); };
  vc.atr = [&card] { return card.atr(); };
  vc.process = [&card](dnie::ByteView c) { return card.process(c); };
  vc.uid = card.image().uid;
  const auto colon = vpcd.rfind(':');
  const std::string host = colon == std::string::npos ? vpcd : vpcd.substr(0, colon);
  const auto port =
      static_cast<std::uint16_t>(colon == std::string::npos ? 35963 : std::atoi(vpcd.c_str() + colon + 1));
  std::fprintf(stderr, "dnie-vcard: %s card, profile %s, connecting to vpcd %s:%u\n",
               contact ? "contact" : "contactless", card.image().profile.c_str(), host.c_str(), port);
  int rc = dnie::tools::serve_vpcd(vc, host, port, g_stop, 10000, timeout);
  if (rc != 0)
    std::fprintf(stderr, "dnie-vcard: cannot connect to vpcd at %s:%u (is pcscd running?)\n", host.c_str(),
                 port);
  return rc;
}
