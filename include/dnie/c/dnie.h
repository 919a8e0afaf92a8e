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
#define DNIE_C_API_VERSION 20261207

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

/* ---------------------------------------------------------------------------------------------
 * Sessions: one card, one secure channel (docs/c-api.md).
 *
 * Ownership: a dnie_session is created by dnie_session_open*() and owned by the caller until
 * dnie_session_close() (NULL-safe). Every buffer is caller-owned; functions never keep pointers
 * to caller memory after they return, except the `user` pointer and callbacks of
 * dnie_session_open_transport(), which must stay valid until dnie_session_close().
 * Secrets (CAN, PIN) are copied into wiped buffers and never logged.
 * Thread safety: a session must not be used from two threads at once (the library does not
 * lock it); different sessions are independent. The last error (message, tries) is per thread.
 * Handles are checked with a magic number: a closed or foreign pointer gives
 * DNIE_ERR_INVALID_ARGUMENT where it can be detected (never rely on it).
 * ------------------------------------------------------------------------------------------- */

typedef struct dnie_session dnie_session;

/** An application-supplied link (Android IsoDep, iOS Core NFC, a remote reader...).
 *  transmit: sends one command APDU `cmd` (cmd_len bytes, already encoded) and writes the full
 *    response (data ‖ SW1 SW2) into `resp`, whose capacity is *resp_len on entry (at least
 *    65538 bytes); sets *resp_len to the response length. Returns DNIE_OK, or an error code such
 *    as DNIE_ERR_CARD_REMOVED (tag lost), DNIE_ERR_TIMEOUT or DNIE_ERR_TRANSPORT. Required.
 *  atr: writes up to `cap` bytes of the ATR (or the ATS-derived ATR) into `buf` and returns its
 *    full length (0 if unknown). `buf` may be NULL with cap 0. Optional (NULL: no ATR).
 *  interface_contactless: non-zero for NFC (PACE needed), zero for a contact reader.
 *  max_command, max_response: largest command / response data field the link carries
 *    (0: 255 / 256). Values above 255 / 256 enable extended-length APDUs.
 *  reconnect: reconnects to the card after it left the field (reset non-zero: reset it).
 *    Optional (NULL: the session cannot resume after a tag loss). Returns DNIE_OK or a code.
 *  Callbacks are called only from inside dnie_* calls on the session, on the caller's thread. */
typedef struct dnie_transport_callbacks {
  int (*transmit)(void* user, const uint8_t* cmd, size_t cmd_len, uint8_t* resp, size_t* resp_len);
  size_t (*atr)(void* user, uint8_t* buf, size_t cap);
  int interface_contactless;
  size_t max_command, max_response;
  int (*reconnect)(void* user, int reset);
} dnie_transport_callbacks;

/** Opens a card by reader spec: a PC/SC reader name or index ("0"), "nfc[:connstring]", or
 *  NULL / "" for the first PC/SC reader with a card in it (DNIE_ERR_READER_NOT_FOUND when there
 *  is none). The simulated virtual DNIe 3.0 only when asked for by name: "virtual[:profile]",
 *  "virtual-contact[:profile]" (a test card whose CAN and PIN are public; docs/virtual-card.md).
 *  On success *out receives a new session. */
DNIE_C_API int dnie_session_open(const char* reader_spec, dnie_session** out);
/** Opens a card over an application-supplied transport. `cb` is copied; `user` is passed back
 *  to every callback and must outlive the session. */
DNIE_C_API int dnie_session_open_transport(const dnie_transport_callbacks* cb, void* user,
                                           dnie_session** out);
/** Trusts one more ICC component root (an X.509 certificate, DER) for this session: the
 *  caller's explicit choice, e.g. for a test card. The production roots (r1, r2) are always
 *  trusted; the PIN is only ever sent to a chip whose component chain leads to a trusted root.
 *  `test_root` nonzero: the root of a test card (test key sets are used with it). */
DNIE_C_API int dnie_trust_component_root(dnie_session* s, const uint8_t* der, size_t len, int test_root);
/** The readers as JSON: [{"spec","name","kind","card_present","atr"}...] — PC/SC readers (when
 *  pcscd runs) and, with include_nfc, libnfc devices. Pass a "spec" to dnie_session_open. Size
 *  query as dnie_hex_encode (including the NUL; dnie_last_report keeps it). Since API 20261207. */
DNIE_C_API int dnie_list_readers(int include_nfc, char* json, size_t* len);
/** The card's identity as JSON {"reader","interface","atr","card","chip_serial","idesp",
 *  "version","dnie_confirmed","generation","pin_tries_left","notes"}; with pin_tries nonzero
 *  also the PIN tries (spends none). Size query as dnie_hex_encode. Since API 20261207. */
DNIE_C_API int dnie_card_info(dnie_session* s, int pin_tries, char* json, size_t* len);
/** Progress of file reads (dnie_read_identity, dnie_read_file, dnie_read_photo_png,
 *  dnie_verify): called on the calling thread with the file (e.g. "DG2") and bytes done/total
 *  (total 0 while unknown). NULL removes it. `user` is passed back. Since API 20261207. */
typedef void (*dnie_progress_fn)(void* user, const char* file, size_t done, size_t total);
DNIE_C_API int dnie_set_progress(dnie_session* s, dnie_progress_fn fn, void* user);
/** Cancels the operation in progress on `s`; the one call that may come from another thread.
 *  The operation fails with DNIE_ERR_CANCELLED at its next APDU (one already on the link
 *  completes); later operations run normally (a secure channel is re-established as needed).
 *  Since API 20261207. */
DNIE_C_API int dnie_cancel(dnie_session* s);
/** Closes the session, wipes its secrets and frees it. NULL is a no-op. */
DNIE_C_API void dnie_session_close(dnie_session* s);

/** PACE with the 6-digit CAN printed on the card (DNIE_ERR_WRONG_CAN when rejected). */
DNIE_C_API int dnie_pace_can(dnie_session* s, const char* can);
/** PACE with the MRZ key: document number, date of birth and date of expiry (YYMMDD). */
DNIE_C_API int dnie_pace_mrz(dnie_session* s, const char* document_number, const char* date_of_birth,
                             const char* date_of_expiry);

/** The holder's identity. Strings are UTF-8, NUL-terminated, truncated at a character boundary
 *  if longer than the array (never in practice). Dates are "YYYY-MM-DD" (or the card's text if
 *  it cannot be converted). Empty when the card does not hold the field. */
typedef struct dnie_identity {
  char document_number[32]; /* MRZ document number (e.g. "BAA000589") */
  char dni_number[16];      /* "99999999R" */
  char names[128];          /* given names */
  char surnames[128];       /* first and second surname, separated by a space */
  char nationality[8];      /* "ESP" */
  char sex[4];              /* "F", "M" or "X" */
  char birth_date[16];
  char expiry_date[16];
  char birth_place[128]; /* "TOWN, PROVINCE" */
  char address[256];     /* "STREET, TOWN, PROVINCE" */
} dnie_identity;

/** Reads DG1, DG11 and DG13 (after PACE on NFC) and fills *out. */
DNIE_C_API int dnie_read_identity(dnie_session* s, dnie_identity* out);

#define DNIE_FILE_SOD 0x1D /* EF.SOD for dnie_read_file */
#define DNIE_FILE_COM 0x1E /* EF.COM for dnie_read_file */
/** Raw bytes of data group `dg` (1..16) or DNIE_FILE_SOD / DNIE_FILE_COM. Size query with a
 *  NULL buffer (or a too small one: DNIE_ERR_INVALID_ARGUMENT with *len set to the size).
 *  Files are read once per session and cached. DNIE_ERR_NOT_FOUND / DNIE_ERR_ACCESS_DENIED
 *  (DG3, DG4) when the file cannot be read. */
DNIE_C_API int dnie_read_file(dnie_session* s, uint16_t dg, uint8_t* buf, size_t* len);
/** The face image of DG2, converted to PNG (size query as dnie_read_file). */
DNIE_C_API int dnie_read_photo_png(dnie_session* s, uint8_t* buf, size_t* len);

/* Verdicts of dnie_verify (docs/verification.md): one vocabulary with the CLI and dnie-verify. */
#define DNIE_GENUINE 0         /* integrity, trust and chip authentication proven */
#define DNIE_NOT_GENUINE 1     /* a hash, signature or chip check failed: tampered data or a clone */
#define DNIE_CANNOT_VERIFY 2   /* nothing failed, but a proof is missing (no trusted CSCA, no CA) */
#define DNIE_GENUINE_EXPIRED 3 /* genuine, but the document has expired */
/* Former names, same numbers. */
#define DNIE_VERDICT_VALID DNIE_GENUINE
#define DNIE_VERDICT_INVALID DNIE_NOT_GENUINE
#define DNIE_VERDICT_INCOMPLETE DNIE_CANNOT_VERIFY
/** Reads the whole document and verifies it: passive authentication against the CSCA
 *  certificates in `trust` (a directory, a PEM/DER file, or NULL for none: the chain cannot be
 *  checked and the verdict is at best DNIE_CANNOT_VERIFY) plus chip authentication, which a
 *  genuine verdict requires. *verdict = DNIE_GENUINE, DNIE_NOT_GENUINE, DNIE_CANNOT_VERIFY or
 *  DNIE_GENUINE_EXPIRED. The JSON report {"verdict":"GENUINE"|"NOT GENUINE"|"CANNOT VERIFY",
 *  "label":..., "expired":bool, "reasons":[...], "checks":[{"id","status","reason"}...]} goes
 *  to json_report (size query as dnie_hex_encode, including the NUL); json_report and len may
 *  both be NULL. */
DNIE_C_API int dnie_verify(dnie_session* s, const char* trust, int* verdict, char* json_report, size_t* len);

#define DNIE_KEY_AUTH 1 /* CertAutenticacion / KprivAutenticacion */
#define DNIE_KEY_SIGN 2 /* CertFirmaDigital / KprivFirmaDigital (qualified signature) */
#define DNIE_KEY_CA 3   /* CertCAIntermediaDGP (certificate only) */
/** DER certificate of `key` (size query as dnie_read_file). */
DNIE_C_API int dnie_certificate(dnie_session* s, int key, uint8_t* der, size_t* len);

/** PIN tries left, spending none. */
DNIE_C_API int dnie_pin_tries(dnie_session* s, int* tries);
/** VERIFY the PIN. With one try left it is refused (DNIE_ERR_LAST_TRY_REFUSED, nothing sent)
 *  unless allow_last_try is non-zero. DNIE_ERR_WRONG_PIN sets dnie_error_tries_left(). */
DNIE_C_API int dnie_pin_verify(dnie_session* s, const char* pin, int allow_last_try);
/** CHANGE PIN (old PIN verified first; last-try rule as dnie_pin_verify). */
DNIE_C_API int dnie_pin_change(dnie_session* s, const char* old_pin, const char* new_pin, int allow_last_try);

#define DNIE_HASH_SHA1 1
#define DNIE_HASH_SHA224 2
#define DNIE_HASH_SHA256 3
#define DNIE_HASH_SHA384 4
#define DNIE_HASH_SHA512 5
/** PKCS#1 v1.5 signature of a digest of `hash_alg` with `key` (DNIE_KEY_AUTH or DNIE_KEY_SIGN),
 *  after VERIFY with `pin` (the DNIe wants a fresh VERIFY per signature; the last-try rule of
 *  dnie_pin_verify applies, without consent). The signature is checked against the certificate
 *  before it is returned. With sig == NULL only *sig_len (the key size) is returned and nothing
 *  is signed. */
DNIE_C_API int dnie_sign_hash(dnie_session* s, int key, int hash_alg, const uint8_t* digest,
                              size_t digest_len, const char* pin, uint8_t* sig, size_t* sig_len);

/** Tries left reported by the last DNIE_ERR_WRONG_PIN / DNIE_ERR_PIN_SUSPENDED on this thread,
 *  or -1. */
DNIE_C_API int dnie_error_tries_left(void);

/** The last JSON report made on this thread (dnie_verify, dnie_validate_certificates, ...),
 *  including when its buffer was too small: fetch it here instead of running the operation
 *  again (an online validation would query the responder twice). Size query as
 *  dnie_hex_encode, including the NUL. Since API 20261206. */
DNIE_C_API int dnie_last_report(char* json_report, size_t* len);

/* ---------------------------------------------------------------------------------------------
 * Holder certificates: validation and revocation (docs/relying-parties.md). Since API 20261206.
 *
 * The authentication and signing certificates are checked against the DNIe roots shipped with
 * the library (AC RAIZ DNIE 2, AC RAIZ DNIE) — chain signatures, validity, key usage, policy,
 * QC statements, the DNI — and, when asked, against a CRL file, an OCSP response file or the
 * OCSP responder named in the certificate. The JSON report lists every check as dnie_verify
 * does: {"verdict":"VALID"|..., "certificates":[{"key":"authentication"|"signing","verdict",
 * "reasons":[...], "subject","issuer","dni","serial","not_before","not_after","fingerprint",
 * "path":[...], "anchor", "test_anchor", "at", "revocation":{"status":"good"|"revoked"|
 * "unknown"|"unavailable"|"not_checked", "source","detail","responder","revocation_time",
 * "revocation_reason","this_update","next_update","sources":[...]},
 * "checks":[{"id","description","status","reason"}...]}...]}.
 * "unavailable" (no usable answer) and "not_checked" are never treated as good.
 * ------------------------------------------------------------------------------------------- */

#define DNIE_CERT_VALID 0         /* trusted, well-formed, valid, revocation checked: good */
#define DNIE_CERT_INVALID 1       /* a signature, usage, policy, constraint or DNI check failed */
#define DNIE_CERT_CANNOT_VERIFY 2 /* no trusted chain, or revocation unknown/unavailable/not checked */
#define DNIE_CERT_EXPIRED 3       /* trusted and well-formed, outside its validity */
#define DNIE_CERT_REVOKED 4       /* revoked according to a verified CRL or OCSP response */

#define DNIE_VALIDATE_ONLINE 0x1u        /* ask the OCSP responder of each certificate (network) */
#define DNIE_VALIDATE_TRUST_VIRTUAL 0x2u /* trust the virtual card's TEST holder PKI and CRL (session) */
#define DNIE_VALIDATE_COMPARE_DNI 0x4u   /* read DG1/DG11/DG13 and compare their DNI (session) */

/** Options of the validation functions. Initialise with dnie_validate_options_init() (it sets
 *  struct_size, so later versions can add fields); NULL options mean the defaults. Paths are
 *  read during the call only. */
typedef struct dnie_validate_options {
  size_t struct_size;             /* sizeof(dnie_validate_options) */
  unsigned flags;                 /* DNIE_VALIDATE_* */
  const char* crl_file;           /* a CRL (DER or PEM) of the certificates' CA, or NULL */
  const char* ocsp_response_file; /* an OCSPResponse (DER), or NULL */
  const char* trust;              /* more trust anchors: a PEM/DER file or a directory, or NULL */
  const char* dni;                /* the holder's DNI to compare with ("99999999R"), or NULL */
  int64_t at;                     /* Unix seconds validity is checked at; 0 = now */
  int64_t now;                    /* clock for CRL/OCSP freshness (tests); 0 = the system clock */
  long timeout_ms;                /* online OCSP: whole-request timeout; 0 = 5000 */
} dnie_validate_options;
DNIE_C_API void dnie_validate_options_init(dnie_validate_options* o);

/** Validates the card's certificate of `key` (DNIE_KEY_AUTH, DNIE_KEY_SIGN, or 0 for both; no
 *  PIN). *verdict = DNIE_CERT_* (the worst of both). The JSON report goes to json_report (size
 *  query as dnie_hex_encode, including the NUL; when the buffer is too small the verdict is
 *  still set and dnie_last_report() returns the report). The result is remembered by the
 *  session for dnie_signature_preview(). */
DNIE_C_API int dnie_validate_certificates(dnie_session* s, int key, const dnie_validate_options* o,
                                          int* verdict, char* json_report, size_t* len);
/** The same for a certificate given as DER or PEM (no card): `key` is DNIE_KEY_AUTH,
 *  DNIE_KEY_SIGN or 0 (the role is read from the certificate). */
DNIE_C_API int dnie_validate_certificate_data(const uint8_t* cert, size_t cert_len, int key,
                                              const dnie_validate_options* o, int* verdict, char* json_report,
                                              size_t* len);

/* ---------------------------------------------------------------------------------------------
 * CAdES signatures (docs/relying-parties.md). Since API 20261206.
 * ------------------------------------------------------------------------------------------- */

/** What will be signed and with which certificate, for the screen before the PIN prompt (no
 *  PIN): {"key","hash","digest","size","holder","dni","issuer","not_before","not_after",
 *  "valid_now","fingerprint","revocation":"good"|...|"not_checked","revocation_detail",
 *  "verdict":null|"VALID"|...}. Revocation and verdict come from the session's last
 *  dnie_validate_certificates() of that key. `digest` is the content's digest of `hash_alg`. */
DNIE_C_API int dnie_signature_preview(dnie_session* s, int key, int hash_alg, const uint8_t* digest,
                                      size_t digest_len, uint64_t content_size, char* json, size_t* len);

/** Detached CAdES-BES signature (CMS SignedData, DER; a .p7s) over content whose digest of
 *  `hash_alg` (DNIE_HASH_SHA256/384/512) is `digest`, made by the card with `key` after VERIFY
 *  with `pin` (rules of dnie_sign_hash). Signed attributes: contentType, messageDigest,
 *  signingTime (`signing_time` Unix seconds, 0 = now) and ESS signing-certificate-v2; the card's
 *  CA certificate (and the root, when the library ships it) are included. With cms == NULL only
 *  *cms_len (an upper bound) is returned and nothing is signed; a buffer smaller than that bound
 *  is refused before the PIN is used. */
DNIE_C_API int dnie_sign_cms(dnie_session* s, int key, int hash_alg, const uint8_t* digest, size_t digest_len,
                             const char* pin, int64_t signing_time, uint8_t* cms, size_t* cms_len);

/** Verifies a CMS/CAdES signature (DER or PEM) over detached content given in memory
 *  (`content`, `content_len`) or as a file (`content_file`; used when content is NULL): the CMS
 *  checks (cms.parse, cms.message_digest, cms.signature, cms.signing_certificate) and the signer
 *  certificate's validation at the signing time with `o`. *verdict = DNIE_CERT_*. JSON:
 *  {"verdict","reasons","signing_time","checks":[...],"signer":<certificate report>|null}. */
DNIE_C_API int dnie_verify_cms(const uint8_t* cms, size_t cms_len, const uint8_t* content, size_t content_len,
                               const char* content_file, const dnie_validate_options* o, int* verdict,
                               char* json_report, size_t* len);

#ifdef __cplusplus
}
#endif

#endif /* DNIE_C_DNIE_H */
