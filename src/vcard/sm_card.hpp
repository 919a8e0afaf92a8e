// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/sm_card.hpp (private to dnie::vcard)
// Secure messaging from the chip's side (ISO/IEC 7816-4 §6, ICAO 9303-11 §9.8, CWA 14890-1 §8):
// verifies and decrypts protected commands, protects responses. Written for the card; it shares
// only the crypto façade with the SDK's terminal-side SM (dnie::sm), never its code.
//
//   command data  = [DO'87' 87 L 01‖C | DO'85' 85 L C] [DO'97' 97 L Le] DO'8E' 8E 08 CC
//   CC            = MAC(KSmac, pad(SSC ‖ pad(CLA INS P1 P2) ‖ DO'87|85' ‖ DO'97'))
//   response data = [DO'87'] DO'99' 99 02 SW1 SW2 DO'8E' 8E 08 MAC(pad(SSC ‖ DO'87' ‖ DO'99'))
// AES: 16-byte SSC, IV = E(KSenc, SSC), MAC = AES-CMAC truncated to 8 bytes.
// 3DES: 8-byte SSC, IV = 0, MAC = ISO 9797-1 MAC algorithm 3 (retail MAC).
// The SSC is incremented before each command and before each response. The MAC is compared in
// constant time before anything is decrypted; any failure closes the channel and wipes keys.
#pragma once

#include <cstdint>
#include <optional>

#include "dnie/bytes/secure.hpp"

namespace dnie::vcard {

enum class SmSuite { Des3, Aes };

/// A command recovered from its protected form.
struct SmCommand {
  std::uint8_t cla = 0, ins = 0, p1 = 0, p2 = 0;  ///< CLA with the SM bits cleared
  SecretBytes data;                               ///< the plaintext (may be a PIN): wiped storage
  std::optional<std::size_t> ne;                  ///< from DO'97' (absent: no Le)
  bool ne_max = false;                            ///< DO'97' was 00 / 0000 ("as much as available")
};

class CardSm {
 public:
  CardSm() = default;
  CardSm(const CardSm&) = delete;
  CardSm& operator=(const CardSm&) = delete;
  ~CardSm() { close(); }

  /// Starts (or replaces) the channel. `ssc` must be 8 bytes (3DES) or 16 bytes (AES).
  void start(SmSuite suite, SecureBuffer k_enc, SecureBuffer k_mac, SecureBuffer ssc);
  /// Ends the channel and wipes keys and SSC.
  void close() noexcept;
  bool active() const noexcept { return m_active; }
  SmSuite suite() const noexcept { return m_suite; }
  std::size_t block() const noexcept { return m_suite == SmSuite::Aes ? 16 : 8; }
  const SecureBuffer& ssc() const noexcept { return m_ssc; }

  /// Verifies and decrypts a protected command (header = CLA INS P1 P2 as received, `body` =
  /// its data field). Increments the SSC. On failure returns the status word to send (6987
  /// when DO'8E' is missing, 6988 for a wrong MAC or malformed objects); the caller closes.
  Result<SmCommand> unwrap(const std::uint8_t header[4], ByteView body, std::uint16_t* sw_out);
  /// Protects a response: returns [DO'87'] DO'99' DO'8E' (increments the SSC).
  Result<Bytes> wrap(ByteView data, std::uint16_t sw);
  /// Size of wrap() for `plain` bytes of data.
  std::size_t protected_size(std::size_t plain) const noexcept;
  /// Largest plain data whose protected response fits in `limit` bytes.
  std::size_t max_plain(std::size_t limit) const noexcept;

  /// MAC over an already padded message (AES-CMAC/8 or retail MAC), exposed for tests.
  Result<Bytes> mac(ByteView padded) const;

 private:
  void increment_ssc() noexcept;
  Result<Bytes> iv() const;

  bool m_active = false;
  SmSuite m_suite = SmSuite::Aes;
  SecureBuffer m_kenc, m_kmac, m_ssc;
};

}  // namespace dnie::vcard
