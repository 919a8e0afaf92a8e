// SPDX-License-Identifier: Apache-2.0
// File: tools/dnie-vcard/vpcd_bridge.hpp
// Attaches a card to a real pcscd through the vsmartcard vpcd driver. vpcd listens on TCP
// (default 127.0.0.1:35963 = "Virtual PCD 00 00"); the card connects to it. Every message in
// both directions is a 2-byte big-endian length followed by that many bytes; length-1 messages
// from vpcd are control codes (00 power off, 01 power on, 02 reset, 04 get ATR), anything else is
// a C-APDU answered with the R-APDU. TCP_QUICKACK is re-armed before every read, otherwise
// each APDU costs ~44 ms of delayed-ACK latency (no-hardware-testing.md §1).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "dnie/bytes/bytes.hpp"

namespace dnie::tools {

struct VpcdCard {
  std::function<Bytes()> power_on;  ///< returns the ATR
  std::function<void()> power_off;
  std::function<Bytes()> reset;  ///< returns the ATR
  std::function<Bytes()> atr;
  std::function<Bytes(ByteView)> process;  ///< C-APDU → R-APDU
  Bytes uid;                               ///< answer to the PC/SC pseudo-APDU FF CA 00 00 00
};

/// Connects to vpcd at host:port (retrying up to `connect_timeout_ms`) and serves the card until
/// vpcd closes the connection, `stop` becomes true, or `max_seconds` (0 = unlimited) pass.
/// Returns 0 on a clean end, non-zero on connection failure.
int serve_vpcd(const VpcdCard& card, const std::string& host, std::uint16_t port, std::atomic<bool>& stop,
               int connect_timeout_ms = 10000, double max_seconds = 0);

}  // namespace dnie::tools
