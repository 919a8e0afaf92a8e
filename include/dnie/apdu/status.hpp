// SPDX-License-Identifier: Apache-2.0
// File: dnie/apdu/status.hpp
// Status word catalogue (ISO/IEC 7816-4 §5.6, CWA 14890-1, DNIe specifics) and the helpers an
// application layer uses to turn a status word into an Error when it decides it is one.
#pragma once

#include <cstdint>
#include <string_view>

#include "dnie/apdu/apdu.hpp"

namespace dnie::apdu {

namespace sw {
constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kEndOfFileWarning = 0x6282;  ///< fewer bytes than Le (end of file)
constexpr std::uint16_t kVerifyFailed = 0x6300;      ///< authentication failed (no counter)
constexpr std::uint16_t kMemoryFailure = 0x6581;     ///< (terminated DNIe in ATR)
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kSmWrongChecksum = 0x6688;  ///< CWA-14890: cryptographic checksum wrong
constexpr std::uint16_t kSecurityStatusNotSatisfied = 0x6982;
constexpr std::uint16_t kAuthMethodBlocked = 0x6983;
constexpr std::uint16_t kReferenceDataNotUsable = 0x6984;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kCommandNotAllowed = 0x6986;
constexpr std::uint16_t kSmObjectsMissing = 0x6987;
constexpr std::uint16_t kSmObjectsIncorrect = 0x6988;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
constexpr std::uint16_t kFileNotFound = 0x6A82;
constexpr std::uint16_t kRecordNotFound = 0x6A83;
constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
constexpr std::uint16_t kLcInconsistent = 0x6A87;
constexpr std::uint16_t kReferenceNotFound = 0x6A88;
constexpr std::uint16_t kWrongP1P2 = 0x6B00;  ///< also: offset beyond end of EF
constexpr std::uint16_t kInsNotSupported = 0x6D00;
constexpr std::uint16_t kClaNotSupported = 0x6E00;
constexpr std::uint16_t kNoPreciseDiagnosis = 0x6F00;
}  // namespace sw

/// 61xx: more data available (SW2 bytes, 00 = 256).
inline bool is_more_data(std::uint16_t s) noexcept { return (s & 0xFF00) == 0x6100; }
/// 6Cxx: wrong Le; SW2 is the exact length.
inline bool is_wrong_le(std::uint16_t s) noexcept { return (s & 0xFF00) == 0x6C00; }
/// 63Cx: verification failed, x tries left.
inline bool is_counter(std::uint16_t s) noexcept { return (s & 0xFFF0) == 0x63C0; }
inline int counter_value(std::uint16_t s) noexcept { return s & 0x0F; }
/// 9000 or 62xx/63xx warnings that still carry data.
inline bool is_success_or_warning(std::uint16_t s) noexcept {
  return s == 0x9000 || (s & 0xFF00) == 0x6200 || ((s & 0xFF00) == 0x6300 && !is_counter(s));
}

/// Meaning of a status word in English ("File or application not found").
std::string_view sw_meaning(std::uint16_t s) noexcept;

/// Generic mapping of a non-success status word to an Error for an operation `what`
/// (FileNotFound → NotFound, 6982 → AccessDenied, 6983 → PinBlocked (when `pin` true) ...).
/// Application layers use it when no specific meaning applies.
Error sw_error(std::uint16_t s, std::string_view what);

/// Ok if the response is 9000, else sw_error().
Status expect_ok(const ResponseApdu& r, std::string_view what);

/// Ok if `r` was MAC-verified by secure messaging; otherwise SecureMessagingError (with the SW)
/// saying that `what` cannot be decided on an unauthenticated answer. Used where a card or a
/// link could fake the answer (ISO/IEC 7816-4 §6: only a verified cryptographic checksum binds
/// the status word).
Status require_authenticated(const ResponseApdu& r, std::string_view what);

}  // namespace dnie::apdu
