// SPDX-License-Identifier: Apache-2.0
// File: dnie/sm/secure_messaging.hpp
// ISO/IEC 7816-4 §6 secure messaging as used by ICAO 9303-11 §9.8 (BAC/PACE/CA) and CWA 14890-1
// §8 (DNIe device authentication): the SM codec (SmSession: wrap/unwrap, no I/O) and a
// Transport decorator (SecureMessagingTransport).
//
// Command (CLA |= 0x0C):
//   [DO'87' = 87 L 01 ‖ E(KSenc, pad(data))]  (even INS)   or  [DO'85' = 85 L E(...)] (odd INS)
//   [DO'97' = 97 L Le]
//    DO'8E' = 8E 08 MAC(KSmac, pad(SSC ‖ pad(CLA INS P1 P2) ‖ DO'87|85 ‖ DO'97'))
//   followed by Le = 00 (or 0000 when extended) unless the suite says otherwise (CWA: no Le).
// Response:
//   [DO'87'|DO'85'|DO'81'] ‖ DO'99' = 99 02 SW1 SW2 ‖ DO'8E' = 8E 08 MAC(pad(SSC ‖ DOs))  ‖ SW
// SSC: incremented before each command and before each response.
// 3DES: 8-byte SSC, IV = 0, retail MAC (ISO 9797-1 alg. 3).  AES: 16-byte SSC,
// IV = E(KSenc, SSC), AES-CMAC truncated to 8 bytes (ICAO 9303-11 §9.8.6.1, TR-03110-3 §F).
//
// The contract (ISO/IEC 7816-4 §6, ICAO 9303-11 §9.8.6.2): once a session is open, unwrap()
// returns either a response whose MAC verified (ResponseApdu::authenticated() is true) or an
// error that closes the session and wipes its keys. A response without SM objects is never
// data: the card's documented 69 87 / 69 88 / 66 88 mean it ended the channel; any other plain
// status word (a 6A 82, a 63 C3...) may come from anyone on the link and is reported as
// SecureMessagingError with that SW, never as an answer. The MAC is checked in constant time
// before anything is decrypted. Later calls on a closed session fail with SecureMessagingError
// without sending anything.
// Thread safety: none; one session per card channel.
#pragma once

#include <memory>

#include "dnie/bytes/secure.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::sm {

enum class Suite {
  Des3,  ///< 2-key 3DES-CBC + retail MAC, 8-byte SSC (BAC, PACE-3DES, CWA-14890)
  Aes,   ///< AES-CBC (128/192/256) + AES-CMAC/8, 16-byte SSC (PACE, CA)
};

struct Options {
  /// Append Le (00) to the protected command. ICAO: true. DNIe CWA-14890: false (JMC sends none).
  bool append_le = true;
  /// MAC length in bytes (8; CWA-14890 on DNIe 2.0 uses 4).
  std::size_t mac_length = 8;
  /// Send DO'97' (Le) next to DO'87' (data). ICAO: true. DNIe CWA-14890: false — the card
  /// answers 69 88 to both; OpenSC's CWA encoder sends DO'97' only without data, jmulticard sends
  /// no command with both (docs/dnie-card.md).
  bool le_with_data = true;
};

class SmSession {
 public:
  /// Keys and SSC move in; the session owns and wipes them. Key sizes: Des3 16 (or 24) bytes;
  /// Aes 16/24/32. SSC: 8 bytes (Des3) or 16 bytes (Aes).
  static Result<SmSession> create(Suite suite, SecureBuffer k_enc, SecureBuffer k_mac, SecureBuffer ssc,
                                  Options options = {});
  SmSession(SmSession&&) noexcept;
  SmSession& operator=(SmSession&&) noexcept;
  SmSession(const SmSession&) = delete;
  SmSession& operator=(const SmSession&) = delete;
  ~SmSession();

  Suite suite() const noexcept;
  const Options& options() const noexcept;
  bool is_open() const noexcept;
  /// Wipes the keys; later wrap/unwrap fail with SecureMessagingError.
  void close() noexcept;

  /// Protects a plain command (increments the SSC). `extended` forces extended Lc/Le.
  Result<apdu::CommandApdu> wrap(const apdu::CommandApdu& plain, bool extended = false);
  /// Verifies and decrypts a protected response (increments the SSC): an authenticated response,
  /// or SecureMessagingError (SW kept) with the session closed. See the contract above.
  Result<apdu::ResponseApdu> unwrap(const apdu::ResponseApdu& protected_response);

  /// Largest plain response data that fits `link_response_data` bytes of protected response.
  std::size_t max_plain_response(std::size_t link_response_data) const noexcept;
  /// Largest plain command data that fits `link_command_data` bytes of protected command.
  std::size_t max_plain_command(std::size_t link_command_data) const noexcept;

 private:
  struct Impl;
  explicit SmSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// Transport decorator: wraps every command, unwraps every response. Holds `inner` by reference
/// (it must outlive the decorator). Every response it returns is authenticated; on any SM
/// failure (MAC, format, a plain status word, a link error mid-exchange) the session is closed,
/// the error is SecureMessagingError (or the link's error), and every later transmit() fails
/// without sending: nothing falls back to the plain link.
class SecureMessagingTransport final : public transport::Transport {
 public:
  SecureMessagingTransport(transport::Transport& inner, SmSession session);
  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& cmd) override;
  Bytes atr() const override { return m_inner.atr(); }
  transport::LinkLimits limits() const override;
  transport::Interface interface_type() const override { return m_inner.interface_type(); }
  std::string name() const override { return m_inner.name(); }
  /// Reconnecting loses the secure channel: the session is closed.
  Status reconnect(bool reset_card) override;
  Status begin_transaction() override { return m_inner.begin_transaction(); }
  void end_transaction() override { m_inner.end_transaction(); }
  bool is_secure() const override { return m_session.is_open(); }
  void reset_on_close(bool yes) override { m_inner.reset_on_close(yes); }

  SmSession& session() noexcept { return m_session; }
  /// Replaces the keys (chip authentication, CWA-14890 channel switch): the old session is wiped.
  void replace_session(SmSession s) { m_session = std::move(s); }
  transport::Transport& inner() noexcept { return m_inner; }

 private:
  transport::Transport& m_inner;
  SmSession m_session;
};

}  // namespace dnie::sm
