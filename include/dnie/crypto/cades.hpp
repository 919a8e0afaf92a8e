// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/cades.hpp
// Detached CAdES-BES signatures (ETSI EN 319 122-1 §4, §5.2; CMS SignedData, RFC 5652 §5) made
// by an external signer — a smart card that only signs a digest — and their verification.
//
// Signing is two steps around the card: prepare() builds, with OpenSSL's CMS API, a SignedData
// whose SignerInfo carries the signed attributes contentType, messageDigest (of the detached
// content), signingTime and ESS signing-certificate-v2 (RFC 5035; the certificate's SHA-256 hash
// and issuer/serial), but no signature; the caller has DER(signedAttrs) signed (RFC 5652 §5.4:
// the SET OF, not the [0] IMPLICIT form) with RSASSA-PKCS1-v1_5; finish() checks that signature
// with the signer certificate's key, puts it in the SignerInfo and returns the ContentInfo.
// Nothing is written by hand in ASN.1 except the sorted SET OF that is hashed.
//
// Verification (CmsSignature) checks the CMS itself — messageDigest against the content digest,
// the signature over the signed attributes with the signer certificate, signing-certificate(-v2)
// against that certificate — and makes no trust decision: the signer certificate's chain,
// usage and revocation are dnie::holder's job.
// Objects own their state; not thread-safe; movable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/x509.hpp"

namespace dnie::crypto {

struct CadesRequest {
  Certificate signer;              ///< RSA certificate of the key that will sign
  std::vector<Certificate> chain;  ///< CA certificates to include (issuer, root); may be empty
  HashAlg hash = HashAlg::Sha256;  ///< content and signed-attributes digest: SHA-256/384/512
  Bytes content_digest;            ///< hash(content) with `hash`; the content stays detached
  std::int64_t signing_time = 0;   ///< Unix seconds (the signer's claim); 0 = the system clock
};

class CadesBuilder {
 public:
  /// InvalidArgument for a digest of the wrong size, SHA-1/SHA-224, or a non-RSA signer.
  static Result<CadesBuilder> prepare(const CadesRequest& request);
  CadesBuilder(CadesBuilder&&) noexcept;
  CadesBuilder& operator=(CadesBuilder&&) noexcept;
  CadesBuilder(const CadesBuilder&) = delete;
  CadesBuilder& operator=(const CadesBuilder&) = delete;
  ~CadesBuilder();

  HashAlg hash() const noexcept;
  /// DER SET OF Attribute: the bytes the signature covers.
  const Bytes& signed_attributes() const noexcept;
  /// hash(signed_attributes()): what the card signs (as a DigestInfo of hash()).
  Bytes signed_attributes_digest() const;
  /// Puts `signature` (RSASSA-PKCS1-v1_5 over signed_attributes_digest()) into the SignerInfo
  /// after checking it with the signer's key (VerificationFailed otherwise) and returns the DER
  /// ContentInfo (id-signedData, eContent absent). May be called once.
  Result<Bytes> finish(ByteView signature);

 private:
  struct Impl;
  explicit CadesBuilder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// One SignerInfo of a CMS SignedData, as found (no trust decisions).
class CmsSignature {
 public:
  /// Parses a DER (or PEM "CMS"/"PKCS7") ContentInfo with SignedData and exactly one SignerInfo
  /// whose certificate is among the SignedData's certificates or `extra_certs`. MalformedData /
  /// NotFound (signer certificate absent) / Unsupported (several signers, no signed attributes).
  static Result<CmsSignature> parse(ByteView cms, const std::vector<Certificate>& extra_certs = {});
  CmsSignature(CmsSignature&&) noexcept;
  CmsSignature& operator=(CmsSignature&&) noexcept;
  CmsSignature(const CmsSignature&) = delete;
  CmsSignature& operator=(const CmsSignature&) = delete;
  ~CmsSignature();

  const Certificate& signer() const noexcept;
  /// Every certificate the SignedData carries (the signer's included).
  const std::vector<Certificate>& certificates() const noexcept;
  HashAlg digest_algorithm() const noexcept;  ///< of the content and of the signed attributes
  bool detached() const noexcept;             ///< eContent absent
  std::optional<std::int64_t> signing_time() const noexcept;
  /// Whether an ESS signing-certificate (v1, RFC 2634) or -v2 (RFC 5035) attribute is present.
  bool has_signing_certificate_attribute() const noexcept;

  struct Checks {
    bool message_digest = false;  ///< messageDigest equals the content digest
    bool signature = false;       ///< signature over the signed attributes verifies with signer()
    /// ESS signing-certificate(-v2) names signer() (nullopt: the attribute is absent).
    std::optional<bool> signing_certificate;
    std::string problem;  ///< what failed, empty when all passed
  };
  /// Checks against the digest (with digest_algorithm()) of the detached content — or, for an
  /// attached signature, pass an empty digest to use the eContent.
  Checks verify(ByteView content_digest) const;

 private:
  struct Impl;
  explicit CmsSignature(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie::crypto
