/* SPDX-License-Identifier: Apache-2.0
 * File: dnie/c/dnie.h — the stable C API of the DNIe SDK (libdnie.so).
 *
 * Rules (as in Botan's FFI): opaque handles only; every function returns an int error code
 * (0 = DNIE_OK, the numbers of dnie::ErrorCode); output goes to caller-owned buffers with an
 * in/out length (call with a NULL buffer to learn the size); no exception crosses this boundary;
 * dnie_*_destroy(NULL) is a no-op; the last error message is thread-local.
 * Depends only on <stddef.h> and <stdint.h>. Thread safety: functions taking distinct handles may
 * run concurrently; one handle must not be used from two threads at once.
 */
#ifndef DNIE_C_DNIE_H
#define DNIE_C_DNIE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DNIE_C_API __declspec(dllexport)
#else
#define DNIE_C_API __attribute__((visibility("default")))
#endif

/** Compile-time version of this header's API (YYYYMMDD). */
#define DNIE_C_API_VERSION 20261126

/** Error codes: the same numbers as dnie::ErrorCode (docs/errors.md). */
enum dnie_error {
  DNIE_OK = 0,
  DNIE_ERR_INVALID_ARGUMENT = 1,
  DNIE_ERR_INVALID_STATE = 2,
  DNIE_ERR_UNSUPPORTED = 3,
  DNIE_ERR_CANCELLED = 4,
  DNIE_ERR_NO_SERVICE = 10,
  DNIE_ERR_READER_NOT_FOUND = 11,
  DNIE_ERR_NO_CARD = 12,
  DNIE_ERR_CARD_REMOVED = 13,
  DNIE_ERR_CARD_RESET = 14,
  DNIE_ERR_SHARING_VIOLATION = 15,
  DNIE_ERR_TIMEOUT = 16,
  DNIE_ERR_TRANSPORT = 17,
  DNIE_ERR_WRONG_CAN = 20,
  DNIE_ERR_WRONG_PIN = 21,
  DNIE_ERR_PIN_SUSPENDED = 22,
  DNIE_ERR_PIN_BLOCKED = 23,
  DNIE_ERR_CARD_TERMINATED = 24,
  DNIE_ERR_ACCESS_DENIED = 25,
  DNIE_ERR_NOT_FOUND = 26,
  DNIE_ERR_CARD = 27,
  DNIE_ERR_LAST_TRY_REFUSED = 28,
  DNIE_ERR_MALFORMED_DATA = 30,
  DNIE_ERR_SECURE_MESSAGING = 31,
  DNIE_ERR_PROTOCOL = 32,
  DNIE_ERR_UNTRUSTED_DOCUMENT = 40,
  DNIE_ERR_VERIFICATION_FAILED = 41,
  DNIE_ERR_CRYPTO = 90,
  DNIE_ERR_INTERNAL = 99
};

/** Runtime API version (DNIE_C_API_VERSION of the library actually loaded). */
DNIE_C_API uint32_t dnie_api_version(void);
/** Non-zero if the loaded library supports the API of `version` (a DNIE_C_API_VERSION). */
DNIE_C_API int dnie_supports_api(uint32_t version);
/** Library version string, e.g. "0.1.0". Static storage. */
DNIE_C_API const char* dnie_version_string(void);
/** Short stable name of an error code ("WrongPin"). Static storage. */
DNIE_C_API const char* dnie_error_name(int code);
/** One-sentence hint a UI can show for an error code. Static storage. */
DNIE_C_API const char* dnie_error_hint(int code);
/** Message of the last error on this thread ("" if none). Valid until the next call on it. */
DNIE_C_API const char* dnie_last_error_message(void);

/** Hex helper (also a smoke test of buffer conventions): writes the uppercase hex of `data` into
 *  `out` (size in/out, including the terminating NUL). DNIE_ERR_INVALID_ARGUMENT if too small;
 *  *out_len then holds the size needed. */
DNIE_C_API int dnie_hex_encode(const uint8_t* data, size_t data_len, char* out, size_t* out_len);

#ifdef __cplusplus
}
#endif

#endif /* DNIE_C_DNIE_H */
