// SPDX-License-Identifier: Apache-2.0
// Power, ATR and persistent state of the virtual card: cold/warm reset (ISO/IEC 7816-3 §6.2),
// the contact ATR (docs/dnie-card.md §1.1) and the PC/SC contactless ATR (PC/SC Part 3 §3.1.3.2.3),
// and the PIN counter file (CardOptions::state_file).
#include <algorithm>
#include <fstream>
#include <string>

#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {
// 3B 7F 96 00 00 00 6A "DNIe" 10 01 01 55 04 21 03 90 00: DNIe 3.0 "TS3" (docs/dnie-card.md §1.1).
const char* const kDefaultContactAtr = "3B7F96000000 6A444E4965 10 01 0155 04 21 03 9000";
// ATS historical bytes of the DNIe (PCSC list: 3B 88 80 01 E1 F3 5E 11 77 81 A1 00 03).
const char* const kDefaultHistorical = "E1F35E117781A100";
}  // namespace

Bytes VirtualCard::Impl::atr() const {
  if (options.contactless) {
    if (!image.atr_contactless.empty()) return image.atr_contactless;
    // PC/SC synthesised ATR for ISO 14443-4: 3B 8n 80 01 <historical bytes> TCK.
    Bytes hist = image.historical_bytes.empty() ? hex_bytes(kDefaultHistorical) : image.historical_bytes;
    if (hist.size() > 15) hist.resize(15);
    Bytes a{0x3B, static_cast<std::uint8_t>(0x80 | hist.size()), 0x80, 0x01};
    append(a, hist);
    std::uint8_t tck = 0;
    for (std::size_t i = 1; i < a.size(); ++i) tck = static_cast<std::uint8_t>(tck ^ a[i]);
    a.push_back(tck);
    return a;
  }
  Bytes a = image.atr_contact.empty() ? hex_bytes(kDefaultContactAtr) : image.atr_contact;
  if (image.terminated && a.size() >= 3) {
    // Life cycle "final" and status 65 81 (volatile memory erased): a terminated card.
    a[a.size() - 3] = 0x0F;
    a[a.size() - 2] = 0x65;
    a[a.size() - 1] = 0x81;
  }
  return a;
}

Bytes VirtualCard::Impl::power_on() {
  reset_session();
  powered = true;
  return atr();
}

void VirtualCard::Impl::power_off() {
  reset_session();
  powered = false;
}

void VirtualCard::Impl::end_sm() noexcept {
  sm.close();
  session.pace_password = Password::None;
  session.next_sm.reset();
  session.ca = CaRun{};
  // The CWA channel and the PIN-verified state live only as long as the SM session.
  session.cwa = CwaRun{};
  session.channel = CwaChannel::None;
  session.pin_verified = false;
  session.dst_key = 0;
}

void VirtualCard::Impl::reset_session() {
  end_sm();
  session = Session{};                   // SecretBytes members wipe themselves
  session.df_path.push_back(&image.mf);  // the MF is selected after reset
}

const VFile* VirtualCard::Impl::ef_card_access() const {
  for (const auto& f : image.mf.children)
    if (f.fid == 0x011C && f.type != FileType::Df) return &f;
  return nullptr;
}

// State file: "seed=<n>" and "pin_tries_left=<n>" lines. A file written for another image
// (different seed) is ignored.
void VirtualCard::Impl::load_state() {
  if (options.state_file.empty()) return;
  std::ifstream in(options.state_file);
  if (!in.good()) return;
  std::string line;
  bool seed_ok = true;
  int tries = -1;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), val = line.substr(eq + 1);
    if (val.empty() || val.size() > 19 || val.find_first_not_of("0123456789") != std::string::npos) continue;
    std::uint64_t v = 0;
    for (char ch : val) v = v * 10 + static_cast<std::uint64_t>(ch - '0');  // no overflow: ≤ 19 digits
    if (key == "seed") seed_ok = v == image.seed;
    if (key == "pin_tries_left") tries = v > 15 ? 15 : static_cast<int>(v);
  }
  if (seed_ok && tries >= 0) image.pin_tries_left = std::min(tries, image.pin_max_tries);
}

void VirtualCard::Impl::save_state() const {
  if (options.state_file.empty()) return;
  std::ofstream out(options.state_file, std::ios::trunc);
  if (!out.good()) return;
  out << "seed=" << image.seed << "\n"
      << "pin_tries_left=" << image.pin_tries_left << "\n";
}

}  // namespace dnie::vcard
