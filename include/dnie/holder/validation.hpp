// SPDX-License-Identifier: Apache-2.0
// File: dnie/holder/validation.hpp
// Validation of the DNIe holder certificates (authentication and signing; level 75, above the
// eSign and ICAO applications): the chain to a trusted root, validity, the DNIe profile (key
// usage, extended key usage, basic constraints, certificate policy, qualified-certificate
// statements), the holder's DNI, and revocation from CRLs, OCSP response files or the OCSP
// responder named in the certificate. Every check is one entry of an icao::VerificationReport —
// the same {id, description, status, reason} style as passive authentication — and a verdict
// sums them up (docs/relying-parties.md explains each check).
//
// Check ids (stable): chain.path, chain.signatures, chain.ca, chain.validity, validity,
// basic_constraints, critical_extensions, key_usage, extended_key_usage, policy,
// qc_statements (signing certificates only), holder.dni, revocation, and one of
// revocation.crl / revocation.ocsp_response / revocation.ocsp_online per source tried.
//
// Network: only with ValidationOptions::online, one POST per certificate to the OCSP URL of its
// Authority Information Access (RFC 5280 §4.2.2.1), bounded by HttpLimits.
// Thread safety: validate_certificate() is reentrant (the options' objects are only read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dnie/crypto/revocation.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/holder/http.hpp"
#include "dnie/holder/trust.hpp"
#include "dnie/icao/verification.hpp"

namespace dnie::holder {

/// Certificate policy OIDs of the DNIe holder certificates (DPC of the DNIe, as in the specimen
/// signing certificate and the DNIe 3 authentication certificates).
inline constexpr std::string_view kPolicySigning = "2.16.724.1.2.2.2.3";
inline constexpr std::string_view kPolicyAuthentication = "2.16.724.1.2.2.2.4";

enum class CertificateVerdict {
  Valid,         ///< trusted chain, DNIe profile, valid at the time, revocation checked: good
  Invalid,       ///< a signature, constraint, usage, policy or DNI check failed
  Revoked,       ///< trusted, and revoked according to a verified CRL or OCSP response
  Expired,       ///< trusted and well-formed, outside its validity (or its CA's) at the time
  CannotVerify,  ///< nothing failed, but no trusted chain, or revocation unknown / unavailable /
                 ///< not checked ("unavailable is never good")
};
/// "VALID", "INVALID", "REVOKED", "EXPIRED", "CANNOT VERIFY".
std::string_view verdict_name(CertificateVerdict v) noexcept;

/// A CRL or OCSP response given by the caller, with a name for the report (its file name).
struct EvidenceFile {
  std::string name;
  Bytes data;
};

struct ValidationOptions {
  const HolderTrust* trust = nullptr;  ///< nullptr: HolderTrust::builtin()
  /// More certificates for this validation: anchors the caller chooses to trust (the virtual
  /// card's TEST root, test_only) and intermediates (e.g. the CA certificate read from the card:
  /// a link, never an anchor).
  std::vector<TrustedCertificate> extra;
  bool allow_test_roots = false;  ///< let chains end at test_only anchors
  std::int64_t at = 0;            ///< the time validity is checked at (Unix s); 0 = now
  std::int64_t now = 0;           ///< the clock for revocation freshness; 0 = the system clock
  /// The DNI from the document, e.g. {{"DG1", "99999999R"}, {"DG13", "99999999R"}}; each must
  /// equal the certificate's serialNumber ("99999999R" or "IDCES-99999999R"). Empty: holder.dni
  /// is not performed.
  std::vector<std::pair<std::string, std::string>> expected_dni;
  std::vector<EvidenceFile> crls;            ///< DER or PEM
  std::vector<EvidenceFile> ocsp_responses;  ///< DER OCSPResponse
  bool online = false;                       ///< ask the OCSP responder of the certificate's AIA
  HttpLimits http;
  HttpPost http_post;  ///< empty: curl_http_post
  bool ocsp_nonce = true;
  crypto::RevocationCheckOptions revocation;  ///< skew, OCSP max age, require_nonce (now/nonce are set here)
  crypto::Rng* rng = nullptr;                 ///< for the OCSP nonce; nullptr: system
};

struct CertificateValidation {
  esign::KeyKind key = esign::KeyKind::Authentication;
  crypto::Certificate certificate;
  std::vector<crypto::Certificate> path;  ///< issuer … anchor, as validated (empty: none found)
  std::string anchor;                     ///< the anchor's source, when a path was found
  bool test_anchor = false;               ///< the path ends at a TEST root
  std::int64_t at = 0;                    ///< the time validated
  icao::VerificationReport report;
  bool revocation_checked = false;      ///< some source was tried (else revocation.status is Unavailable)
  crypto::RevocationResult revocation;  ///< the decision over all sources
  std::vector<crypto::RevocationResult> revocation_sources;  ///< each source tried, in order
  CertificateVerdict verdict = CertificateVerdict::CannotVerify;
  std::vector<std::string> reasons;  ///< why not VALID (one sentence per deciding check)
  /// "good", "revoked", "unknown", "unavailable" or "not_checked".
  std::string revocation_label() const;
};

/// The role of a holder certificate from its content: nonRepudiation or the signing policy →
/// Signing, otherwise Authentication.
esign::KeyKind role_of(const crypto::Certificate& cert);

/// Validates one holder certificate for `key`'s role. Never fails: every problem is a check.
CertificateValidation validate_certificate(const crypto::Certificate& cert, esign::KeyKind key,
                                           const ValidationOptions& options = {});

/// Reads the card's authentication and signing certificates (no PIN) and validates them, with the
/// card's CA certificate (CertCAIntermediaDGP) as an extra intermediate. `keys` empty = both.
Result<std::vector<CertificateValidation>> validate_card_certificates(esign::EsignCard& card,
                                                                      const ValidationOptions& options = {},
                                                                      std::vector<esign::KeyKind> keys = {});

/// The worst verdict of several (Invalid > Revoked > CannotVerify > Expired > Valid), Valid for none.
CertificateVerdict overall_verdict(const std::vector<CertificateValidation>& v) noexcept;

/// JSON of one validation: {"key":"signing","verdict":"VALID","reasons":[...],
/// "subject":...,"issuer":...,"serial":...,"not_before":...,"not_after":...,"fingerprint":...,
/// "path":[subject...],"anchor":...,"test_anchor":bool,"at":ISO,
/// "revocation":{"status","source","detail","responder","revocation_time","revocation_reason",
/// "this_update","next_update","sources":[...]},"checks":[{"id","description","status","reason"}]}
std::string to_json(const CertificateValidation& v);
/// {"verdict":..., "certificates":[to_json(...), ...]}
std::string to_json(const std::vector<CertificateValidation>& v);

// Parsers of the DNIe-relevant extensions (exposed for tests and the fuzz target).
/// certificatePolicies (RFC 5280 §4.2.1.4): the policy OIDs. MalformedData on bad DER.
Result<std::vector<std::string>> parse_certificate_policies(ByteView ext_value);
/// qcStatements (RFC 3739 §3.2.6, ETSI EN 319 412-5 §4): the statement OIDs.
Result<std::vector<std::string>> parse_qc_statements(ByteView ext_value);
/// Authority Information Access (RFC 5280 §4.2.2.1): the URIs of `access_method` (dotted OID,
/// e.g. id-ad-ocsp "1.3.6.1.5.5.7.48.1").
Result<std::vector<std::string>> parse_aia_uris(ByteView ext_value, std::string_view access_method);
/// The DNI in a subject serialNumber: "99999999R" from "99999999R" or "IDCES-99999999R" (ETSI
/// EN 319 412-1 §5.1.3), upper-case letters and digits only; empty when absent.
std::string certificate_dni(const crypto::Certificate& cert);

}  // namespace dnie::holder
