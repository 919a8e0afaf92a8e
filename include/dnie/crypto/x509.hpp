// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/x509.hpp
// X.509 certificates (RFC 5280) and public keys, parsed with the SDK's own DER reader (so that
// real-world quirks like negative serial numbers or explicit EC parameters are handled and the
// parser can be fuzzed), with signatures verified through the façade: RSA PKCS#1 v1.5,
// RSASSA-PSS, ECDSA on prime and brainpool curves.
// Certificate owns a copy of its DER; views it returns live as long as the object.
// Immutable after parsing; safe to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dnie/crypto/ec.hpp"
#include "dnie/crypto/rsa.hpp"

namespace dnie::crypto {

struct AlgorithmIdentifier {
  std::string oid;  ///< dotted
  Bytes params;     ///< raw DER of the parameters (empty when absent)
};

/// An EC public key: its group and 04‖X‖Y.
struct EcPublicKey {
  std::shared_ptr<const EcGroup> group;
  Bytes point;
};

class PublicKey {
 public:
  /// From DER SubjectPublicKeyInfo (rsaEncryption, id-ecPublicKey with named or explicit
  /// parameters, id-RSASSA-PSS keys).
  static Result<PublicKey> from_spki(ByteView der);
  explicit PublicKey(RsaPublicKey k) : m_key(std::move(k)) {}
  explicit PublicKey(EcPublicKey k) : m_key(std::move(k)) {}

  bool is_rsa() const noexcept { return std::holds_alternative<RsaPublicKey>(m_key); }
  bool is_ec() const noexcept { return std::holds_alternative<EcPublicKey>(m_key); }
  const RsaPublicKey* rsa() const noexcept { return std::get_if<RsaPublicKey>(&m_key); }
  const EcPublicKey* ec() const noexcept { return std::get_if<EcPublicKey>(&m_key); }
  /// "RSA-2048", "EC brainpoolP256r1".
  std::string description() const;

  /// Verifies `signature` over `data` with the algorithm `sig_alg` (a signatureAlgorithm of a
  /// certificate or CMS SignerInfo): sha*WithRSAEncryption, RSASSA-PSS (with parameters),
  /// ecdsa-with-SHA*, and rsaEncryption paired with `digest_alg_hint` (CMS usage).
  Status verify(const AlgorithmIdentifier& sig_alg, ByteView data, ByteView signature,
                std::optional<HashAlg> digest_alg_hint = std::nullopt) const;

 private:
  std::variant<RsaPublicKey, EcPublicKey> m_key;
};

/// One attribute of a distinguished name.
struct NameAttribute {
  std::string oid;    ///< dotted, e.g. "2.5.4.3"
  std::string value;  ///< UTF-8
};

struct Name {
  Bytes der;                              ///< the full Name element, for exact comparisons
  std::vector<NameAttribute> attributes;  ///< in order, RDNs flattened
  /// First value of an attribute type ("2.5.4.3" or short names "CN", "C", "O", "OU",
  /// "serialNumber", "SN", "GN"); empty if absent.
  std::string get(std::string_view type) const;
  /// "C=ES, O=DIRECCION GENERAL DE LA POLICIA, CN=AC DNIE 001"
  std::string to_string() const;
  bool operator==(const Name& o) const { return der == o.der; }
  bool operator!=(const Name& o) const { return der != o.der; }
};

struct Extension {
  std::string oid;
  bool critical = false;
  Bytes value;  ///< content of the extnValue OCTET STRING
};

/// Whether the SDK recognises a certificate extension, so that it may be marked critical
/// (RFC 5280 §4.2: a certificate with an unrecognised critical extension must be rejected).
/// Processed: keyUsage 2.5.29.15, basicConstraints 2.5.29.19, extKeyUsage 2.5.29.37 (checked for
/// master-list signers), ICAO documentTypeList 2.23.136.1.1.6.2. Accepted because they restrict
/// nothing the SDK relies on: subjectKeyIdentifier 2.5.29.14, authorityKeyIdentifier 2.5.29.35,
/// subjectAltName 2.5.29.17, issuerAltName 2.5.29.18, ICAO nameChange 2.23.136.1.1.6.1.
/// Everything else (privateKeyUsagePeriod, certificatePolicies, nameConstraints, ...) is
/// unrecognised: harmless when non-critical, fatal to path validation when critical.
bool is_recognised_extension(std::string_view oid) noexcept;

/// Key usage bits (RFC 5280 §4.2.1.3), bit 0 = digitalSignature.
enum KeyUsage : unsigned {
  kDigitalSignature = 1u << 0,
  kNonRepudiation = 1u << 1,
  kKeyEncipherment = 1u << 2,
  kDataEncipherment = 1u << 3,
  kKeyAgreement = 1u << 4,
  kKeyCertSign = 1u << 5,
  kCrlSign = 1u << 6,
};

class Certificate {
 public:
  /// MalformedData, besides broken DER, when (RFC 5280 §4.1.1.2) tbsCertificate.signature is not
  /// the same AlgorithmIdentifier as signatureAlgorithm; when a keyUsage, basicConstraints,
  /// extKeyUsage, subject/authority key identifier or ICAO documentTypeList extension does not
  /// decode (never read as "absent"); when an extension appears twice (§4.2) or in a v1/v2
  /// certificate (§4.1.2.9). Unrecognised critical extensions parse: path validation rejects
  /// them (check_critical_extensions()).
  static Result<Certificate> parse(ByteView der);
  /// Parses PEM ("-----BEGIN CERTIFICATE-----") or DER.
  static Result<Certificate> parse_any(ByteView data);
  /// All certificates from a PEM bundle.
  static Result<std::vector<Certificate>> parse_pem_bundle(std::string_view pem);

  const Bytes& der() const noexcept { return m_der; }
  ByteView tbs() const noexcept { return ByteView(m_der).subview(m_tbs_off, m_tbs_len); }
  int version() const noexcept { return m_version; }         ///< 1..3
  const Bytes& serial() const noexcept { return m_serial; }  ///< raw INTEGER content (may be negative)
  const AlgorithmIdentifier& signature_algorithm() const noexcept { return m_sig_alg; }
  const Bytes& signature() const noexcept { return m_signature; }
  const Name& issuer() const noexcept { return m_issuer; }
  const Name& subject() const noexcept { return m_subject; }
  std::int64_t not_before() const noexcept { return m_not_before; }  ///< Unix seconds
  std::int64_t not_after() const noexcept { return m_not_after; }
  ByteView spki() const noexcept { return ByteView(m_der).subview(m_spki_off, m_spki_len); }
  const PublicKey& public_key() const noexcept { return *m_key; }
  const std::vector<Extension>& extensions() const noexcept { return m_extensions; }
  const Extension* extension(std::string_view oid) const noexcept;

  // The extension accessors read values decoded by parse(), which fails on any of them that does
  // not decode: nullopt / false / empty below always means "absent".
  /// Key usage bits, or nullopt if the extension is absent.
  std::optional<unsigned> key_usage() const { return m_key_usage; }
  /// basicConstraints cA flag (false if absent).
  bool is_ca() const noexcept { return m_ca; }
  /// basicConstraints pathLenConstraint, if present.
  std::optional<std::int64_t> path_length() const { return m_path_len; }
  std::optional<Bytes> subject_key_id() const { return m_ski; }
  /// keyIdentifier of the authorityKeyIdentifier extension (nullopt if absent or without it).
  std::optional<Bytes> authority_key_id() const { return m_aki; }
  /// ICAO 9303-12 document type list extension (2.23.136.1.1.6.2): e.g. {"P", "ID"}.
  std::optional<std::vector<std::string>> document_types() const { return m_doc_types; }
  /// Extended key usage OIDs (empty if absent).
  std::vector<std::string> extended_key_usage() const { return m_eku; }
  /// Critical extensions that is_recognised_extension() does not know, dotted OIDs in order.
  std::vector<std::string> unrecognised_critical_extensions() const;
  /// RFC 5280 §4.2 / §6.1.4 (o): VerificationFailed naming the first unrecognised critical
  /// extension, ok otherwise. Path validation calls it for every certificate of a chain.
  Status check_critical_extensions() const;

  bool valid_at(std::int64_t unix_seconds) const noexcept {
    return unix_seconds >= m_not_before && unix_seconds <= m_not_after;
  }
  /// Checks this certificate's signature with the issuer's key.
  Status verify_signed_by(const PublicKey& issuer_key) const;
  /// SHA-256 of the DER, hex — a stable identity for logs and trust-store listings.
  std::string fingerprint_sha256() const;
  /// PEM encoding.
  std::string to_pem() const;

 private:
  Bytes m_der;  // views are offsets into it, so copies stay valid
  std::size_t m_tbs_off = 0, m_tbs_len = 0, m_spki_off = 0, m_spki_len = 0;
  int m_version = 1;
  Bytes m_serial;
  AlgorithmIdentifier m_sig_alg;
  Bytes m_signature;
  Name m_issuer, m_subject;
  std::int64_t m_not_before = 0, m_not_after = 0;
  std::shared_ptr<const PublicKey> m_key;
  std::vector<Extension> m_extensions;
  // Decoded by parse().
  std::optional<unsigned> m_key_usage;
  bool m_ca = false;
  std::optional<std::int64_t> m_path_len;
  std::vector<std::string> m_eku;
  std::optional<Bytes> m_ski, m_aki;
  std::optional<std::vector<std::string>> m_doc_types;
};

/// Name parser, shared with CMS (issuerAndSerialNumber) and CRL parsing.
Result<Name> parse_name(ByteView der);

/// PEM helpers: base64 and armour.
std::string base64_encode(ByteView data);
Result<Bytes> base64_decode(std::string_view text);
std::string pem_encode(std::string_view label, ByteView der);
/// The DER of the first PEM block with `label` ("CERTIFICATE"); NotFound if none.
Result<Bytes> pem_decode(std::string_view text, std::string_view label);

}  // namespace dnie::crypto
