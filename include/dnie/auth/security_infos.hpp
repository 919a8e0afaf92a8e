// SPDX-License-Identifier: Apache-2.0
// File: dnie/auth/security_infos.hpp
// SecurityInfos (ICAO 9303-11 §9.2, BSI TR-03110-3 §A.1): the SET OF SecurityInfo found in
// EF.CardAccess, DG14 and the signed content of EF.CardSecurity. The parser is strict about the
// encoding (any malformed entry is MalformedData) and tolerant of unknown protocols (kept raw).
// Also: the PACE protocol OID table and the choice of the PACE protocol to run.
// EF.CardSecurity signatures are NOT verified here (that is passive authentication's job).
// Plain values; safe to copy and share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/bytes.hpp"
#include "dnie/crypto/dh.hpp"
#include "dnie/crypto/ec.hpp"
#include "dnie/crypto/hash.hpp"

namespace dnie::auth {

/// Object identifiers (dotted) used by SecurityInfos (TR-03110-3 §A.1.1, ICAO 9303-11 §9.2).
namespace oids {
inline constexpr std::string_view kIdPk = "0.4.0.127.0.7.2.2.1";    ///< id-PK (.1 DH, .2 ECDH)
inline constexpr std::string_view kIdTa = "0.4.0.127.0.7.2.2.2";    ///< id-TA
inline constexpr std::string_view kIdCa = "0.4.0.127.0.7.2.2.3";    ///< id-CA (.1 DH, .2 ECDH)
inline constexpr std::string_view kIdPace = "0.4.0.127.0.7.2.2.4";  ///< id-PACE
inline constexpr std::string_view kStandardizedDomainParameters = "0.4.0.127.0.7.1.2";
inline constexpr std::string_view kEcPublicKey = "1.2.840.10045.2.1";
inline constexpr std::string_view kPrimeField = "1.2.840.10045.1.1";
inline constexpr std::string_view kDhPublicNumber = "1.2.840.10046.2.1";     ///< X9.42
inline constexpr std::string_view kDhKeyAgreement = "1.2.840.113549.1.3.1";  ///< PKCS#3
inline constexpr std::string_view kSignedData = "1.2.840.113549.1.7.2";
inline constexpr std::string_view kIdSecurityObject = "0.4.0.127.0.7.3.2.1";  ///< EF.CardSecurity
}  // namespace oids

enum class KeyAgreement { Dh, Ecdh };
/// PACE mapping (ICAO 9303-11 §4.4.3.3): Generic, Integrated, Chip Authentication Mapping.
enum class PaceMapping { Generic, Integrated, ChipAuthentication };
/// Symmetric suite of PACE / CA (ICAO 9303-11 §9.2.2 last arc: 1 3DES, 2/3/4 AES-128/192/256).
enum class SymCipher { Des3, Aes128, Aes192, Aes256 };

std::size_t cipher_key_size(SymCipher c) noexcept;    ///< 16 (3DES 2-key), 16, 24, 32
std::size_t cipher_block_size(SymCipher c) noexcept;  ///< 8 (3DES) or 16
/// Hash of the KDF (ICAO 9303-11 §9.7.1): SHA-1 for 3DES/AES-128, SHA-256 for AES-192/256.
crypto::HashAlg cipher_kdf_hash(SymCipher c) noexcept;

/// A PACE protocol: id-PACE-{DH,ECDH}-{GM,IM}-{3DES-CBC-CBC,AES-CBC-CMAC-128/192/256} and
/// id-PACE-ECDH-CAM-AES-CBC-CMAC-128/192/256 (OID 0.4.0.127.0.7.2.2.4.x.y).
struct PaceProtocol {
  KeyAgreement key_agreement = KeyAgreement::Ecdh;
  PaceMapping mapping = PaceMapping::Generic;
  SymCipher cipher = SymCipher::Aes128;

  /// Decodes a dotted PACE protocol OID; nullopt if it is not one of the defined protocols.
  static std::optional<PaceProtocol> from_oid(std::string_view dotted);
  std::string oid() const;    ///< dotted, e.g. "0.4.0.127.0.7.2.2.4.2.2"
  Bytes oid_content() const;  ///< DER content octets (no tag), as sent in MSE tag 80
  std::string name() const;   ///< "id-PACE-ECDH-GM-AES-CBC-CMAC-128"
  friend bool operator==(const PaceProtocol& a, const PaceProtocol& b) {
    return a.key_agreement == b.key_agreement && a.mapping == b.mapping && a.cipher == b.cipher;
  }
  friend bool operator!=(const PaceProtocol& a, const PaceProtocol& b) { return !(a == b); }
};

/// Domain parameters for PACE or CA: an EC group or a DH group. Both empty when the encoding
/// was valid but the parameters are not supported by the crypto layer.
struct DomainParameters {
  std::optional<crypto::EcGroup> ec;
  std::optional<crypto::DhGroup> dh;
  int standard_id = -1;        ///< ICAO/TR-03110 standardized ID (0-2 DH, 8-18 EC) when known
  Bytes algorithm_identifier;  ///< DER AlgorithmIdentifier as found (empty for standardized IDs)

  bool is_ec() const noexcept { return ec.has_value(); }
  bool is_dh() const noexcept { return dh.has_value(); }
  bool supported() const noexcept { return ec.has_value() || dh.has_value(); }
  /// Standardized domain parameters (ICAO 9303-11 §9.5.1 Table 31); Unsupported otherwise.
  static Result<DomainParameters> standardized(int id);
  /// The ICAO standardized ID of the group itself (0-2, 8-18), or -1 for any other group.
  /// Explicit parameters equal to a standardized group are that group.
  int standardized_id() const noexcept;
  /// Security strength in bits (NIST SP 800-57 Part 1 Rev. 5 §5.6.1.1 Table 2): EC by the
  /// size f of n (160-223: 80, 224-255: 112, 256-383: 128, 384-511: 192, 512+: 256); DH by
  /// the smaller of the size L of p (1024: 80, 2048: 112, 3072: 128, 7680: 192, 15360: 256) and
  /// half the size of q. 0 below the smallest row (and for DH without q, or unsupported).
  int security_bits() const noexcept;
  /// "brainpoolP256r1 (13)", "DH 1024 (0)", "explicit EC, 112-bit p", "explicit DH, 22-bit p",
  /// "unsupported".
  std::string describe() const;
};

/// Parses a DER AlgorithmIdentifier of domain parameters: standardizedDomainParameters,
/// id-ecPublicKey (named or explicit SpecifiedECDomain), dhpublicnumber, dhKeyAgreement.
Result<DomainParameters> parse_domain_parameters(ByteView algorithm_identifier);

/// PACEInfo ::= SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }
struct PaceInfo {
  std::string protocol_oid;
  PaceProtocol protocol;
  int version = 0;
  std::optional<int> parameter_id;
  Bytes raw;
};

/// PACEDomainParameterInfo ::= SEQUENCE { protocol (id-PACE-x), domainParameter
/// AlgorithmIdentifier, parameterId INTEGER OPTIONAL }
struct PaceDomainParameterInfo {
  std::string protocol_oid;
  KeyAgreement key_agreement = KeyAgreement::Ecdh;
  PaceMapping mapping = PaceMapping::Generic;
  DomainParameters params;
  std::optional<int> parameter_id;
  Bytes raw;
};

/// ChipAuthenticationInfo ::= SEQUENCE { protocol (id-CA-x-y), version INTEGER,
/// keyId INTEGER OPTIONAL }
struct ChipAuthenticationInfo {
  std::string protocol_oid;
  KeyAgreement key_agreement = KeyAgreement::Ecdh;
  SymCipher cipher = SymCipher::Aes128;
  int version = 0;
  std::optional<std::int64_t> key_id;
  Bytes raw;
};

/// ChipAuthenticationDomainParameterInfo ::= SEQUENCE { protocol (id-CA-DH|id-CA-ECDH),
/// domainParameter AlgorithmIdentifier, keyId INTEGER OPTIONAL }
struct ChipAuthenticationDomainParameterInfo {
  std::string protocol_oid;
  KeyAgreement key_agreement = KeyAgreement::Ecdh;
  DomainParameters params;
  std::optional<std::int64_t> key_id;
  Bytes raw;
};

/// ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol (id-PK-DH|id-PK-ECDH),
/// chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }
struct ChipAuthenticationPublicKeyInfo {
  std::string protocol_oid;
  KeyAgreement key_agreement = KeyAgreement::Ecdh;
  Bytes subject_public_key_info;  ///< raw DER
  DomainParameters params;
  /// EC: uncompressed point 04‖X‖Y (validated on the curve when the group is supported);
  /// DH: y left-padded to the size of p (as encoded when the group is unsupported).
  Bytes public_key;
  std::optional<std::int64_t> key_id;
  Bytes raw;
};

/// TerminalAuthenticationInfo ::= SEQUENCE { id-TA, version INTEGER, efCVCA FileID OPTIONAL }
struct TerminalAuthenticationInfo {
  std::string protocol_oid;
  int version = 0;
  Bytes raw;
};

/// Any other SecurityInfo (unknown or not interpreted by this layer), kept raw.
struct OtherSecurityInfo {
  std::string protocol_oid;
  Bytes raw;
};

struct SecurityInfos {
  std::vector<PaceInfo> pace;
  std::vector<PaceDomainParameterInfo> pace_domain_parameters;
  std::vector<ChipAuthenticationInfo> chip_authentication;
  std::vector<ChipAuthenticationDomainParameterInfo> chip_authentication_domain_parameters;
  std::vector<ChipAuthenticationPublicKeyInfo> chip_authentication_public_keys;
  std::vector<TerminalAuthenticationInfo> terminal_authentication;
  std::vector<OtherSecurityInfo> other;
  std::vector<std::string> oids;  ///< protocol OIDs of all entries, in file order
};

/// Strict: exactly one SET OF SecurityInfo (tag 31), nothing after it.
Result<SecurityInfos> parse_security_infos(ByteView der);
/// EF.CardAccess file content: the SET; bytes after the SET (file padding seen on real cards)
/// are ignored.
Result<SecurityInfos> parse_card_access(ByteView file);
/// DG14 file content: 6E L SET OF SecurityInfo (bytes after the 6E object are ignored).
Result<SecurityInfos> parse_dg14(ByteView file);
/// The eContent of EF.CardSecurity (CMS SignedData with eContentType id-SecurityObject),
/// without verifying the signature.
Result<Bytes> card_security_content(ByteView cms);
/// parse_security_infos(card_security_content(cms)).
Result<SecurityInfos> parse_card_security(ByteView cms);

/// Caller constraints on the PACE choice (e.g. pin the DNIe's protocol and parameter 13).
struct PaceSelection {
  std::optional<std::string> protocol_oid;  ///< dotted PACE OID to insist on
  std::optional<int> parameter_id;          ///< domain parameter ID to insist on
};

/// Which PACE protocols and domain parameters the terminal accepts. EF.CardAccess is not
/// authenticated: a fake chip that offers a weak group (explicit parameters, 1024-bit DH,
/// 192-bit curves) can recover the CAN or PIN offline from the terminal's mapping public key and
/// authentication token. Parameters the policy refuses are never run: choose_pace() skips them,
/// and PaceEngine::create() refuses them before MSE:Set AT, so nothing derived from the password
/// is sent.
/// Rules, all of which apply:
///   - security strength ≥ `min_security_bits` (DomainParameters::security_bits()); the default
///     112 bits is the minimum NIST SP 800-57 Part 1 Rev. 5 §5.6.1.1 Table 2 approves: it
///     accepts the standardized IDs 1, 2 (2048-bit DH) and 10-18 (curves of 224 bits or more)
///     and refuses 0 (1024-bit DH), 8 (NIST P-192) and 9 (brainpoolP192r1). BSI TR-02102-1
///     (2023 and later) asks for 120 bits: 128 follows it (256-bit curves and larger only);
///   - standardized groups (ICAO 9303-11 §9.5.1, TR-03110-3 §A.2.1) only: when `parameter_ids`
///     is not empty, only those IDs;
///   - explicit parameters (PACEDomainParameterInfo, a group that is not standardized) only if
///     `allow_explicit_parameters`, and then only after full validation
///     (crypto::DhGroup::validate, crypto::EcGroup::validate, sized for `min_security_bits`;
///     up to a few seconds for DH). `parameter_ids` does not apply to them;
///   - the mapping is in `mappings` and the cipher in `ciphers` (empty = any).
/// Plain value; safe to copy and share between threads.
struct PacePolicy {
  int min_security_bits = 112;             ///< SP 800-57 strength; lower it only on purpose
  std::vector<int> parameter_ids;          ///< standardized IDs allowed; empty = any
  std::vector<PaceMapping> mappings;       ///< empty = any
  std::vector<SymCipher> ciphers;          ///< empty = any
  bool allow_explicit_parameters = false;  ///< PACEDomainParameterInfo groups, validated

  /// The DNIe's parameters only: standardized ID 13 (ECDH brainpoolP256r1), any mapping/cipher.
  static PacePolicy dnie();
  /// Ok if `protocol` on `params` may run; otherwise Unsupported saying why, e.g. "DH 1024 (0)
  /// offers 80-bit security, the policy requires 112", "domain parameter ID 8 (secp192r1 (8)) is
  /// not in the allowed list {13}", "explicit DH, 22-bit p: explicit domain parameters are not
  /// allowed". Explicit parameters are validated here (slow for DH: about a second).
  Status check(const PaceProtocol& protocol, const DomainParameters& params) const;
};

/// The PACE protocol and domain parameters to run.
struct PaceChoice {
  PaceInfo info;
  DomainParameters params;
  /// More than one PACE parameter set is offered: MSE:Set AT then needs DO 84 (ICAO 9303-11
  /// §4.4.4.1).
  bool ambiguous = false;
};

/// Picks the best PACEInfo we support that `policy` accepts. Requirements: version 2, a defined
/// protocol OID and resolvable domain parameters (standardized ID, or a matching
/// PACEDomainParameterInfo). Order of preference (first difference wins):
///   1. ECDH over DH;
///   2. mapping CAM > GM > IM (CAM authenticates the chip within PACE; GM is the most widely
///      deployed mapping, the one the DNIe uses);
///   3. cipher AES-128 > AES-256 > AES-192 > 3DES (AES-128 is what the DNIe and most eMRTDs use);
///   4. standardized parameters (brainpool before NIST curves, larger DH groups first) over
///      explicit ones; then file order.
/// Unsupported when nothing (matching `pin`) can be run; when the card offered only parameters
/// the policy refuses, the message says so and lists each with the reason.
Result<PaceChoice> choose_pace(const SecurityInfos& infos, const PaceSelection& pin = {},
                               const PacePolicy& policy = {});

/// A choice without EF.CardAccess, from a PACE OID and a standardized parameter ID (the way
/// the DNIe's own middleware runs PACE: id-PACE-ECDH-GM-AES-CBC-CMAC-128 with ID 13). No policy
/// is applied here: PaceEngine::create() applies PaceOptions::policy.
Result<PaceChoice> pace_choice_for(std::string_view protocol_oid, int parameter_id);

}  // namespace dnie::auth
