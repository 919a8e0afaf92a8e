// SPDX-License-Identifier: Apache-2.0
// The C error codes (dnie/c/dnie.h, enum dnie_error) are the numbers of dnie::ErrorCode
// (dnie/bytes/error.hpp): the C API passes Error::code through unchanged. One row per code; the
// static_asserts below fail the build when a pair disagrees, and tests/unit/c/test_c_api.cpp
// fails when an ErrorCode has no row (so a new code needs its DNIE_ERR_ counterpart here).
#pragma once

#include <cstddef>

#include "dnie/bytes/error.hpp"
#include "dnie/c/dnie.h"

// X(C name, ErrorCode enumerator)
#define DNIE_C_ERROR_CODES(X)                         \
  X(DNIE_OK, Ok)                                      \
  X(DNIE_ERR_INVALID_ARGUMENT, InvalidArgument)       \
  X(DNIE_ERR_INVALID_STATE, InvalidState)             \
  X(DNIE_ERR_UNSUPPORTED, Unsupported)                \
  X(DNIE_ERR_CANCELLED, Cancelled)                    \
  X(DNIE_ERR_NO_SERVICE, NoService)                   \
  X(DNIE_ERR_READER_NOT_FOUND, ReaderNotFound)        \
  X(DNIE_ERR_NO_CARD, NoCard)                         \
  X(DNIE_ERR_CARD_REMOVED, CardRemoved)               \
  X(DNIE_ERR_CARD_RESET, CardReset)                   \
  X(DNIE_ERR_SHARING_VIOLATION, SharingViolation)     \
  X(DNIE_ERR_TIMEOUT, Timeout)                        \
  X(DNIE_ERR_TRANSPORT, TransportError)               \
  X(DNIE_ERR_WRONG_CAN, WrongCan)                     \
  X(DNIE_ERR_WRONG_PIN, WrongPin)                     \
  X(DNIE_ERR_PIN_SUSPENDED, PinSuspended)             \
  X(DNIE_ERR_PIN_BLOCKED, PinBlocked)                 \
  X(DNIE_ERR_CARD_TERMINATED, CardTerminated)         \
  X(DNIE_ERR_ACCESS_DENIED, AccessDenied)             \
  X(DNIE_ERR_NOT_FOUND, NotFound)                     \
  X(DNIE_ERR_CARD, CardError)                         \
  X(DNIE_ERR_LAST_TRY_REFUSED, LastTryRefused)        \
  X(DNIE_ERR_MALFORMED_DATA, MalformedData)           \
  X(DNIE_ERR_SECURE_MESSAGING, SecureMessagingError)  \
  X(DNIE_ERR_PROTOCOL, ProtocolError)                 \
  X(DNIE_ERR_UNTRUSTED_DOCUMENT, UntrustedDocument)   \
  X(DNIE_ERR_VERIFICATION_FAILED, VerificationFailed) \
  X(DNIE_ERR_CRYPTO, CryptoError)                     \
  X(DNIE_ERR_INTERNAL, InternalError)

namespace dnie::capi {

#define DNIE_C_ERROR_ASSERT_(c, cxx)                                     \
  static_assert(static_cast<int>(c) == static_cast<int>(ErrorCode::cxx), \
                #c " must equal dnie::ErrorCode::" #cxx);
DNIE_C_ERROR_CODES(DNIE_C_ERROR_ASSERT_)
#undef DNIE_C_ERROR_ASSERT_

#define DNIE_C_ERROR_COUNT_(c, cxx) +1
/// Rows in DNIE_C_ERROR_CODES.
inline constexpr std::size_t kCErrorCodeCount = 0 DNIE_C_ERROR_CODES(DNIE_C_ERROR_COUNT_);
#undef DNIE_C_ERROR_COUNT_

}  // namespace dnie::capi
