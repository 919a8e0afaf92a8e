// SPDX-License-Identifier: Apache-2.0
// A hostile link between the SDK and a card, for the attack tests (docs/security.md): it records
// every exchange and can tamper with the answer to one of them (flip a bit, or replace it with a
// plain status word, as a man in the middle on the NFC link could). Owns the link it sits on.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/apdu/apdu.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::test {

class HostileLink final : public transport::Transport {
 public:
  struct Exchange {
    Bytes command;   ///< as encoded on the link
    Bytes response;  ///< as delivered to the SDK (after tampering)
    bool tampered = false;
  };
  using Tamper = std::function<Bytes(const Bytes& command, const Bytes& response)>;

  explicit HostileLink(std::unique_ptr<transport::Transport> inner) : m_inner(std::move(inner)) {}

  /// Tamper with the answer to exchange `index` (0-based, counted from now on).
  void tamper_at(std::size_t index, Tamper t) {
    m_at = m_log.size() + index;
    m_tamper = std::move(t);
  }
  /// Tamper with the answer to the first command for which `match` holds.
  void tamper_when(std::function<bool(const Bytes& command)> match, Tamper t) {
    m_match = std::move(match);
    m_tamper = std::move(t);
  }

  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& c) override {
    Exchange e;
    e.command = c.encode(true).value_or(Bytes{});
    auto r = m_inner->transmit(c);
    if (!r) {
      m_log.push_back(std::move(e));
      return r;
    }
    e.response = r->encode();
    const bool hit = (m_at && m_log.size() == *m_at) || (m_match && m_match(e.command));
    if (hit && m_tamper) {
      e.response = m_tamper(e.command, e.response);
      e.tampered = true;
      m_at.reset();
      m_match = nullptr;
    }
    m_log.push_back(e);
    return apdu::ResponseApdu::parse(e.response);
  }
  Bytes atr() const override { return m_inner->atr(); }
  transport::LinkLimits limits() const override { return m_inner->limits(); }
  transport::Interface interface_type() const override { return m_inner->interface_type(); }
  std::string name() const override { return "hostile"; }
  Status reconnect(bool reset) override { return m_inner->reconnect(reset); }

  const std::vector<Exchange>& log() const noexcept { return m_log; }
  transport::Transport& inner() noexcept { return *m_inner; }

  /// Index of the tampered exchange, if the tamper fired.
  std::optional<std::size_t> tampered_index() const {
    for (std::size_t i = 0; i < m_log.size(); ++i)
      if (m_log[i].tampered) return i;
    return std::nullopt;
  }

  /// Plain commands sent after the tampered exchange once a secure channel had been used (the
  /// contract of docs/security.md): only those that end the card's channel and open a new one
  /// are allowed — SELECT MF by name, PACE's MSE:Set AT and GENERAL AUTHENTICATE — and GET
  /// RESPONSE, which fetches the rest of a protected answer. Returns them, hex-encoded.
  std::vector<std::string> plaintext_after_tamper() const {
    std::vector<std::string> bad;
    auto t = tampered_index();
    if (!t) return bad;
    bool secure_seen = false;
    for (std::size_t i = 0; i < m_log.size(); ++i) {
      const Bytes& c = m_log[i].command;
      if (c.size() < 4) continue;
      const bool protected_cmd = (c[0] & 0x0C) == 0x0C;
      secure_seen = secure_seen || protected_cmd;
      if (i <= *t || protected_cmd || !secure_seen) continue;
      if (allowed_plain(c)) continue;
      bad.push_back(to_hex(c));
    }
    return bad;
  }

  static bool allowed_plain(const Bytes& c) {
    const std::uint8_t cla = c[0], ins = c[1], p1 = c[2], p2 = c[3];
    static const Bytes mf = {0x00, 0xA4, 0x04, 0x00, 0x0B, 'M', 'a', 's',
                             't',  'e',  'r',  '.',  'F',  'i', 'l', 'e'};
    if (c == mf) return true;                                                 // ends the card's channel
    if (cla == 0x00 && ins == 0x22 && p1 == 0xC1 && p2 == 0xA4) return true;  // MSE:Set AT (PACE)
    if ((cla == 0x00 || cla == 0x10) && ins == 0x86) return true;             // GENERAL AUTHENTICATE
    if (cla == 0x00 && ins == 0xC0) return true;                              // GET RESPONSE
    return false;
  }

 private:
  std::unique_ptr<transport::Transport> m_inner;
  std::vector<Exchange> m_log;
  std::optional<std::size_t> m_at;
  std::function<bool(const Bytes&)> m_match;
  Tamper m_tamper;
};

/// Tamper functions.
inline HostileLink::Tamper flip_bit(std::size_t byte_from_end, std::uint8_t mask = 0x01) {
  return [byte_from_end, mask](const Bytes&, const Bytes& r) {
    Bytes out = r;
    if (!out.empty()) out[out.size() - 1 - (byte_from_end % out.size())] ^= mask;
    return out;
  };
}
inline HostileLink::Tamper plain_sw(std::uint16_t sw) {
  return [sw](const Bytes&, const Bytes&) {
    return Bytes{static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)};
  };
}

}  // namespace dnie::test
