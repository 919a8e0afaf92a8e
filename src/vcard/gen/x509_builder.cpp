// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/x509_builder.cpp
// A minimal X.509 v3 certificate and v2 CRL builder (RFC 5280 §4.1, §5.1) with the extensions the DNIe and
// ICAO PKIs use (RFC 5280 §4.2, RFC 3739 qcStatements, ICAO 9303-12 §7.1.1.3).
#include "dnie/bytes/tlv.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard::gen {

namespace {
constexpr std::string_view kOidC = "2.5.4.6";
constexpr std::string_view kOidSerial = "2.5.4.5";

Bytes oct(ByteView v) { return asn1::octet_string(v); }
Bytes ia5(std::string_view s) { return tlv::encode(asn1::kIa5String, ByteView::of(s)); }
}  // namespace

Bytes build_name(const std::vector<Rdn>& rdns) {
  std::vector<Bytes> sets;
  for (const auto& r : rdns) {
    Bytes value = (r.oid == kOidC || r.oid == kOidSerial) ? asn1::printable_string(r.value)
                                                          : asn1::utf8_string(r.value);
    sets.push_back(set_of({seq({asn1::oid(r.oid), value})}));
  }
  return seq(sets);
}

Bytes hash_alg_id(crypto::HashAlg hash, bool with_null) {
  Bytes o = asn1::oid(crypto::hash_oid(hash));
  return with_null ? seq({o, asn1::null()}) : seq({o});
}

Bytes rsa_sig_alg(crypto::HashAlg hash, bool no_null) {
  std::string_view oid = "1.2.840.113549.1.1.11";  // sha256WithRSAEncryption (RFC 4055)
  switch (hash) {
    case crypto::HashAlg::Sha1:
      oid = "1.2.840.113549.1.1.5";
      break;
    case crypto::HashAlg::Sha224:
      oid = "1.2.840.113549.1.1.14";
      break;
    case crypto::HashAlg::Sha256:
      break;
    case crypto::HashAlg::Sha384:
      oid = "1.2.840.113549.1.1.12";
      break;
    case crypto::HashAlg::Sha512:
      oid = "1.2.840.113549.1.1.13";
      break;
  }
  return no_null ? seq({asn1::oid(oid)}) : seq({asn1::oid(oid), asn1::null()});
}

Result<Bytes> key_identifier(ByteView spki) {
  DNIE_ASSIGN_OR_RETURN(auto outer, tlv::parse_single(spki, tlv::Mode::Der));
  tlv::Reader r(outer.value, tlv::Mode::Der);
  DNIE_TRY(r.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(auto bits, r.expect(asn1::kBitString));
  if (bits.value.empty()) return make_error(ErrorCode::MalformedData, "empty subjectPublicKey");
  return crypto::hash(crypto::HashAlg::Sha1, bits.value.subview(1));
}

Result<Bytes> build_certificate(const CertSpec& s, const crypto::RsaPrivateKey& issuer_key) {
  Bytes sig_alg = rsa_sig_alg(s.hash);
  std::vector<Bytes> tbs_parts = {
      asn1::context(0, asn1::integer(std::int64_t{2})),  // version v3
      asn1::integer(s.serial),
      sig_alg,
      s.issuer,
      seq({asn1::x509_time(s.not_before), asn1::x509_time(s.not_after)}),
      s.subject,
      s.spki,
  };
  if (!s.extensions.empty()) tbs_parts.push_back(asn1::context(3, seq(s.extensions)));
  Bytes tbs = seq(tbs_parts);
  DNIE_ASSIGN_OR_RETURN(Bytes sig, issuer_key.sign_pkcs1_v15(s.hash, crypto::hash(s.hash, tbs)));
  return seq({tbs, sig_alg, asn1::bit_string(sig)});
}

Result<Bytes> build_crl(const CrlSpec& s, const crypto::RsaPrivateKey& issuer_key) {
  Bytes sig_alg = rsa_sig_alg(s.hash);
  std::vector<Bytes> tbs_parts = {
      asn1::integer(std::int64_t{1}),  // version v2 (§5.1.2.1: extensions are present)
      sig_alg,
      s.issuer,
      asn1::x509_time(s.this_update),
      asn1::x509_time(s.next_update),
  };
  if (!s.revoked.empty()) {
    std::vector<Bytes> entries;
    for (const auto& e : s.revoked) {
      // reasonCode (§5.3.1): CRLReason ::= ENUMERATED, non-critical.
      Bytes reason = tlv::encode(0x0A, Bytes{static_cast<std::uint8_t>(e.reason)});
      entries.push_back(seq(
          {asn1::integer(e.serial), asn1::x509_time(e.revoked_at), seq({ext("2.5.29.21", false, reason)})}));
    }
    tbs_parts.push_back(seq(entries));
  }
  // crlExtensions [0]: authorityKeyIdentifier (§5.2.1) and cRLNumber (§5.2.3), both required.
  tbs_parts.push_back(
      asn1::context(0, seq({ext_aki(s.issuer_key_id), ext("2.5.29.20", false, asn1::integer(s.number))})));
  Bytes tbs = seq(tbs_parts);
  DNIE_ASSIGN_OR_RETURN(Bytes sig, issuer_key.sign_pkcs1_v15(s.hash, crypto::hash(s.hash, tbs)));
  return seq({tbs, sig_alg, asn1::bit_string(sig)});
}

Bytes ext(std::string_view oid, bool critical, ByteView value) {
  if (critical) return seq({asn1::oid(oid), asn1::boolean(true), oct(value)});
  return seq({asn1::oid(oid), oct(value)});
}

Bytes ext_basic_constraints(bool ca, int path_len) {
  std::vector<Bytes> body;
  if (ca) body.push_back(asn1::boolean(true));
  if (ca && path_len >= 0) body.push_back(asn1::integer(std::int64_t{path_len}));
  return ext("2.5.29.19", true, seq(body));
}

Bytes ext_key_usage(unsigned bits) {
  // KeyUsage BIT STRING, DER: trailing zero bits removed (X.690 §11.2.2).
  std::uint8_t b0 = 0, b1 = 0;
  for (unsigned i = 0; i < 9; ++i) {
    if (!(bits & (1u << i))) continue;
    if (i < 8)
      b0 = static_cast<std::uint8_t>(b0 | (0x80 >> i));
    else
      b1 = 0x80;
  }
  Bytes content;
  if (b1) {
    content = {0x07, b0, b1};
  } else {
    std::uint8_t unused = 0;
    while (unused < 7 && b0 && !(b0 & (1u << unused))) ++unused;
    content = {unused, b0};
  }
  return ext("2.5.29.15", true, tlv::encode(asn1::kBitString, content));
}

Bytes ext_ski(ByteView key_id) { return ext("2.5.29.14", false, oct(key_id)); }

Bytes ext_aki(ByteView key_id) { return ext("2.5.29.35", false, seq({asn1::context(0, key_id, false)})); }

Bytes ext_policies(std::string_view policy_oid, std::string_view cps_uri) {
  Bytes qual = seq({asn1::oid("1.3.6.1.5.5.7.2.1"), ia5(cps_uri)});  // id-qt-cps
  return ext("2.5.29.32", false, seq({seq({asn1::oid(policy_oid), seq({qual})})}));
}

Bytes ext_crl_dp(std::string_view uri) {
  // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
  Bytes gn = asn1::context(6, ByteView::of(uri), false);
  return ext("2.5.29.31", false, seq({seq({asn1::context(0, asn1::context(0, gn))})}));
}

Bytes ext_aia(std::string_view ocsp_uri, std::string_view ca_issuers_uri) {
  Bytes ocsp = seq({asn1::oid("1.3.6.1.5.5.7.48.1"), asn1::context(6, ByteView::of(ocsp_uri), false)});
  Bytes cai = seq({asn1::oid("1.3.6.1.5.5.7.48.2"), asn1::context(6, ByteView::of(ca_issuers_uri), false)});
  return ext("1.3.6.1.5.5.7.1.1", false, seq({ocsp, cai}));
}

Bytes ext_ext_key_usage(const std::vector<std::string>& oids) {
  std::vector<Bytes> v;
  for (const auto& o : oids) v.push_back(asn1::oid(o));
  return ext("2.5.29.37", false, seq(v));
}

Bytes ext_document_types(const std::vector<std::string>& types) {
  // DocumentTypeListSyntax ::= SEQUENCE { version INTEGER (0), docTypeList SET OF PrintableString }
  std::vector<Bytes> v;
  for (const auto& t : types) v.push_back(asn1::printable_string(t));
  return ext("2.23.136.1.1.6.2", false, seq({asn1::integer(std::int64_t{0}), set_of(v)}));
}

Bytes ext_private_key_usage(std::int64_t not_before, std::int64_t not_after) {
  // PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] GeneralizedTime, notAfter [1] ... }
  Bytes nb = asn1::generalized_time(not_before);
  Bytes na = asn1::generalized_time(not_after);
  Bytes a = asn1::context(0, ByteView(nb).subview(2), false);
  Bytes b = asn1::context(1, ByteView(na).subview(2), false);
  return ext("2.5.29.16", false, seq({a, b}));
}

Bytes ext_qc_statements() {
  // RFC 3739 / ETSI EN 319 412-5: QcCompliance, QcSSCD (as the specimen FIRMA certificate).
  Bytes compliance = seq({asn1::oid("0.4.0.1862.1.1")});
  Bytes sscd = seq({asn1::oid("0.4.0.1862.1.4")});
  return ext("1.3.6.1.5.5.7.1.3", false, seq({compliance, sscd}));
}

Bytes ext_subject_dir_birth(const Date& birth) {
  // SubjectDirectoryAttributes with id-pda-dateOfBirth (RFC 3739 §3.2.2), at 12:00 as the specimen.
  Bytes attr = seq({asn1::oid("1.3.6.1.5.5.7.9.1"), set_of({asn1::generalized_time(unix_time(birth, 12))})});
  return ext("2.5.29.9", false, seq({attr}));
}

Bytes ext_alt_name_uri_l(std::string_view oid, std::string_view uri, std::string_view locality) {
  // GeneralNames { uniformResourceIdentifier [6], directoryName [4] { L=<locality> } } (specimen DS).
  Bytes dir = asn1::context(4, build_name({{"2.5.4.7", std::string(locality)}}));
  return ext(oid, false, seq({asn1::context(6, ByteView::of(uri), false), dir}));
}

}  // namespace dnie::vcard::gen
