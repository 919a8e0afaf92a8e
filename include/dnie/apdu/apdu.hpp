// SPDX-License-Identifier: Apache-2.0
// File: dnie/apdu/apdu.hpp
// Command and response APDUs (ISO/IEC 7816-3 §12.1, 7816-4 §5.1): cases 1–4 in short and
// extended form, response parsing, and status words as data. Status words only become errors
// where an application layer decides what they mean (see status.hpp).
// Plain values; CommandApdu wipes its data on destruction because it may carry a PIN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dnie/bytes/secure.hpp"

namespace dnie::apdu {

/// Le meaning "as many as possible": 256 in short form, 65536 in extended form.
constexpr std::size_t kLeMax = 0;

class CommandApdu {
 public:
  CommandApdu() = default;
  CommandApdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2)
      : m_cla(cla), m_ins(ins), m_p1(p1), m_p2(p2) {}
  CommandApdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data)
      : m_cla(cla), m_ins(ins), m_p1(p1), m_p2(p2), m_data(data.begin(), data.end()) {}
  CommandApdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data,
              std::size_t le)
      : m_cla(cla), m_ins(ins), m_p1(p1), m_p2(p2), m_data(data.begin(), data.end()), m_le(le) {}
  // The data field may hold a PIN (VERIFY) or key material: it lives in SecretBytes, wiped
  // whenever it is freed or replaced.
  CommandApdu(const CommandApdu&) = default;
  CommandApdu& operator=(const CommandApdu&) = default;
  CommandApdu(CommandApdu&&) noexcept = default;
  CommandApdu& operator=(CommandApdu&&) noexcept = default;
  ~CommandApdu() = default;

  /// Parses an encoded command (short or extended). Strict: Lc must match the data.
  static Result<CommandApdu> parse(ByteView encoded);

  std::uint8_t cla() const noexcept { return m_cla; }
  std::uint8_t ins() const noexcept { return m_ins; }
  std::uint8_t p1() const noexcept { return m_p1; }
  std::uint8_t p2() const noexcept { return m_p2; }
  ByteView data() const noexcept { return view_of(m_data); }
  /// Expected response length: nullopt = no Le field (case 1/3); 0 (kLeMax) = maximum.
  std::optional<std::size_t> le() const noexcept { return m_le; }
  /// True when the parsed form used extended lengths.
  bool parsed_extended() const noexcept { return m_parsed_extended; }

  CommandApdu& set_cla(std::uint8_t v) {
    m_cla = v;
    return *this;
  }
  CommandApdu& set_p1(std::uint8_t v) {
    m_p1 = v;
    return *this;
  }
  CommandApdu& set_p2(std::uint8_t v) {
    m_p2 = v;
    return *this;
  }
  CommandApdu& set_data(ByteView d);
  CommandApdu& set_le(std::optional<std::size_t> le) {
    m_le = le;
    return *this;
  }

  /// ISO case 1..4.
  int iso_case() const noexcept;
  /// Needs extended length: data over 255 bytes or Le over 256.
  bool needs_extended() const noexcept;
  /// Encodes in short form when possible, else extended; `allow_extended` false makes an
  /// oversize command an Unsupported error.
  Result<Bytes> encode(bool allow_extended = true) const;
  /// Forces extended form (even for small commands).
  Result<Bytes> encode_extended() const;
  /// Header as text for logs, e.g. "00 A4 04 0C Lc=11 Le=-" (never the data).
  std::string describe() const;

 private:
  std::uint8_t m_cla = 0, m_ins = 0, m_p1 = 0, m_p2 = 0;
  SecretBytes m_data;
  std::optional<std::size_t> m_le;
  bool m_parsed_extended = false;
};

/// A response APDU. `authenticated()` is true only for a response whose data and status word a
/// secure-messaging layer verified with the session's MAC (sm::SmSession::unwrap); responses read
/// off a plain link are never authenticated. Decisions a card or a link could fake (chip
/// authentication confirmed, PIN tries left, file absent, end of file) require it whenever a
/// secure channel is expected (apdu::require_authenticated in status.hpp).
class ResponseApdu {
 public:
  ResponseApdu() = default;
  ResponseApdu(Bytes data, std::uint16_t sw) : m_data(std::move(data)), m_sw(sw) {}
  explicit ResponseApdu(std::uint16_t sw) : m_sw(sw) {}
  /// Data ‖ SW1 SW2; MalformedData when shorter than 2 bytes.
  static Result<ResponseApdu> parse(ByteView encoded);

  const Bytes& data() const noexcept { return m_data; }
  Bytes& mutable_data() noexcept { return m_data; }
  std::uint16_t sw() const noexcept { return m_sw; }
  std::uint8_t sw1() const noexcept { return static_cast<std::uint8_t>(m_sw >> 8); }
  std::uint8_t sw2() const noexcept { return static_cast<std::uint8_t>(m_sw); }
  bool ok() const noexcept { return m_sw == 0x9000; }
  /// MAC-verified by secure messaging (see the class comment).
  bool authenticated() const noexcept { return m_authenticated; }
  /// Only the secure-messaging layer calls this, after the MAC check.
  ResponseApdu& mark_authenticated() noexcept {
    m_authenticated = true;
    return *this;
  }
  Bytes encode() const;

 private:
  Bytes m_data;
  std::uint16_t m_sw = 0;
  bool m_authenticated = false;
};

}  // namespace dnie::apdu
