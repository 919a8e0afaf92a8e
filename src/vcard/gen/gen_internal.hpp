// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/gen_internal.hpp
// Internal building blocks of the card content generator (dnie/vcard/generator.hpp): DER
// helpers, an X.509 builder, CMS/EF.SOD, LDS data groups, PKCS#15 files, JPEG 2000 images.
// Nothing here prints or throws; fallible steps return Result.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/vcard/generator.hpp"

namespace dnie::vcard::gen {

// ---- DER helpers (der_util in identity.cpp) ---------------------------------------------
Bytes seq(const std::vector<Bytes>& children);
/// DER SET OF: children sorted by their encodings (X.690 §11.6).
Bytes set_of(std::vector<Bytes> children);
Bytes tagged(std::uint32_t tag, const std::vector<Bytes>& children);
/// Seconds since the epoch for a date at hh:mm:ss UTC.
std::int64_t unix_time(const Date& d, int hh = 0, int mm = 0, int ss = 0);
Date add_years(const Date& d, int years);
Date add_days(const Date& d, int days);
/// "YYYYMMDD", "YYMMDD", "DD MM YYYY".
std::string fmt_yyyymmdd(const Date& d);
std::string fmt_yymmdd(const Date& d);
std::string fmt_dd_mm_yyyy(const Date& d);
/// Upper-case ASCII transliteration for the MRZ (Ñ→N, Á→A, ...; others become '<').
std::string mrz_transliterate(std::string_view utf8);
/// A Date from the generator's seed stream (deterministic).
std::string seed_digits(std::uint64_t seed, std::string_view label, std::size_t n);

// ---- X.509 (x509_builder.cpp), RFC 5280 ----------------------------------------------------
struct Rdn {
  std::string oid;    ///< dotted attribute type
  std::string value;  ///< UTF-8
};
/// Name from RDNs in order; C and serialNumber are PrintableString, the rest UTF8String.
Bytes build_name(const std::vector<Rdn>& rdns);

struct CertSpec {
  Bytes serial;   ///< positive magnitude, big-endian
  Bytes issuer;   ///< DER Name
  Bytes subject;  ///< DER Name
  std::int64_t not_before = 0, not_after = 0;
  Bytes spki;                                      ///< DER SubjectPublicKeyInfo
  std::vector<Bytes> extensions;                   ///< DER Extension elements, in order
  crypto::HashAlg hash = crypto::HashAlg::Sha256;  ///< sha1/sha256WithRSAEncryption
};
/// Signs the TBSCertificate with `issuer_key` (RSASSA-PKCS1-v1_5) → DER Certificate.
Result<Bytes> build_certificate(const CertSpec& spec, const crypto::RsaPrivateKey& issuer_key);

/// One revokedCertificates entry (RFC 5280 §5.1.2.6) with its reasonCode (§5.3.1).
struct CrlEntry {
  Bytes serial;  ///< positive magnitude, big-endian
  std::int64_t revoked_at = 0;
  int reason = 0;  ///< CRLReason: 1 keyCompromise, 3 affiliationChanged, 4 superseded, ...
};
struct CrlSpec {
  Bytes issuer;         ///< DER Name: the CA's subject
  Bytes issuer_key_id;  ///< the CA's subjectKeyIdentifier (authorityKeyIdentifier, §5.2.1)
  std::int64_t this_update = 0, next_update = 0;
  std::int64_t number = 1;        ///< cRLNumber (§5.2.3)
  std::vector<CrlEntry> revoked;  ///< empty: the field is absent (§5.1.2.6)
  crypto::HashAlg hash = crypto::HashAlg::Sha256;
};
/// A v2 CertificateList (RFC 5280 §5.1) signed with `issuer_key` (RSASSA-PKCS1-v1_5) → DER.
Result<Bytes> build_crl(const CrlSpec& spec, const crypto::RsaPrivateKey& issuer_key);

/// AlgorithmIdentifier for sha*WithRSAEncryption (with NULL params unless `no_null`).
Bytes rsa_sig_alg(crypto::HashAlg hash, bool no_null = false);
Bytes hash_alg_id(crypto::HashAlg hash, bool with_null = true);
/// SHA-1 of the subjectPublicKey BIT STRING content (RFC 5280 §4.2.1.2 method 1).
Result<Bytes> key_identifier(ByteView spki);

Bytes ext(std::string_view oid, bool critical, ByteView value);
Bytes ext_basic_constraints(bool ca, int path_len = -1);
Bytes ext_key_usage(unsigned bits);  ///< crypto::KeyUsage bits
Bytes ext_ski(ByteView key_id);
Bytes ext_aki(ByteView key_id);
Bytes ext_policies(std::string_view policy_oid, std::string_view cps_uri);
Bytes ext_crl_dp(std::string_view uri);
Bytes ext_aia(std::string_view ocsp_uri, std::string_view ca_issuers_uri);
Bytes ext_ext_key_usage(const std::vector<std::string>& oids);
/// ICAO 9303-12 §7.1.1.3 document type list (2.23.136.1.1.6.2).
Bytes ext_document_types(const std::vector<std::string>& types);
/// privateKeyUsagePeriod (2.5.29.16).
Bytes ext_private_key_usage(std::int64_t not_before, std::int64_t not_after);
Bytes ext_qc_statements();
Bytes ext_subject_dir_birth(const Date& birth);
Bytes ext_alt_name_uri_l(std::string_view oid, std::string_view uri, std::string_view locality);

// ---- TEST CV root (generated cvc_test_roots.cpp) -------------------------------------------
/// The TEST CV root public key (card reference 02 0F) of a generation, as hex, copied at
/// configure time from src/auth/keysets/test-r{1,2}-*.txt (root_modulus / root_exponent).
struct CvRootHex {
  const char* modulus;
  const char* exponent;
  const char* source;  ///< the key-set file it came from
};
CvRootHex test_cv_root(Generation g);
/// The production CV root of a generation (the component root "AC RAIZ COMPONENTES [2]", public:
/// src/auth/keysets/icc-root-r{1,2}.txt): an impostor card can hold it and accept the production
/// terminal certificates, as a real attacker could.
CvRootHex production_cv_root(Generation g);

// ---- key set (profiles.cpp) -----------------------------------------------------------------
struct KeySet {
  std::shared_ptr<crypto::RsaPrivateKey> csca, ds, csca_untrusted, ds_untrusted;
  std::shared_ptr<crypto::RsaPrivateKey> dnie_root, dnie_ca, auth, sign;
  std::shared_ptr<crypto::RsaPrivateKey> comp_root_r1, comp_root_r2, comp_ca, icc;
  /// An attacker's component root and CA (impostor profiles: an ICC chain no DNIe root signed).
  std::shared_ptr<crypto::RsaPrivateKey> attacker_root, attacker_ca;
  Bytes ca_private;  ///< Chip Authentication scalar (brainpoolP256r1)
  Bytes ca_public;   ///< 04‖X‖Y
  unsigned csca_bits = 0;
};
/// The key set of a seed, generated once per process.
Result<std::shared_ptr<const KeySet>> key_set(std::uint64_t seed);

// ---- LDS (lds_builder.cpp), ICAO 9303-10 ----------------------------------------------------
Bytes build_com();
Bytes build_dg1(const Identity& id);
Bytes build_dg2(const Identity& id, ByteView jp2, std::uint16_t width, std::uint16_t height);
Bytes build_dg3();
Bytes build_dg7(ByteView jp2);
Bytes build_dg11(const Identity& id);
Bytes build_dg13(const Identity& id);
Bytes build_dg14(ByteView ca_public_point, std::uint8_t key_id);
Bytes card_access();

// ---- CMS / EF.SOD (cms_builder.cpp), ICAO 9303-10 §4.6.2, RFC 5652 --------------------------
struct SodSpec {
  std::map<int, Bytes> dgs;  ///< data group number → full DG bytes (hashed)
  crypto::HashAlg lds_hash = crypto::HashAlg::Sha1;
  crypto::HashAlg sig_hash = crypto::HashAlg::Sha256;
  Bytes ds_cert;  ///< DER
  std::int64_t signing_time = 0;
};
Result<Bytes> build_sod(const SodSpec& spec, const crypto::RsaPrivateKey& ds_key);

// ---- PKCS#15 (pkcs15_builder.cpp) -----------------------------------------------------------
struct CdfEntry {
  std::string label;
  std::string id;          ///< 29 ASCII chars
  std::uint16_t fid = 0;   ///< in DF 6061
  std::size_t length = 0;  ///< certificate length
  Bytes subject, issuer;   ///< DER Names
  Bytes serial;            ///< INTEGER content
};
struct PrkdfEntry {
  std::string label;
  std::string id;
  bool non_repudiation = false;
  std::uint8_t key_ref = 0;
  std::uint16_t fid = 0;  ///< in DF 3F11
  std::size_t path_length = 0;
};
constexpr std::size_t kPkcs15FileSize = 2100;
Result<Bytes> build_cdf(const std::vector<CdfEntry>& entries);
Result<Bytes> build_prkdf(const std::vector<PrkdfEntry>& entries);
Bytes build_odf();
/// AODF (DF 5015, EF 6000): the card holder's PIN object.
Bytes build_aodf();
Bytes build_token_info(ByteView serial);
/// DNIe compressed certificate EF: LE32 uncompressed ‖ LE32 compressed ‖ zlib stream.
Result<Bytes> compress_cert(ByteView der);

// ---- images (images_jp2.cpp) ----------------------------------------------------------------
struct Jp2Image {
  Bytes data;
  std::uint16_t width = 0, height = 0;
};
/// Synthetic portrait (RGB, 240×320), deterministic for `seed`.
Result<Jp2Image> face_jp2(std::uint64_t seed);
/// Synthetic handwritten signature (grayscale, 400×150).
Result<Jp2Image> signature_jp2(std::uint64_t seed);

// ---- the PKI of one card (pki.cpp) ----------------------------------------------------------
struct PkiCerts {
  Bytes csca, ds, csca_untrusted, ds_untrusted;
  Bytes dnie_root, dnie_ca, auth, sign;
  Bytes dnie_ca_crl;  ///< the CRL of AC DNIE 00x TEST (RFC 5280 §5.1)
  Bytes comp_root, comp_ca, icc;
};
struct PkiParams {
  const KeySet* keys = nullptr;
  const Identity* id = nullptr;
  Generation generation = Generation::R1;
  Date ds_from, ds_to;  ///< DS validity
  Bytes chip_serial;    ///< 7 bytes
  std::uint64_t seed = 0;
  /// Impostor profiles: the component chain is signed by the attacker's keys under names that
  /// claim "r1", "r2" or "test" (the genuine TEST names); empty = the genuine chain.
  std::string impostor_claim;
  /// The "revoked" profile: the holder certificates get the serials the CA's CRL lists
  /// (authentication superseded, signing keyCompromise); otherwise the CRL lists nothing of
  /// this card's.
  bool revoke_holder = false;
};
/// The generator's reference time, 2024-01-01T00:00:00Z: thisUpdate of every image's CRL and the
/// revocation date of the "revoked" profile's certificates; the CRL's nextUpdate is 10 years later
/// (2034-01-01), so it stays current for the life of the images. Fixed: no wall clock.
std::int64_t reference_time();
Result<PkiCerts> build_pki(const PkiParams& p);

// ---- hostile profiles (profiles.cpp) ---------------------------------------------------------
/// Applies the attack of a hostile profile to a generated image (nothing for other profiles).
Status make_hostile(CardImage& img, const std::string& profile);

}  // namespace dnie::vcard::gen
