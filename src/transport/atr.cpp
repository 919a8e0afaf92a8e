// SPDX-License-Identifier: Apache-2.0
// DNIe ATR recognition (docs/dnie-card.md §1.1 contact masks from OpenSC/JMC, §1.2 contactless).
#include "dnie/transport/atr.hpp"

namespace dnie::transport {

AtrInfo identify_atr(ByteView atr) {
  AtrInfo info;
  static const std::uint8_t kDnie[] = {0x00, 0x6A, 0x44, 0x4E, 0x49, 0x65};  // 00 6A "DNIe"
  static const std::uint8_t kAppData[] = {0xE1, 0xF3, 0x5E, 0x11};           // ATQB app data
  // Contact: 3B 7F TA1 00 00 | 00 6A 44 4E 49 65 | H7..H15 (20 bytes).
  if (atr.size() == 20 && atr[0] == 0x3B && atr[1] == 0x7F && atr[3] == 0x00 && atr[4] == 0x00 &&
      ByteView(atr.data() + 5, 6) == ByteView(kDnie, 6)) {
    info.os_version_major = atr[15];
    info.os_version_minor = atr[16];
    info.terminated = atr[18] == 0x65 && atr[19] == 0x81;
    info.kind = atr[15] == 0x04 ? CardKind::Dnie3 : CardKind::Dnie2;
    info.description = std::string(info.kind == CardKind::Dnie3 ? "DNIe 3.0/4.0" : "DNIe 2.0 or older") +
                       " (contact" + (info.terminated ? ", terminated)" : ")");
    return info;
  }
  // Contactless, PC/SC part 3 Type B ATR: 3B 8n 80 01 [50 PUPI(4)] E1 F3 5E 11 77 81 xx ... TCK.
  if (atr.size() >= 13 && atr[0] == 0x3B && (atr[1] & 0xF0) == 0x80 && atr[2] == 0x80 && atr[3] == 0x01) {
    for (std::size_t off : {std::size_t{4}, std::size_t{9}}) {
      if (atr.size() >= off + 7 && ByteView(atr.data() + off, 4) == ByteView(kAppData, 4) &&
          atr[off + 4] == 0x77) {
        info.kind = CardKind::DnieContactless;
        info.contactless = true;
        info.description = "DNIe 3.0/4.0 or TIE (contactless)";
        return info;
      }
    }
  }
  info.description = "unknown card";
  return info;
}

}  // namespace dnie::transport
