// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/revocation.hpp
// Certificate revocation evidence: CRLs (RFC 5280 §5, §6.3) and OCSP (RFC 6960), through
// OpenSSL's X509_CRL and OCSP APIs. Every answer is one of four states, and only verified,
// current evidence about exactly this certificate is "good":
//  - good:        a CRL of the issuer, or an OCSP response from the issuer or its delegated
//                 responder, current at `now`, says the certificate is not revoked;
//  - revoked:     such evidence lists it (with date and reason);
//  - unknown:     an authorised OCSP responder answered "unknown" (it does not know the
//                 certificate: RFC 6960 §2.2);
//  - unavailable: no usable evidence — nothing answered, the answer was malformed, stale, not
//                 yet valid, signed by a key not authorised for the issuer, about another
//                 certificate, or its nonce did not match. `detail` says which.
// No network I/O here: the OCSP request is built and the response checked; the transport is the
// caller's (dnie::holder posts it over HTTP).
// Thread safety: free functions, reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/crypto/x509.hpp"

namespace dnie::crypto {

enum class RevocationStatus { Good, Revoked, Unknown, Unavailable };
/// "good", "revoked", "unknown", "unavailable".
std::string_view revocation_status_name(RevocationStatus s) noexcept;
/// RFC 5280 §5.3.1 CRLReason name ("keyCompromise", "certificateHold", ...); "" for an
/// out-of-range code.
std::string_view crl_reason_name(int reason) noexcept;

struct RevocationResult {
  RevocationStatus status = RevocationStatus::Unavailable;
  std::string source;  ///< "CRL", "OCSP": set by the checker; callers may refine (file, URL)
  std::optional<std::int64_t> revocation_time;  ///< Unix seconds, when revoked
  std::string revocation_reason;                ///< crl_reason_name(); empty when not given
  std::optional<std::int64_t> this_update, next_update, produced_at;
  /// Who vouched: the CRL issuer, "the issuing CA" or "delegated responder <subject>" (OCSP).
  std::string responder;
  bool delegated_responder = false;  ///< OCSP signed by a certificate with id-kp-OCSPSigning
  std::optional<bool> nonce_echoed;  ///< OCSP with a nonce sent: whether the response carried it
  std::string detail;                ///< one sentence: what decided (always set)
  bool good() const noexcept { return status == RevocationStatus::Good; }
};

struct RevocationCheckOptions {
  std::int64_t now = 0;  ///< Unix seconds for freshness; 0 = the system clock
  /// Tolerated clock difference with the CRL issuer / responder (RFC 6960 §4.2.2.1 leaves it to
  /// local policy).
  std::int64_t clock_skew = 300;
  /// OCSP responses without nextUpdate are current for this long after thisUpdate (RFC 6960
  /// §4.2.2.1: "newer information is available all the time"; local policy).
  std::int64_t ocsp_max_age = 24 * 3600;
  /// The nonce sent in the request (make_ocsp_request): a response with another nonce is
  /// unavailable (a replay); one without a nonce is accepted on its thisUpdate/nextUpdate
  /// (responders that pre-produce answers ignore nonces, RFC 8954 §2) unless `require_nonce`.
  std::optional<Bytes> nonce;
  bool require_nonce = false;
};

/// Checks `cert` against a CRL (DER or PEM) of `issuer`: the CRL's issuer name (and authority key
/// id, if any) must be `issuer`'s, its signature must verify with `issuer`'s key, whose keyUsage
/// (if present) allows cRLSign; critical extensions the SDK does not process (delta CRLs,
/// indirect CRLs, partitioned scopes: RFC 5280 §5.2.4, §5.2.5) make it unusable. A CRL that
/// lists the serial proves "revoked" even when stale (revocation is permanent, §3.3); "good"
/// needs thisUpdate <= now <= nextUpdate (no nextUpdate: unavailable).
RevocationResult check_crl(ByteView crl, const Certificate& cert, const Certificate& issuer,
                           const RevocationCheckOptions& options = {});

struct OcspRequest {
  Bytes der;    ///< OCSPRequest (RFC 6960 §4.1), for HTTP POST as application/ocsp-request
  Bytes nonce;  ///< the nonce it carries (empty without one); pass it to check_ocsp_response()
};
/// One-certificate OCSP request. CertID with SHA-1 (RFC 5019 §2.1.1: what every responder
/// understands) unless `cert_id_hash`; a 16-byte nonce extension (RFC 8954) from `rng` (nullptr:
/// system) when `nonce`.
Result<OcspRequest> make_ocsp_request(const Certificate& cert, const Certificate& issuer, bool nonce = true,
                                      Rng* rng = nullptr, HashAlg cert_id_hash = HashAlg::Sha1);

/// Checks an OCSPResponse (DER) about `cert` issued by `issuer` (RFC 6960 §3.2): response status
/// successful, a basic response whose signature verifies with the key of its signer, and that
/// signer authorised — `issuer` itself, or a certificate issued and signed by `issuer` with
/// id-kp-OCSPSigning, valid at `now` (§4.2.2.2); a SingleResponse whose CertID matches `cert`
/// (name and key hash of `issuer`, serial of `cert`) in whatever hash the responder used;
/// thisUpdate/nextUpdate current at `now`; the nonce when one was sent.
RevocationResult check_ocsp_response(ByteView response, const Certificate& cert, const Certificate& issuer,
                                     const RevocationCheckOptions& options = {});

}  // namespace dnie::crypto
