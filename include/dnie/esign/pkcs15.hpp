// SPDX-License-Identifier: Apache-2.0
// File: dnie/esign/pkcs15.hpp
// PKCS#15 (ISO/IEC 7816-15) objects of the DNIe eSign application (DF 5015): EF.ODF (5031),
// EF.TokenInfo (5032), EF.CDF (6004), EF.PrKDF (6001); the DNIe compressed certificate files
// (4-byte LE uncompressed length ‖ 4-byte LE compressed length ‖ zlib, docs/dnie-card.md §2.3); and
// the holder-facing view of an X.509 certificate (name, DNI number, validity, usage, PEM/DER).
// Parsers take untrusted bytes, stop at the 00 padding of the card files and never read past
// their input. Plain values; thread-safe as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/bytes.hpp"
#include "dnie/crypto/x509.hpp"

namespace dnie::esign {

/// PKCS#15 Path (ISO/IEC 7816-15 §8.2.4): file identifiers and an optional index/length.
struct Path {
  Bytes path;                               ///< concatenated FIDs, e.g. 60 61 70 01
  std::optional<std::int64_t> index;        ///< offset in the file
  std::optional<std::int64_t> length;       ///< bytes
  std::vector<std::uint16_t> fids() const;  ///< 2-byte FIDs
  std::string to_string() const;            ///< "6061/7001"
};

/// EF.ODF: where the directory files are.
struct Odf {
  std::optional<Path> private_keys;          ///< [0]
  std::optional<Path> public_keys;           ///< [1]
  std::optional<Path> certificates;          ///< [4]
  std::optional<Path> trusted_certificates;  ///< [5]
  std::optional<Path> data_objects;          ///< [7]
  std::optional<Path> auth_objects;          ///< [8]
};
Result<Odf> parse_odf(ByteView file);

/// EF.TokenInfo (§8.10).
struct TokenInfo {
  std::int64_t version = 0;
  Bytes serial_number;
  std::string manufacturer_id;  ///< "DGP-FNMT" on the DNIe
  std::string label;
  Bytes token_flags;  ///< raw BIT STRING content
};
Result<TokenInfo> parse_token_info(ByteView file);
/// parse_token_info() plus the DNIe check: manufacturerID must be "DGP-FNMT" (Unsupported).
Result<TokenInfo> parse_dnie_token_info(ByteView file);

/// One certificate object of EF.CDF.
struct CertificateObject {
  std::string label;  ///< "CertFirmaDigital"
  Bytes id;           ///< iD (29 ASCII characters on the DNIe)
  bool authority = false;
  Path path;            ///< "6061/7002"
  std::string subject;  ///< from the optional subject Name, if present
  std::string issuer;
  Bytes serial;
};
/// EF.CDF: X.509 certificate objects until the 00 padding.
Result<std::vector<CertificateObject>> parse_cdf(ByteView file);

/// PKCS#15 key usage bits (§8.4.2).
enum KeyUsageFlag : unsigned {
  kUsageEncrypt = 1u << 0,
  kUsageDecrypt = 1u << 1,
  kUsageSign = 1u << 2,
  kUsageSignRecover = 1u << 3,
  kUsageWrap = 1u << 4,
  kUsageUnwrap = 1u << 5,
  kUsageVerify = 1u << 6,
  kUsageVerifyRecover = 1u << 7,
  kUsageDerive = 1u << 8,
  kUsageNonRepudiation = 1u << 9,
};
/// Access flags (§8.4.2).
enum AccessFlag : unsigned {
  kAccessSensitive = 1u << 0,
  kAccessExtractable = 1u << 1,
  kAccessAlwaysSensitive = 1u << 2,
  kAccessNeverExtractable = 1u << 3,
  kAccessLocal = 1u << 4,
};

/// One RSA private key object of EF.PrKDF.
struct PrivateKeyObject {
  std::string label;   ///< "KprivFirmaDigital"
  Bytes id;            ///< equals the certificate's iD
  unsigned usage = 0;  ///< KeyUsageFlag bits
  bool native = true;
  unsigned access_flags = 0;
  std::int64_t key_reference = -1;  ///< 01 authentication, 02 signing
  Path path;                        ///< "3F11/0101"
  std::int64_t modulus_bits = 0;
};
Result<std::vector<PrivateKeyObject>> parse_prkdf(ByteView file);

/// Bit string (DER content: unused-bits byte ‖ bytes) to flags, bit 0 = MSB of the first byte.
unsigned bit_string_flags(ByteView content) noexcept;

/// DNIe compressed certificate file. Plain DER (starting with 30) is returned unchanged.
/// The declared uncompressed length must be ≤ `max_size` and match the inflated data.
Result<Bytes> decompress_certificate(ByteView file, std::size_t max_size = 16 * 1024);
/// The inverse (for tests and the virtual card): header ‖ zlib(der).
Result<Bytes> compress_certificate(ByteView der);

/// What a person wants to know about a DNIe certificate.
struct CertificateInfo {
  std::string common_name;                     ///< CN
  std::string surname;                         ///< SN
  std::string given_name;                      ///< GN
  std::string dni_number;                      ///< serialNumber (e.g. 99999002Q)
  std::string issuer;                          ///< "C=ES, O=..., CN=AC DNIE 001"
  std::int64_t not_before = 0, not_after = 0;  ///< Unix seconds
  std::optional<unsigned> key_usage;           ///< crypto::KeyUsage bits
  bool non_repudiation = false;                ///< the signing certificate
  std::string fingerprint_sha256;
};
CertificateInfo describe_certificate(const crypto::Certificate& cert);

/// A certificate of the card with its PKCS#15 objects.
struct CardCertificate {
  CertificateObject object;
  std::optional<PrivateKeyObject> key;  ///< matching PrKDF entry (same iD), if any
  crypto::Certificate certificate;
  CertificateInfo info;
  const Bytes& der() const noexcept { return certificate.der(); }
  std::string pem() const { return certificate.to_pem(); }
};

}  // namespace dnie::esign
