// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/error.hpp
// The SDK's error model: a small, stable set of codes that map to what a person can act on,
// and the Error value that carries one through every layer. See docs/errors.md for the rules
// on which code to pick. Thread safety: plain values, safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dnie {

/// Stable error codes. The numbers are part of the C API and never change meaning.
/// Bands: 1-9 usage, 10-19 reader/transport, 20-29 card and authentication outcomes,
/// 30-39 data and protocol, 40-49 verification, 90-99 internal.
enum class ErrorCode : int {
  Ok = 0,
  // --- usage: the caller can fix the call -------------------------------------------------
  InvalidArgument = 1,  ///< Bad input from the caller (malformed hex, CAN not 6 digits...).
  InvalidState = 2,     ///< Call not valid now (no session, channel closed after an error).
  Unsupported = 3,      ///< The card, reader or requested parameters are not supported.
  Cancelled = 4,        ///< The caller cancelled the operation.
  // --- reader / transport: retry after the person acts ------------------------------------
  NoService = 10,         ///< The PC/SC service (pcscd) or the NFC stack is not available.
  ReaderNotFound = 11,    ///< No such reader, or the reader was unplugged.
  NoCard = 12,            ///< No card in the reader / in the field.
  CardRemoved = 13,       ///< The card left the reader or the field during the operation.
  CardReset = 14,         ///< Another process reset the card; secure channels are lost.
  SharingViolation = 15,  ///< Another process holds the card exclusively.
  Timeout = 16,           ///< The card or reader did not answer in time.
  TransportError = 17,    ///< Any other communication failure (see `native`).
  // --- card and authentication outcomes ---------------------------------------------------
  WrongCan = 20,        ///< PACE rejected the CAN or MRZ: re-read the number on the card.
  WrongPin = 21,        ///< Wrong PIN; `tries_left` says how many remain.
  PinSuspended = 22,    ///< PIN has one try left and must be resumed with the CAN first.
  PinBlocked = 23,      ///< PIN blocked; only an issuer kiosk can unblock it.
  CardTerminated = 24,  ///< The card's life cycle is terminated (ATR ends 65 81).
  AccessDenied = 25,    ///< Security status not satisfied (authenticate / verify first).
  NotFound = 26,        ///< File, key or object absent on the card.
  CardError = 27,       ///< The card answered an unexpected status word (see `sw`).
  LastTryRefused = 28,  ///< Refused to spend the last PIN try without explicit consent.
  // --- data and protocol ------------------------------------------------------------------
  MalformedData = 30,         ///< Bad encoding from a card, file or peer (TLV, ASN.1, images).
  SecureMessagingError = 31,  ///< SM MAC or format failure; the channel was closed and wiped.
  ProtocolError = 32,         ///< The peer broke the protocol (bad token, unexpected step).
  // --- verification -----------------------------------------------------------------------
  UntrustedDocument = 40,   ///< No trusted CSCA / root for the document or chip.
  VerificationFailed = 41,  ///< A signature, hash or chip authentication check failed.
  // --- internal ---------------------------------------------------------------------------
  CryptoError = 90,    ///< The crypto backend failed unexpectedly.
  InternalError = 99,  ///< A bug in the SDK; please report it.
};

/// Short stable name of a code, e.g. "WrongPin".
std::string_view error_code_name(ErrorCode code) noexcept;

/// One sentence a person can act on, e.g. "The PIN is wrong." (English).
std::string_view error_code_hint(ErrorCode code) noexcept;

/// The link to the card failed (card removed or reset, no card, timeout, transport): the
/// operation may be tried again over a fresh link.
bool link_lost(ErrorCode code) noexcept;
/// link_lost(), or the secure channel broke: a read can resume over a fresh link and a new
/// channel (the ICAO and eSign readers resume after exactly these).
bool read_resumable(ErrorCode code) noexcept;

/// An error with its context. `sw` is the card's status word when one caused it (0 = none),
/// `native` the platform code (SCARD_E_*, libnfc, mbedTLS) kept for diagnostics.
struct Error {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
  std::uint16_t sw = 0;
  long native = 0;
  int tries_left = -1;  ///< For WrongPin / PinSuspended / WrongCan: remaining tries, or -1.

  Error() = default;
  Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}

  Error& with_sw(std::uint16_t s) {
    sw = s;
    return *this;
  }
  Error& with_native(long n) {
    native = n;
    return *this;
  }
  Error& with_tries(int t) {
    tries_left = t;
    return *this;
  }
  /// Prefix context to the message ("reading DG2: " + message).
  Error& context(std::string_view what);

  /// "WrongPin: The PIN is wrong (2 tries left) [sw=63C2]".
  std::string to_string() const;
};

/// Convenience constructor: make_error(ErrorCode::MalformedData, "DG1 too short").
inline Error make_error(ErrorCode c, std::string msg) { return Error(c, std::move(msg)); }

}  // namespace dnie
