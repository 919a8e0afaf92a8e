// SPDX-License-Identifier: Apache-2.0
// PC/SC-style ATRs for contactless cards (PC/SC Part 3 v2.01 §3.1.3.2.3; ISO/IEC 7816-3 §8.2):
//   3B 8n 80 01 ‖ historical bytes (n of them) ‖ TCK
// T0 = 8n (TD1 follows, n historical bytes), TD1 = 80 (TD2 follows, T=0), TD2 = 01 (T=1);
// TCK = XOR of T0 … last historical byte. Type A: the ATS historical bytes. Type B: ATQB
// application data (4) ‖ protocol info (3) ‖ MBLI from the ATTRIB answer (high nibble).
#include "dnie/transport/nfc.hpp"

namespace dnie::transport {

namespace {

Bytes pcsc_atr(ByteView historical) {
  const ByteView hist = historical.first(15);  // T0 carries at most 15 historical bytes
  Bytes atr;
  atr.reserve(5 + hist.size());  // (also keeps GCC 12's -Warray-bounds false positive away at -O2)
  append(atr, {0x3B, static_cast<std::uint8_t>(0x80 | hist.size()), 0x80, 0x01});
  append(atr, hist);
  std::uint8_t tck = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) tck = static_cast<std::uint8_t>(tck ^ atr[i]);
  atr.push_back(tck);
  return atr;
}

}  // namespace

Bytes pcsc_atr_type_b(ByteView app_data, ByteView protocol_info, std::uint8_t attrib_mbli_cid) {
  Bytes hist = concat({app_data.first(4), protocol_info.first(3)});
  hist.push_back(static_cast<std::uint8_t>(attrib_mbli_cid & 0xF0));
  return pcsc_atr(hist);
}

Result<Bytes> ats_historical_bytes(ByteView ats) {
  if (ats.empty()) return Bytes{};
  // ISO/IEC 14443-4 §5.2: T0 b5..b7 announce TA(1), TB(1), TC(1); the historical bytes follow.
  const std::uint8_t t0 = ats[0];
  const std::size_t skip = 1u + ((t0 & 0x10) != 0) + ((t0 & 0x20) != 0) + ((t0 & 0x40) != 0);
  if (skip > ats.size()) return make_error(ErrorCode::MalformedData, "ATS shorter than its T0 announces");
  return ats.subview(skip).to_bytes();
}

Result<Bytes> pcsc_atr_type_a(ByteView ats) {
  DNIE_ASSIGN_OR_RETURN(Bytes hist, ats_historical_bytes(ats));
  return pcsc_atr(hist);
}

}  // namespace dnie::transport
