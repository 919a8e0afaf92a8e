// SPDX-License-Identifier: Apache-2.0
// File: dnie/transport/atr.hpp
// Recognising a DNIe from its ATR (docs/dnie-card.md §1): contact ATRs "3B 7F .. 00 00 00 6A 'DNIe'"
// with byte 15 = 04 for DNIe 3.0/4.0 and life-cycle/status bytes 03 90 00 (user) or
// 0F 65 81 (terminated); contactless PC/SC ATRs carrying the ATQB application data E1 F3 5E 11
// in either reader format (3B 88 80 01 ... or 3B 8C 80 01 50 <PUPI> ...). A TIE residence card
// shares the contactless application data, so a contactless ATR alone says "DNIe or TIE".
#pragma once

#include <string>

#include "dnie/bytes/bytes.hpp"

namespace dnie::transport {

enum class CardKind {
  Unknown,
  Dnie2,            ///< contact, byte 15 != 04
  Dnie3,            ///< contact, byte 15 == 04 (3.0 and 4.0 cannot be told apart by ATR)
  DnieContactless,  ///< contactless DNIe 3.0/4.0 or a TIE (same ATQB application data)
};

struct AtrInfo {
  CardKind kind = CardKind::Unknown;
  bool contactless = false;
  bool terminated = false;    ///< contact ATR ends 65 81 (volatile memory erased)
  int os_version_major = -1;  ///< contact ATR byte 15 (04 = 3.0/4.0)
  int os_version_minor = -1;  ///< contact ATR byte 16
  std::string description;    ///< "DNIe 3.0/4.0 (contact)" ...
};

AtrInfo identify_atr(ByteView atr);

}  // namespace dnie::transport
