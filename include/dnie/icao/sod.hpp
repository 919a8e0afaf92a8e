// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/sod.hpp
// CMS SignedData (RFC 5652 §5) as used by EF.SOD (ICAO 9303-10 §4.6.2, 9303-12 §4.6) and by CSCA
// master lists (9303-12 §5.2): parsing, signer lookup, and the signature check over the signed
// attributes (content type and message digest attributes checked too). The LDSSecurityObject
// (hash algorithm and one hash per data group) is parsed from EF.SOD's eContent.
// Plain values; SignedData owns copies of everything it parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/bytes.hpp"
#include "dnie/crypto/x509.hpp"

namespace dnie::icao {

inline constexpr std::string_view kOidSignedData = "1.2.840.113549.1.7.2";
inline constexpr std::string_view kOidLdsSecurityObject = "2.23.136.1.1.1";
inline constexpr std::string_view kOidCscaMasterList = "2.23.136.1.1.2";

/// RFC 5652 §5.3 SignerInfo.
struct SignerInfo {
  int version = 0;
  std::optional<crypto::Name> issuer;   ///< issuerAndSerialNumber (version 1)
  Bytes serial;                         ///< raw INTEGER content
  std::optional<Bytes> subject_key_id;  ///< [0] SubjectKeyIdentifier (version 3)
  std::string digest_algorithm;         ///< dotted
  crypto::AlgorithmIdentifier signature_algorithm;
  Bytes signed_attributes;                   ///< DER with the SET OF tag (31), as signed; empty if absent
  std::optional<std::string> content_type;   ///< contentType attribute
  std::optional<Bytes> message_digest;       ///< messageDigest attribute
  std::optional<std::int64_t> signing_time;  ///< signingTime attribute (Unix seconds)
  Bytes signature;
};

struct SignedData {
  int version = 0;
  std::vector<std::string> digest_algorithms;
  std::string content_type;  ///< eContentType, dotted
  Bytes content;             ///< eContent octets
  std::vector<crypto::Certificate> certificates;
  std::vector<Bytes> crls;  ///< raw DER CertificateList elements
  std::vector<SignerInfo> signers;
};

/// Parses a ContentInfo { signedData, [0] SignedData }. Certificates that fail to parse are
/// MalformedData (a document must not carry junk it wants us to trust).
Result<SignedData> parse_signed_data(ByteView content_info);
/// The certificate of `signer` among `sd.certificates` (issuer+serial or SKI), or nullptr.
const crypto::Certificate* find_signer_certificate(const SignedData& sd, const SignerInfo& signer);
/// RFC 5652 §5.4/§5.6: messageDigest == H(eContent) with the signer's digest algorithm, the
/// contentType attribute equals eContentType, and the signature over the DER SET of signed
/// attributes (or over eContent when there are none) verifies with `key`.
/// VerificationFailed with the reason when any of these fail.
Status verify_signer(const SignedData& sd, const SignerInfo& signer, const crypto::PublicKey& key);

/// LDSSecurityObject (ICAO 9303-10 §4.6.2.2).
struct DataGroupHash {
  int number = 0;
  Bytes hash;
};
struct LdsSecurityObject {
  int version = 0;       ///< 0 (V0) or 1 (V1 with LDS version info)
  std::string hash_oid;  ///< dotted
  crypto::HashAlg hash_alg = crypto::HashAlg::Sha256;
  std::vector<DataGroupHash> hashes;
  std::optional<std::string> lds_version;
  std::optional<std::string> unicode_version;
  const Bytes* hash_of(int dg) const noexcept;
};
Result<LdsSecurityObject> parse_lds_security_object(ByteView der);

/// EF.SOD: 77 { ContentInfo } (a bare ContentInfo is accepted too).
struct Sod {
  SignedData signed_data;
  LdsSecurityObject lds;
  /// The DS certificate of the first signer, if embedded (nullptr otherwise).
  const crypto::Certificate* ds_certificate() const;
  const SignerInfo* signer() const { return signed_data.signers.empty() ? nullptr : &signed_data.signers[0]; }
};
Result<Sod> parse_sod(ByteView ef_sod);

}  // namespace dnie::icao
