// SPDX-License-Identifier: Apache-2.0
// File: dnie/holder/signing.hpp
// Signatures a relying party can use, made with the DNIe: detached CAdES-BES (CMS SignedData
// with signing-certificate-v2 and signingTime; ETSI EN 319 122-1) whose signed attributes the
// card signs with either key, the summary a signing application shows before it asks for the
// PIN, and the verification of such a signature (CMS checks plus validate_certificate() at the
// signing time).
// Thread safety: as EsignCard — one thread at a time per card.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnie/crypto/cades.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/holder/validation.hpp"

namespace dnie::holder {

/// The digest of the content to sign and its size.
struct ContentDigest {
  crypto::HashAlg hash = crypto::HashAlg::Sha256;
  Bytes digest;
  std::uint64_t size = 0;
};
ContentDigest digest_data(ByteView data, crypto::HashAlg hash = crypto::HashAlg::Sha256);
/// Streams a file through the hash (NotFound when it cannot be opened).
Result<ContentDigest> digest_file(const std::string& path, crypto::HashAlg hash = crypto::HashAlg::Sha256);

/// What will be signed and with which certificate: for the screen before the PIN prompt.
struct SignaturePreview {
  esign::KeyKind key = esign::KeyKind::Signing;
  ContentDigest content;
  std::string holder;  ///< certificate CN
  std::string dni;     ///< certificate serialNumber DNI
  std::string issuer;  ///< issuer DN
  std::int64_t not_before = 0, not_after = 0;
  bool valid_now = false;
  std::string fingerprint_sha256;
  /// Revocation as last checked (validate_certificate), or "not_checked".
  std::string revocation = "not_checked";
  std::string revocation_detail;
  std::optional<CertificateVerdict> verdict;  ///< when a validation was given
  /// Human-readable lines ("Document: 1234 bytes, SHA-256 9F86…", "Certificate: …").
  std::vector<std::string> lines() const;
  std::string to_json() const;
};
/// Reads `key`'s certificate (no PIN) and describes the signature about to be made. `known` is a
/// validation of that certificate already run (its verdict and revocation are shown), or nullptr.
Result<SignaturePreview> preview_signature(esign::EsignCard& card, esign::KeyKind key,
                                           const ContentDigest& content,
                                           const CertificateValidation* known = nullptr,
                                           std::int64_t now = 0);

struct CadesOptions {
  std::int64_t signing_time = 0;  ///< 0 = the system clock
  /// Include the card's CA certificate and, when found in the holder trust, the root.
  bool include_chain = true;
  const HolderTrust* trust = nullptr;            ///< where the root is looked up; nullptr = builtin()
  std::vector<crypto::Certificate> extra_chain;  ///< more certificates to include (e.g. a TEST root)
  bool allow_last_try = false;                   ///< as EsignCard::sign_hash
};
/// Detached CAdES-BES over content with `content.digest` (SHA-256/384/512), signed by the card
/// with `key` after VERIFY with `pin` (the PIN rules of EsignCard::sign_hash). Returns the DER
/// ContentInfo (a .p7s); the card's signature is verified before it is returned.
Result<Bytes> sign_cades(esign::EsignCard& card, esign::KeyKind key, const ContentDigest& content,
                         const SecureBuffer& pin, const CadesOptions& options = {});
/// Upper bound of the DER size sign_cades() returns for `key` (for callers sizing a buffer).
Result<std::size_t> cades_size_bound(esign::EsignCard& card, esign::KeyKind key,
                                     const CadesOptions& options = {});

/// A CAdES / CMS signature checked by a relying party: the CMS checks (cms.parse,
/// cms.message_digest, cms.signature, cms.signing_certificate) followed by the signer
/// certificate's validation at the signing time (or options.at when set).
struct SignatureValidation {
  icao::VerificationReport report;  ///< the cms.* checks
  std::optional<std::int64_t> signing_time;
  std::optional<CertificateValidation> signer;
  CertificateVerdict verdict = CertificateVerdict::CannotVerify;  ///< Invalid when a cms.* check failed
  std::vector<std::string> reasons;
  std::string to_json() const;
};
/// `content` is the digest of the detached content with the signature's algorithm; pass
/// `content_file` instead to have it hashed here (the algorithm is read from the signature).
SignatureValidation verify_cades(ByteView cms, const ContentDigest* content, const std::string& content_file,
                                 const ValidationOptions& options = {});

}  // namespace dnie::holder
